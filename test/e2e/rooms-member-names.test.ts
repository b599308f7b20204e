import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/** Issue 15, bug 15: a member list shows people by the names they chose. */
for (const backend of everyStoreBackend()) {
  describeOn(backend)(`rooms.members display names (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend);
    });
    afterAll(async () => {
      await node?.dispose();
    });

    it('carries a display name only for those who set one', async () => {
      const a = node.client();
      const b = node.client();
      const an = uname('n');
      const bn = uname('n');
      await a.register(an, 'password123');
      await b.register(bn, 'password123');
      await a.updateProfile({ displayName: 'Alice <b>Liddell</b>' });
      const room = `names${process.pid % 1000}`;
      await a.rooms.create(room);
      await b.rooms.join(room);
      const { members } = await b.rooms.members(room);
      const byName = Object.fromEntries(members.map((m) => [m.username, m]));
      expect(byName[an]?.displayName).toBe('Alice <b>Liddell</b>');
      expect(byName[bn]).not.toHaveProperty('displayName');
    });
  });
}
