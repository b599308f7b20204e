import WebSocket from 'ws';
import { afterAll, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

type Node = Awaited<ReturnType<typeof startSingle>>;

/** One request over a fresh WebSocket, before any `auth`: the frames after the hello. */
async function overWebSocket(node: Node, frames: unknown[]): Promise<Record<string, unknown>[]> {
  const ws = new WebSocket(node.wsUrl);
  const got: Record<string, unknown>[] = [];
  const done = new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      got.push(JSON.parse(data.toString()) as Record<string, unknown>);
      if (got.length === frames.length + 1) resolve();
    });
    ws.on('error', reject);
    setTimeout(() => reject(new Error(`only ${got.length} frames arrived`)), 5000);
  });
  ws.on('open', () => {
    for (const f of frames) ws.send(JSON.stringify(f));
  });
  await done;
  ws.close();
  expect(got[0]).toMatchObject({ type: 'hello' });
  return got.slice(1);
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`server.info (${backend.name})`, () => {
    const nodes: Node[] = [];
    afterAll(async () => {
      for (const n of nodes) await n.dispose();
    });

    it('tells anyone the version and the registration policy, and the policy is what sign-up does', async () => {
      const open = await startSingle(backend);
      const invite = await startSingle(backend, { registration: { policy: 'invite' } });
      const closed = await startSingle(backend, { registration: { policy: 'closed' } });
      nodes.push(open, invite, closed);

      expect(await open.client().server()).toEqual({
        software: 'parley',
        version: VERSION,
        registration: 'open',
        minPasswordLength: 8,
      });
      expect((await invite.client().server()).registration).toBe('invite');
      expect((await closed.client().server()).registration).toBe('closed');

      await expect(open.client().register(uname('si'), 'password123')).resolves.toBeTruthy();
      await expect(invite.client().register(uname('si'), 'password123')).rejects.toMatchObject({
        condition: 'invalid-invite',
      });
      await expect(closed.client().register(uname('si'), 'password123')).rejects.toMatchObject({
        condition: 'registration-closed',
      });
    });

    it('tells the minimum password length, and it is what setting a password checks', async () => {
      const node = await startSingle(backend, { registration: { min_password_length: 6 } });
      nodes.push(node);
      expect((await node.client().server()).minPasswordLength).toBe(6);
      await expect(node.client().register(uname('pw'), 'sesam')).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'password',
        message: 'password must be at least 6 characters',
      });
      const name = uname('pw');
      const c = node.client();
      await c.register(name, 'sesame');
      await expect(c.changePassword('sesame', 'short')).rejects.toMatchObject({
        field: 'newPassword',
        message: 'newPassword must be at least 6 characters',
      });
      await c.changePassword('sesame', 'sesame2');
      await expect(node.client().login(name, 'sesame2')).resolves.toBeTruthy();

      const one = await startSingle(backend, { registration: { min_password_length: 1 } });
      nodes.push(one);
      expect((await one.client().server()).minPasswordLength).toBe(1);
      await expect(one.client().register(uname('pw'), '')).rejects.toMatchObject({
        message: 'password must be at least 1 character',
      });
      await expect(one.client().register(uname('pw'), 'x')).resolves.toBeTruthy();
    });

    it('needs no sign-in: a bad token, a query or a body change nothing; other methods are 404', async () => {
      const node = await startSingle(backend, { registration: { policy: 'invite' } });
      nodes.push(node);
      const url = `${node.url}/api/v1/server`;
      const res = await fetch(`${url}?registration=open&__proto__=x`, {
        headers: { authorization: 'Bearer not-a-token-at-all' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject({ registration: 'invite', version: VERSION });

      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const r = await fetch(url, {
          method,
          headers: { 'content-type': 'application/json' },
          body: '{"registration":"open"}',
        });
        expect(r.status, method).toBe(404);
        expect(await r.json()).toMatchObject({ error: { condition: 'not-found' } });
      }
      expect((await node.client().server()).registration).toBe('invite');
    });

    it('answers over the WebSocket before auth; unknown fields are refused', async () => {
      const node = await startSingle(backend, { registration: { policy: 'closed' } });
      nodes.push(node);
      const [good, bad, after] = await overWebSocket(node, [
        { id: 'a', type: 'server.info' },
        { id: 'b', type: 'server.info', data: { registration: 'open' } },
        { id: 'c', type: 'server.info', data: {} },
      ]);
      expect(good).toEqual({
        type: 'reply',
        re: 'a',
        ok: true,
        data: {
          software: 'parley',
          version: VERSION,
          registration: 'closed',
          minPasswordLength: 8,
        },
      });
      expect(bad).toMatchObject({
        type: 'reply',
        re: 'b',
        ok: false,
        error: { condition: 'bad-request', field: 'registration' },
      });
      expect(after).toMatchObject({ re: 'c', ok: true, data: { registration: 'closed' } });
    });
  });
}
