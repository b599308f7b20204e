import { afterAll, beforeAll, expect, it } from 'vitest';
import { ParleyError } from '../../src/core/errors.js';
import { createPrivateDataService, PRIVATE_LIMITS } from '../../src/core/private/service.js';
import type { Store } from '../../src/core/store.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';
import { storeUsers } from '../helpers/store-fixtures.js';

/**
 * Private per-account values (core/private over PrivateStore, XEP-0049's
 * storage), on every backend: by key and per account, replaced in place,
 * bounded in size and number, gone with the account.
 */
for (const backend of everyStoreBackend()) {
  describeOn(backend)(`private data contract (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ store, dispose } = await openTestStore(backend));
    });
    afterAll(() => dispose());

    it('keeps a value per account and key, replaced in place; empty removes it', async () => {
      const svc = createPrivateDataService({ store: store.privateData });
      const [a, b] = await storeUsers(store, ['pa', 'pb']);
      await svc.set(a!.id, '{storage:bookmarks}storage', '<storage/>');
      expect(await svc.get(a!.id, '{storage:bookmarks}storage')).toBe('<storage/>');
      expect(await svc.get(b!.id, '{storage:bookmarks}storage')).toBeUndefined();
      await svc.set(a!.id, '{storage:bookmarks}storage', '<storage>2</storage>');
      expect(await svc.get(a!.id, '{storage:bookmarks}storage')).toBe('<storage>2</storage>');
      await svc.set(a!.id, '{storage:bookmarks}storage', '');
      expect(await svc.get(a!.id, '{storage:bookmarks}storage')).toBeUndefined();
    });

    it('is bounded: value size, key length, number of keys', async () => {
      const svc = createPrivateDataService({ store: store.privateData });
      const [u] = await storeUsers(store, ['pl']);
      const err = (p: Promise<unknown>) =>
        p.then(
          () => undefined,
          (e: unknown) => e as ParleyError,
        );
      expect(
        (await err(svc.set(u!.id, 'k', 'x'.repeat(PRIVATE_LIMITS.valueBytes + 1))))?.condition,
      ).toBe('payload-too-large');
      expect((await err(svc.set(u!.id, '', 'x')))?.condition).toBe('bad-request');
      expect((await err(svc.set(u!.id, 'k', 'a\0b')))?.condition).toBe('bad-request');
      for (let i = 0; i < PRIVATE_LIMITS.keys; i++) await svc.set(u!.id, `k${i}`, 'v');
      expect((await err(svc.set(u!.id, 'one-more', 'v')))?.condition).toBe('conflict');
      // Replacing a key that exists is still fine at the limit.
      await svc.set(u!.id, 'k0', 'w');
      expect(await svc.get(u!.id, 'k0')).toBe('w');
      expect(await svc.get(u!.id, 'one-more')).toBeUndefined();
    });

    it('goes with the account', async () => {
      const svc = createPrivateDataService({ store: store.privateData });
      const [u] = await storeUsers(store, ['pd']);
      await svc.set(u!.id, 'k', 'v');
      await store.accounts.deleteUser(u!.id);
      expect(await store.privateData.get(u!.id, 'k')).toBeUndefined();
    });
  });
}
