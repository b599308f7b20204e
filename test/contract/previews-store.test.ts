import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../src/core/store.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';
import { storeUsers } from '../helpers/store-fixtures.js';

/**
 * The link preview cache and the per-person switch (core/previews over
 * PreviewStore) on every backend: answers and failures by URL until they
 * expire, replaced in place, swept by expiry; the switch defaults to on.
 */
for (const backend of everyStoreBackend()) {
  describeOn(backend)(`link preview store contract (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ store, dispose } = await openTestStore(backend));
    });
    afterAll(() => dispose());

    it('keeps answers and failures until they expire, replaced in place', async () => {
      const s = store.previews;
      const url = `https://example.org/${Math.random()}`;
      await s.put({ url, error: 'timeout', fetchedAt: 1000, expiresAt: 2000 });
      expect(await s.get(url, 1500)).toEqual({
        url,
        error: 'timeout',
        fetchedAt: 1000,
        expiresAt: 2000,
      });
      expect(await s.get(url, 2000)).toBeUndefined();
      await s.put({ url, data: '{"url":"x"}', fetchedAt: 3000, expiresAt: 9_000_000_000_000 });
      expect(await s.get(url, 3001)).toEqual({
        url,
        data: '{"url":"x"}',
        fetchedAt: 3000,
        expiresAt: 9_000_000_000_000,
      });
      const old = `https://example.org/old-${Math.random()}`;
      await s.put({ url: old, error: 'not-html', fetchedAt: 1, expiresAt: 10 });
      expect(await s.sweep(100)).toBeGreaterThanOrEqual(1);
      await s.put({ url: old, data: '{}', fetchedAt: 1, expiresAt: 10 });
      expect(await s.get(old, 5)).toMatchObject({ data: '{}' });
      expect(await s.get(url, 3001)).toMatchObject({ data: '{"url":"x"}' });
    });

    it('remembers who switched previews off, on by default', async () => {
      const [a, b] = await storeUsers(store, ['lpa', 'lpb']);
      expect(await store.previews.enabledFor(a!.id)).toBe(true);
      await store.previews.setEnabledFor(a!.id, false);
      expect(await store.previews.enabledFor(a!.id)).toBe(false);
      expect(await store.previews.enabledFor(b!.id)).toBe(true);
      await store.previews.setEnabledFor(a!.id, true);
      expect(await store.previews.enabledFor(a!.id)).toBe(true);
    });
  });
}
