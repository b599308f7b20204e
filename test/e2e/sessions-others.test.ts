import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { ircLogin, ircPort } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * "Sign out all other devices" (`sessions.revokeOthers`, docs/protocol.md 5.6a):
 * every other token session and connection-scoped login ends; this one stays,
 * and another user's sessions are untouched.
 */
const PASSWORD = 'password123';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`signing out other devices (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend);
    });
    afterAll(async () => {
      await node?.dispose();
    });

    it('ends every other session and IRC login of mine, and keeps this one', async () => {
      const name = uname('oth');
      const laptop = node.client();
      const mine = await laptop.register(name, PASSWORD, { device: 'Firefox on Linux' });
      const phone = node.client();
      await phone.login(name, PASSWORD, 'Safari on iPhone');
      const tablet = node.client();
      await tablet.login(name, PASSWORD, 'Chrome on Android');
      const phoneWs = await phone.connect();
      const laptopWs = await laptop.connect();
      const irc = await ircLogin(ircPort(node), name, PASSWORD);
      // Someone else is not touched.
      const stranger = node.client();
      await stranger.register(uname('str'), PASSWORD);

      expect(await laptop.revokeOtherSessions()).toBe(2);
      expect((await phoneWs.closed).code).toBe(4002);
      await irc.whenClosed();
      await expect(tablet.me()).rejects.toMatchObject({ status: 401 });
      const left = await laptop.sessions();
      expect(left.sessions.map((s) => s.id)).toEqual([mine.session.id]);
      // This device carries on, its live connection too.
      expect((await laptopWs.request<{ time: number }>('ping')).time).toEqual(expect.any(Number));
      expect((await stranger.me()).user.username).toMatch(/^str/);
      // Nothing left to sign out: zero, not an error.
      expect(await laptop.revokeOtherSessions()).toBe(0);
      laptopWs.close();
    });
  });
}
