import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StoredAvatar } from '../../src/core/profiles/avatars.js';
import type { Store } from '../../src/core/store.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';
import { storeUsers } from '../helpers/store-fixtures.js';

/**
 * The AvatarStore contract on every backend: one avatar per account, read back
 * field for field, replaced in place (the old one returned), joined into
 * profiles and contact rows, counted as a blob's user by the files store, and
 * gone with the account.
 */
const avatar = (n: number): StoredAvatar => ({
  sha256: String(n).repeat(64).slice(0, 64),
  hash: String(n).repeat(40).slice(0, 40),
  type: 'image/png',
  size: 1000 + n,
  width: 32,
  height: 48,
  updatedAt: 1_700_000_000_000 + n,
});

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`avatar store contract (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ store, dispose } = await openTestStore(backend));
    });
    afterAll(() => dispose());

    it('keeps one per account, replaced in place, in profiles and contact rows', async () => {
      const [a, b] = await storeUsers(store, ['aa', 'ab']);
      expect(await store.avatars.avatar(a!.id)).toBeUndefined();
      expect(await store.avatars.setAvatar(a!.id, avatar(1))).toBeUndefined();
      expect(await store.avatars.avatar(a!.id)).toEqual(avatar(1));
      expect(await store.avatars.setAvatar(a!.id, avatar(2))).toEqual(avatar(1));
      expect(await store.avatars.avatar(a!.id)).toEqual(avatar(2));
      expect((await store.profiles.profile(a!.id))?.avatar).toBe(avatar(2).hash);
      expect((await store.profiles.profile(b!.id))?.avatar).toBeNull();
      await store.contacts.changePair(b!.id, a!.id, (ab, ba) => ({
        ab: {
          ownerId: b!.id,
          contactId: a!.id,
          inRoster: true,
          subTo: true,
          subFrom: false,
          askOut: false,
          pendingIn: false,
          noteIn: '',
          alias: '',
          groups: [],
          updatedAt: 1,
          approved: false,
        },
        ba: ba ?? null,
        result: ab,
      }));
      expect((await store.contacts.contactsOf(b!.id))[0]?.avatar).toBe(avatar(2).hash);
      expect(await store.avatars.setAvatar(a!.id, null)).toEqual(avatar(2));
      expect(await store.avatars.avatar(a!.id)).toBeUndefined();
    });

    it('a blob an avatar names is referenced; the avatar goes with the account', async () => {
      const [u] = await storeUsers(store, ['ac']);
      const mine = { ...avatar(3), sha256: `${u!.id}`.padEnd(64, 'f').slice(0, 64) };
      expect(await store.files.referenced(mine.sha256)).toBe(false);
      await store.avatars.setAvatar(u!.id, mine);
      expect(await store.files.referenced(mine.sha256)).toBe(true);
      await store.accounts.deleteUser(u!.id);
      expect(await store.avatars.avatar(u!.id)).toBeUndefined();
      expect(await store.files.referenced(mine.sha256)).toBe(false);
    });
  });
}
