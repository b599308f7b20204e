import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import type { SessionPresence } from '../../src/core/presence/store.js';
import type { Store } from '../../src/core/store.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';

/** Per-session presence rows on every store backend: kept with the node's aggregate, gone with the node. */
for (const backend of everyStoreBackend()) {
  describeOn(backend)(`presence resources store (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ store, dispose } = await openTestStore(backend));
    });
    afterAll(async () => dispose?.());

    it('resourcesOf lists the sessions of live nodes; an update replaces them; null removes them', async () => {
      const t = randomBytes(6).toString('hex');
      const userId = newId();
      await store.accounts.createUser({
        id: userId,
        username: `res${t}`,
        passwordHash: 'x',
        createdAt: Date.now(),
        disabled: false,
      });
      const [live, dead] = [`live-${t}`, `dead-${t}`];
      const now = Date.now();
      await store.presence.heartbeat(live, now);
      await store.presence.heartbeat(dead, now - 60_000);
      const r = (key: string, resource: string, priority = 0): SessionPresence => ({
        sessionKey: key,
        resource,
        show: 'away',
        status: 'out',
        priority,
        since: 5,
      });
      await store.presence.setNodePresence(userId, live, {
        show: 'away',
        status: 'out',
        since: 5,
        resources: [r(`${live}/c1`, 'phone', 5), r(`${live}/c2`, 'laptop', -1)],
      });
      await store.presence.setNodePresence(userId, dead, {
        show: 'away',
        status: 'out',
        since: 5,
        resources: [r(`${dead}/c3`, 'old')],
      });
      const alive = now - 30_000;
      expect(await store.presence.resourcesOf(userId, alive)).toEqual([
        r(`${live}/c1`, 'phone', 5),
        r(`${live}/c2`, 'laptop', -1),
      ]);
      await store.presence.setNodePresence(userId, live, {
        show: 'away',
        status: 'out',
        since: 5,
        resources: [r(`${live}/c2`, 'laptop')],
      });
      expect(await store.presence.resourcesOf(userId, alive)).toEqual([r(`${live}/c2`, 'laptop')]);
      await store.presence.setNodePresence(userId, live, null);
      expect(await store.presence.resourcesOf(userId, alive)).toEqual([]);
      await store.presence.removeNode(live);
      await store.presence.removeNode(dead);
    });
  });
}
