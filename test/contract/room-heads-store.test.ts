import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import type { Store } from '../../src/core/store.js';
import { openTestStore, describeOn, everyStoreBackend } from '../helpers/backends.js';

/** RoomStore.headsOf on every backend: a session feed's starting positions (core/feed.ts). */
for (const backend of everyStoreBackend()) {
  describeOn(backend)(`room heads in the store (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ store, dispose } = await openTestStore(backend));
    });
    afterAll(async () => {
      await dispose?.();
    });

    it("lists the user's rooms with their timeline heads, and only theirs", async () => {
      const a = newId();
      await store.accounts.createUser({
        id: a,
        username: `h${a.slice(-8)}`,
        passwordHash: 'x',
        createdAt: 1,
        disabled: false,
      });
      const rooms: { id: string; name: string }[] = [];
      for (const [events, member] of [
        [3, true],
        [0, true],
        [2, false],
      ] as const) {
        const id = newId();
        const name = `h${id.slice(-10)}`;
        await store.rooms.transact(id, async (tx) => {
          await tx.createRoom({
            id,
            name,
            topic: '',
            topicLocked: false,
            visibility: 'public',
            createdAt: 1,
            createdBy: null,
          });
          if (member)
            await tx.putMember({
              roomId: id,
              userId: a,
              role: 'member',
              muted: false,
              notify: 'all',
              joinedAt: 1,
              historyFrom: 0,
            });
          for (let i = 0; i < events; i++)
            await tx.append({
              at: 2,
              name: 'room.topic',
              actorId: null,
              messageId: null,
              data: {},
            });
        });
        rooms.push({ id, name });
      }
      const heads = (await store.rooms.headsOf(a)).sort((x, y) => y.head - x.head);
      expect(heads).toEqual([
        { ...rooms[0], head: 3 },
        { ...rooms[1], head: 0 },
      ]);
      expect(await store.rooms.headsOf(newId())).toEqual([]);
    });
  });
}
