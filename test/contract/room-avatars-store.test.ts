import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StoredAvatar } from '../../src/core/files/pictures.js';
import { newId } from '../../src/core/ids.js';
import type { Store } from '../../src/core/store.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';
import { openStore } from '../../src/store/open.js';
import { storeOptions, storeUsers, tag } from '../helpers/store-fixtures.js';

/**
 * A room's picture in the store on every backend (RoomTx.avatar/setAvatar,
 * RoomStore.avatar): one per room, read back field for field, replaced in place
 * (the old one returned), its public hash on the room record every room read
 * carries, counted as a blob's user by the files store, gone with the room.
 */
const picture = (sha256: string, n: number): StoredAvatar => ({
  sha256,
  hash: String(n).repeat(40).slice(0, 40),
  type: 'image/webp',
  size: 2000 + n,
  width: 64,
  height: 48,
  updatedAt: 1_700_000_000_000 + n,
});

/** A blob name no other test uses. */
const sha = () => `${tag()}${tag()}`.padEnd(64, '0');

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`room avatar store contract (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ store, dispose } = await openTestStore(backend));
    });
    afterAll(() => dispose());

    async function room(ownerId: string, on = store): Promise<{ id: string; name: string }> {
      const id = newId();
      const name = `ra${tag()}`;
      await on.rooms.transact(id, async (tx) => {
        await tx.createRoom({
          id,
          name,
          topic: '',
          topicLocked: false,
          visibility: 'public',
          createdAt: 1,
          createdBy: ownerId,
        });
        await tx.putMember({
          roomId: id,
          userId: ownerId,
          role: 'owner',
          muted: false,
          notify: 'all',
          joinedAt: 1,
          historyFrom: 0,
        });
      });
      return { id, name };
    }

    it('keeps one per room, replaced in place, its hash on every room read', async () => {
      const [u] = await storeUsers(store, ['ra']);
      const r = await room(u!.id);
      const other = await room(u!.id);
      expect(await store.rooms.avatar(r.id)).toBeUndefined();
      expect((await store.rooms.byId(r.id))?.avatar).toBeNull();
      const one = picture(sha(), 1);
      const two = picture(sha(), 2);
      expect(await store.rooms.transact(r.id, (tx) => tx.setAvatar(one))).toBeUndefined();
      expect(await store.rooms.transact(r.id, (tx) => tx.avatar())).toEqual(one);
      expect(await store.rooms.transact(r.id, (tx) => tx.setAvatar(two))).toEqual(one);
      expect(await store.rooms.avatar(r.id)).toEqual(two);
      // The public hash, on each way a room is read.
      expect((await store.rooms.byId(r.id))?.avatar).toBe(two.hash);
      expect((await store.rooms.byName(r.name))?.avatar).toBe(two.hash);
      expect((await store.rooms.byName(r.name, { count: false }))?.avatar).toBe(two.hash);
      expect((await store.rooms.transact(r.id, (tx) => tx.room()))?.avatar).toBe(two.hash);
      const mine = await store.rooms.roomsOf(u!.id);
      expect(mine.find((x) => x.room.id === r.id)?.room.avatar).toBe(two.hash);
      expect(mine.find((x) => x.room.id === other.id)?.room.avatar).toBeNull();
      const listed = await store.rooms.directory({ q: r.name, limit: 10 });
      expect(listed.find((x) => x.id === r.id)?.avatar).toBe(two.hash);
      // Another room's picture is its own.
      expect(await store.rooms.avatar(other.id)).toBeUndefined();

      expect(await store.rooms.transact(r.id, (tx) => tx.setAvatar(null))).toEqual(two);
      expect(await store.rooms.avatar(r.id)).toBeUndefined();
      expect((await store.rooms.byId(r.id))?.avatar).toBeNull();
      expect(await store.rooms.transact(r.id, (tx) => tx.setAvatar(null))).toBeUndefined();
    });

    it('a blob a room picture names is referenced; the picture goes with the room', async () => {
      const [u] = await storeUsers(store, ['rb']);
      const r = await room(u!.id);
      const p = picture(sha(), 3);
      expect(await store.files.referenced(p.sha256)).toBe(false);
      await store.rooms.transact(r.id, (tx) => tx.setAvatar(p));
      expect(await store.files.referenced(p.sha256)).toBe(true);
      // Shared with a person's avatar: still referenced while either names it.
      await store.avatars.setAvatar(u!.id, { ...picture(p.sha256, 4) });
      await store.rooms.transact(r.id, (tx) => tx.deleteRoom());
      expect(await store.rooms.avatar(r.id)).toBeUndefined();
      expect(await store.files.referenced(p.sha256)).toBe(true);
      await store.avatars.setAvatar(u!.id, null);
      expect(await store.files.referenced(p.sha256)).toBe(false);
    });

    it('migration 0041 runs again harmlessly and keeps the pictures', async () => {
      const m = backend.make();
      try {
        const first = await openStore(storeOptions(m));
        const p = picture(sha(), 5);
        let r: { id: string; name: string };
        try {
          const [u] = await storeUsers(first, ['rm']);
          r = await room(u!.id, first);
          await first.rooms.transact(r.id, (tx) => tx.setAvatar(p));
          await sql`delete from kysely_migration where name = '0041_room_avatars'`.execute(
            first.db,
          );
        } finally {
          await first.close();
        }
        const again = await openStore(storeOptions(m));
        try {
          expect(await again.rooms.avatar(r.id)).toEqual(p);
          expect((await again.rooms.byId(r.id))?.avatar).toBe(p.hash);
        } finally {
          await again.close();
        }
      } finally {
        await m.cleanup();
      }
    });
  });
}
