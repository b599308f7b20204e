import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`devices, logout, password change, deletion (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend);
    });
    afterAll(async () => {
      await node?.dispose();
    });

    it('lists own sessions and revokes one, closing its live connection with 4002', async () => {
      const name = uname('dev');
      const laptop = node.client();
      await laptop.register(name, 'password123', { device: 'laptop' });
      const phone = node.client();
      const phoneLogin = await phone.login(name, 'password123', 'phone');
      const phoneWs = await phone.connect();
      const revokedEvent = phoneWs.next('session.revoked');

      const list = await laptop.sessions();
      expect(list.sessions.map((s) => s.device).sort()).toEqual(['laptop', 'phone']);
      expect(list.sessions.every((s) => s.lastAddress === '127.0.0.1')).toBe(true);
      await laptop.revokeSession(phoneLogin.session.id);

      expect((await revokedEvent).sessionIds).toEqual([phoneLogin.session.id]);
      expect((await phoneWs.closed).code).toBe(4002);
      await expect(phone.me()).rejects.toMatchObject({
        condition: 'not-authenticated',
        status: 401,
      });
      await expect(laptop.revokeSession(phoneLogin.session.id)).rejects.toMatchObject({
        condition: 'not-found',
      });

      // Someone else's session id is "not found", never revoked.
      const other = node.client();
      await other.register(uname('other'), 'password123');
      await expect(other.revokeSession(list.current)).rejects.toMatchObject({
        condition: 'not-found',
      });
      expect((await laptop.me()).user.username).toBe(name);
    });

    it('logout ends only this session', async () => {
      const name = uname('out');
      const a = node.client();
      await a.register(name, 'password123');
      const b = node.client();
      await b.login(name, 'password123');
      const token = a.token!;
      await a.logout();
      await expect(node.client(token).me()).rejects.toMatchObject({
        condition: 'not-authenticated',
      });
      expect((await b.me()).user.username).toBe(name);
    });

    it('changing the password signs out the other sessions but keeps this one', async () => {
      const name = uname('pw');
      const a = node.client();
      await a.register(name, 'password123');
      const b = node.client();
      await b.login(name, 'password123');
      const bWs = await b.connect();
      await expect(a.changePassword('wrong-one', 'new-password-1')).rejects.toMatchObject({
        condition: 'invalid-credentials',
      });
      await expect(a.changePassword('password123', 'short')).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'newPassword',
      });
      await a.changePassword('password123', 'new-password-1');
      expect((await bWs.closed).code).toBe(4002);
      await expect(b.me()).rejects.toMatchObject({ condition: 'not-authenticated' });
      expect((await a.me()).user.username).toBe(name);
      await expect(node.client().login(name, 'password123')).rejects.toMatchObject({
        condition: 'invalid-credentials',
      });
      await node.client().login(name, 'new-password-1');
    });

    it('deleting the account removes it, its profile and every session; the name can be used again', async () => {
      const name = uname('del');
      const a = node.client();
      await a.register(name, 'password123');
      await a.updateProfile({ city: 'Gone', displayName: 'Soon Gone' });
      const b = node.client();
      await b.login(name, 'password123');
      const ws = await b.connect();
      await expect(a.deleteAccount('wrong-password')).rejects.toMatchObject({
        condition: 'invalid-credentials',
      });
      await a.deleteAccount('password123');
      expect((await ws.closed).code).toBe(4002);
      await expect(b.me()).rejects.toMatchObject({ condition: 'not-authenticated' });
      await expect(node.client().login(name, 'password123')).rejects.toMatchObject({
        condition: 'invalid-credentials',
      });
      const s = node.client();
      await s.register(uname('seeker'), 'password123');
      expect((await s.search({ username: name })).results).toEqual([]);
      expect(await node.parley.store.profiles.profileByUsername(name)).toBeUndefined();
      const again = await node.client().register(name, 'password456');
      expect((await node.client(again.token).me()).profile.city).toBe('');
    });

    it('WebSocket auth with a token, and a revoked token is refused', async () => {
      const name = uname('wsa');
      const a = node.client();
      await a.register(name, 'password123');
      const ws = await a.connect();
      const me = await ws.request<{ user: { username: string } }>('me.get');
      expect(me.user.username).toBe(name);
      await expect(ws.request('auth', { token: a.token! })).rejects.toMatchObject({
        condition: 'bad-request',
      });
      ws.close();
      const token = a.token!;
      await a.logout();
      await expect(node.client(token).connect()).rejects.toMatchObject({
        condition: 'not-authenticated',
      });
    });
  });

  describeOn(backend)(`signing out over the WebSocket (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend);
    });
    afterAll(async () => {
      await node?.dispose();
    });

    it('session.logout and account.delete are answered before the connection closes with 4002', async () => {
      const a = node.client();
      await a.register(uname('wso'), 'password123');
      const ws = await a.connect();
      await expect(ws.request('session.logout')).resolves.toEqual({});
      expect((await ws.closed).code).toBe(4002);

      const b = node.client();
      const name = uname('wsd');
      await b.register(name, 'password123');
      const ws2 = await b.connect();
      await expect(ws2.request('account.delete', { password: 'password123' })).resolves.toEqual({});
      expect((await ws2.closed).code).toBe(4002);
      await expect(node.client().login(name, 'password123')).rejects.toMatchObject({
        condition: 'invalid-credentials',
      });
    });

    it('a connection made before a password change checks the new password, not the old one', async () => {
      const a = node.client();
      const name = uname('wsp');
      await a.register(name, 'password123');
      const ws = await a.connect();
      // The same session changes its password over REST: this connection stays open.
      await a.changePassword('password123', 'new-password-1');
      await expect(ws.request('account.delete', { password: 'password123' })).rejects.toMatchObject(
        { condition: 'invalid-credentials' },
      );
      await node.client().login(name, 'new-password-1');
      await expect(ws.request('account.delete', { password: 'new-password-1' })).resolves.toEqual(
        {},
      );
      expect((await ws.closed).code).toBe(4002);
    });

    it('a request queued behind session.logout does not run as the signed-out session', async () => {
      const a = node.client();
      await a.register(uname('q'), 'password123');
      const ws = await a.connect();
      const [logout, me] = await Promise.allSettled([
        ws.request('session.logout'),
        ws.request('me.get'),
      ]);
      expect(logout.status).toBe('fulfilled');
      expect(me).toMatchObject({ status: 'rejected', reason: { condition: 'not-authenticated' } });
    });

    it('any password that can be set can log in (lengths count characters, not UTF-16 units)', async () => {
      const name = uname('emoji');
      const pw = '🔑'.repeat(600);
      await node.client().register(name, pw);
      expect((await node.client().login(name, pw)).user.username).toBe(name);
      await expect(node.client().register(uname(), '🔑'.repeat(1025))).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'password',
      });
    });

    it('a token in the upgrade request authenticates, and the hello says who it is', async () => {
      const a = node.client();
      const reg = await a.register(uname('hdr'), 'password123');
      const WebSocket = (await import('ws')).default;
      const ws = new WebSocket(node.wsUrl, { headers: { authorization: `Bearer ${reg.token}` } });
      const hello = JSON.parse(String(await new Promise((r) => ws.once('message', r)))) as Record<
        string,
        unknown
      >;
      expect(hello).toMatchObject({
        type: 'hello',
        protocol: 1,
        user: { username: reg.user.username },
        session: { id: reg.session.id },
      });
      ws.close();
    });

    it('password checks by a signed-in session are throttled like logins', async () => {
      const n = await startSingle(backend, { login: { free_failures: 2 } });
      try {
        const a = n.client();
        await a.register(uname('thr'), 'password123');
        for (let i = 0; i < 2; i++)
          await expect(a.changePassword('guess-guess', 'new-password-1')).rejects.toMatchObject({
            condition: 'invalid-credentials',
          });
        const limited = await a
          .changePassword('password123', 'new-password-1')
          .catch((e: unknown) => e);
        expect(limited).toMatchObject({ condition: 'rate-limited', status: 429 });
        expect((limited as { retryAfter: number }).retryAfter).toBeGreaterThanOrEqual(1);
        await expect(a.deleteAccount('password123')).rejects.toMatchObject({
          condition: 'rate-limited',
        });
      } finally {
        await n.dispose();
      }
    });
  });

  describeOn(backend)(`registration policy (${backend.name})`, () => {
    it('closed refuses sign-ups with registration-closed', async () => {
      const node = await startSingle(backend, { registration: { policy: 'closed' } });
      try {
        await expect(node.client().register(uname(), 'password123')).rejects.toMatchObject({
          condition: 'registration-closed',
          status: 403,
        });
      } finally {
        await node.dispose();
      }
    });
  });
}
