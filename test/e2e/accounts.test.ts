import { afterAll, beforeAll, expect, it } from 'vitest';
import { ParleyApiError } from '../../src/sdk/errors.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`accounts over REST and WebSocket (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend);
    });
    afterAll(async () => {
      await node?.dispose();
    });

    it('registers, logs in over REST and over the WebSocket, and reads /me', async () => {
      const name = uname('alice');
      const a = node.client();
      const reg = await a.register(name.toUpperCase(), 'correct horse battery', {
        device: 'laptop',
      });
      expect(reg.user.username).toBe(name);
      expect(reg.token).toMatch(/^pt_/);

      const b = node.client();
      const login = await b.login(name, 'correct horse battery', 'phone');
      expect(login.session.device).toBe('phone');
      const me = await b.me();
      expect(me.user.username).toBe(name);
      expect(me.session.device).toBe('phone');

      const ws = await node.client().connect({ authenticate: false });
      const viaWs = await ws.request<{ token: string; user: { username: string } }>(
        'session.login',
        { username: name, password: 'correct horse battery', device: 'ws' },
      );
      expect(viaWs.user.username).toBe(name);
      const wsMe = await ws.request<{ session: { device: string } }>('me.get');
      expect(wsMe.session.device).toBe('ws');
      ws.close();

      const { sessions } = await b.sessions();
      expect(sessions.map((s) => s.device).sort()).toEqual(['laptop', 'phone', 'ws']);
    });

    it('refuses a wrong password with invalid-credentials and a taken name with conflict', async () => {
      const name = uname('bob');
      await node.client().register(name, 'password123');
      await expect(node.client().login(name, 'wrong-password')).rejects.toMatchObject({
        condition: 'invalid-credentials',
        status: 401,
      });
      await expect(node.client().register(name, 'password123')).rejects.toMatchObject({
        condition: 'conflict',
      });
      await expect(node.client().register('admin', 'password123')).rejects.toMatchObject({
        condition: 'conflict',
        field: 'username',
      });
      await expect(node.client().register('bad name', 'password123')).rejects.toBeInstanceOf(
        ParleyApiError,
      );
      await expect(node.client().register(uname(), 'short')).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'password',
      });
    });
  });
}
