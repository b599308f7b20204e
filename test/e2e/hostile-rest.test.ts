import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBackends } from '../helpers/backends.js';
import { expectJsonError, json, raw, type Res } from '../helpers/http.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * Hostile input on the native REST door: every bad request gets the right
 * status and a JSON error with the right condition; nothing crashes, nothing
 * is polluted, and a good request afterwards is served normally.
 */

const PASSWORD = 'correct horse battery';
const MAX_BODY = 4096;
const MAX_DEPTH = 8;

const backend = storeBackends()[0]!;
type Node = Awaited<ReturnType<typeof startSingle>>;

describe('hostile input on REST', () => {
  let node: Node;
  let token: string;
  let username: string;
  const nodes: Node[] = [];
  const register = async (n: Node, name = uname('rest')) => {
    const res = await raw(
      n.url,
      'POST',
      '/api/v1/accounts',
      json({ username: name, password: PASSWORD }),
    );
    expect(res.status, res.text).toBe(201);
    return (res.body as { token: string }).token;
  };
  const auth = (t = token) => ({ authorization: `Bearer ${t}` });

  beforeAll(async () => {
    node = await startSingle(backend, {
      limits: { max_body_bytes: MAX_BODY, json_max_depth: MAX_DEPTH },
    });
    nodes.push(node);
    username = uname('owner');
    token = await register(node, username);
  });
  afterAll(async () => {
    for (const n of nodes) await n.dispose();
  });

  const post = (path: string, body: unknown, extra?: Record<string, string>) =>
    raw(node.url, 'POST', path, json(body, extra));

  it('a body over max_body_bytes gets 413 payload-too-large, with or without content-length', async () => {
    const body = JSON.stringify({ username: 'a', password: 'p'.repeat(MAX_BODY) });
    expect(
      expectJsonError(await post('/api/v1/sessions', body), 413, 'payload-too-large').text,
    ).toBe(`the request body is larger than ${MAX_BODY} bytes`);
    expectJsonError(
      await raw(node.url, 'POST', '/api/v1/sessions', { ...json(body), chunked: true }),
      413,
      'payload-too-large',
    );
    // With a content-length the server refuses before reading the body.
    expectJsonError(
      await raw(node.url, 'POST', '/api/v1/sessions', { ...json(body), contentLength: true }),
      413,
      'payload-too-large',
    );
    // Just under the limit is parsed (and then judged on its content).
    const fits = JSON.stringify({ username: 'nobody', password: 'p'.repeat(MAX_BODY - 60) });
    expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(MAX_BODY);
    expect((await post('/api/v1/sessions', fits)).status).not.toBe(413);
  });

  it('invalid JSON gets 400 bad-request', async () => {
    for (const body of ['{', 'hello', '{"username":"a",}', "{'a':1}", '{"a":1}{"b":2}']) {
      const err = expectJsonError(await post('/api/v1/sessions', body), 400, 'bad-request');
      expect(err.text).toMatch(/JSON/);
    }
  });

  it('an invalid UTF-8 body gets 400 bad-request', async () => {
    const body = Buffer.concat([
      Buffer.from('{"username":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(`","password":"${PASSWORD}"}`),
    ]);
    const err = expectJsonError(
      await raw(node.url, 'POST', '/api/v1/sessions', {
        headers: { 'content-type': 'application/json' },
        body,
      }),
      400,
      'bad-request',
    );
    expect(err.text).toMatch(/UTF-8/);
  });

  it('deep nesting gets 400 bad-request', async () => {
    const body = `{"username":${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}}`;
    const err = expectJsonError(await post('/api/v1/sessions', body), 400, 'bad-request');
    expect(err.text).toMatch(/nested deeper/);
    expectJsonError(await post('/api/v1/sessions', '['.repeat(MAX_BODY - 1)), 400, 'bad-request');
  });

  it('a body that is not a JSON object gets 400', async () => {
    for (const body of ['[]', '[{"username":"a"}]', '42', '"text"', 'true']) {
      expectJsonError(await post('/api/v1/sessions', body), 400, 'bad-request');
    }
  });

  it('a wrong content type gets 415 unsupported-media-type', async () => {
    const body = JSON.stringify({ username: 'a', password: PASSWORD });
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
    ]) {
      expectJsonError(
        await raw(node.url, 'POST', '/api/v1/sessions', {
          headers: { 'content-type': type },
          body,
        }),
        415,
        'unsupported-media-type',
      );
    }
    expectJsonError(
      await raw(node.url, 'PATCH', '/api/v1/me/profile', {
        headers: { 'content-type': 'text/plain', ...auth() },
        body: 'displayName=x',
      }),
      415,
      'unsupported-media-type',
    );
    // A body without any content type, or a type that only starts like JSON.
    expectJsonError(
      await raw(node.url, 'POST', '/api/v1/sessions', {
        headers: { 'content-length': String(Buffer.byteLength(body)) },
        body,
      }),
      415,
      'unsupported-media-type',
    );
    expectJsonError(
      await raw(node.url, 'POST', '/api/v1/sessions', {
        headers: { 'content-type': 'application/jsonp' },
        body,
      }),
      415,
      'unsupported-media-type',
    );
    // JSON with a charset parameter is fine.
    const ok = await raw(node.url, 'POST', '/api/v1/sessions', {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    expect(ok.status, ok.text).toBe(201);
  });

  it('unknown fields get 400 naming the field', async () => {
    expectJsonError(
      await post('/api/v1/sessions', { username, password: PASSWORD, admin: true }),
      400,
      'bad-request',
      'admin',
    );
    expectJsonError(
      await post('/api/v1/accounts', { username: uname(), password: PASSWORD, role: 'admin' }),
      400,
      'bad-request',
      'role',
    );
    const res = await raw(
      node.url,
      'PATCH',
      '/api/v1/me/profile',
      json({ displayName: 'x', isAdmin: true }, auth()),
    );
    expectJsonError(res, 400, 'bad-request', 'isAdmin');
  });

  it('wrong types get 400 naming the field', async () => {
    expectJsonError(
      await post('/api/v1/sessions', { username: 5, password: PASSWORD }),
      400,
      'bad-request',
      'username',
    );
    expectJsonError(
      await post('/api/v1/sessions', { username, password: ['x'] }),
      400,
      'bad-request',
      'password',
    );
    expectJsonError(await post('/api/v1/sessions', { username }), 400, 'bad-request', 'password');
    expectJsonError(
      await raw(node.url, 'PATCH', '/api/v1/me/profile', json({ searchable: 'yes' }, auth())),
      400,
      'bad-request',
      'searchable',
    );
    expectJsonError(
      await raw(node.url, 'PATCH', '/api/v1/me/profile', json({ birthYear: '1990' }, auth())),
      400,
      'bad-request',
      'birthYear',
    );
  });

  it('over-long strings get 400 naming the field', async () => {
    expectJsonError(
      await post('/api/v1/accounts', { username: 'u'.repeat(33), password: PASSWORD }),
      400,
      'bad-request',
      'username',
    );
    expectJsonError(
      await post('/api/v1/accounts', { username: 'u'.repeat(3000), password: PASSWORD }),
      400,
      'bad-request',
      'username',
    );
    expectJsonError(
      await post('/api/v1/sessions', { username: 'u'.repeat(3000), password: PASSWORD }),
      400,
      'bad-request',
      'username',
    );
    expectJsonError(
      await raw(
        node.url,
        'PATCH',
        '/api/v1/me/profile',
        json({ displayName: 'n'.repeat(65) }, auth()),
      ),
      400,
      'bad-request',
      'displayName',
    );
  });

  it('a missing Authorization header gets 401 not-authenticated', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/me'],
      ['GET', '/api/v1/sessions'],
      ['GET', '/api/v1/directory'],
      ['GET', `/api/v1/users/${username}`],
      ['DELETE', '/api/v1/sessions/current'],
    ] as const) {
      expectJsonError(await raw(node.url, method, path), 401, 'not-authenticated');
    }
  });

  it('a malformed Authorization header or a bad token gets 401 not-authenticated', async () => {
    for (const h of [
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer ',
      `Bearer ${token} extra`,
      token,
      `Token ${token}`,
      'Bearer garbage',
      `Bearer ${'x'.repeat(5000)}`,
    ]) {
      expectJsonError(
        await raw(node.url, 'GET', '/api/v1/me', { headers: { authorization: h } }),
        401,
        'not-authenticated',
      );
    }
    // The real token still works, case of the scheme aside.
    expect(
      (await raw(node.url, 'GET', '/api/v1/me', { headers: { authorization: `bearer ${token}` } }))
        .status,
    ).toBe(200);
  });

  it('an unknown endpoint gets a 404 not-found JSON error', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/api/v1/nope'],
      ['POST', '/api/v1/me'],
      ['PUT', '/api/v1/sessions'],
      ['GET', `/api/v1/${'x'.repeat(4000)}`],
    ] as const) {
      const err = expectJsonError(
        await raw(node.url, method, path, { headers: auth() }),
        404,
        'not-found',
      );
      expect(err.text.length).toBeLessThan(300);
    }
  });

  it('a plain GET of the WebSocket endpoint gets 426 with a protocol error, and / is a status page', async () => {
    const res = await raw(node.url, 'GET', '/api/v1/ws');
    expect(res.status).toBe(426);
    expect(JSON.parse(res.text)).toMatchObject({ error: { condition: 'bad-request' } });
    const home = await raw(node.url, 'GET', '/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Parley is running');
  });

  it('directory query with a non-number where a number goes gets 400 naming it', async () => {
    expectJsonError(
      await raw(node.url, 'GET', '/api/v1/directory?ageMin=abc', { headers: auth() }),
      400,
      'bad-request',
      'ageMin',
    );
    expectJsonError(
      await raw(node.url, 'GET', '/api/v1/directory?limit=1e3', { headers: auth() }),
      400,
      'bad-request',
      'limit',
    );
    expectJsonError(
      await raw(node.url, 'GET', '/api/v1/directory?ageMax=99999999999999999999', {
        headers: auth(),
      }),
      400,
      'bad-request',
      'ageMax',
    );
    expectJsonError(
      await raw(node.url, 'GET', '/api/v1/directory?colour=red', { headers: auth() }),
      400,
      'bad-request',
      'colour',
    );
    const ok = await raw(node.url, 'GET', '/api/v1/directory?ageMin=18&limit=5', {
      headers: auth(),
    });
    expect(ok.status, ok.text).toBe(200);
  });

  it('a repeated query parameter gets 400 naming it', async () => {
    expectJsonError(
      await raw(node.url, 'GET', '/api/v1/directory?name=a&name=b', { headers: auth() }),
      400,
      'bad-request',
      'name',
    );
    expectJsonError(
      await raw(node.url, 'GET', '/api/v1/directory?limit=1&limit=2', { headers: auth() }),
      400,
      'bad-request',
      'limit',
    );
  });

  it('a __proto__ key is refused as an unknown field and pollutes nothing', async () => {
    const body = `{"username":"${uname()}","password":"${PASSWORD}","__proto__":{"admin":true,"polluted":"yes"}}`;
    expectJsonError(await post('/api/v1/accounts', body), 400, 'bad-request', '__proto__');
    expectJsonError(
      await post(
        '/api/v1/sessions',
        `{"username":"${username}","password":"${PASSWORD}","__proto__":{"x":1}}`,
      ),
      400,
      'bad-request',
      '__proto__',
    );
    expectJsonError(
      await raw(
        node.url,
        'PATCH',
        '/api/v1/me/profile',
        json('{"__proto__":{"searchable":false},"constructor":{"prototype":{"x":1}}}', auth()),
      ),
      400,
      'bad-request',
      '__proto__',
    );
    expectJsonError(
      await raw(node.url, 'GET', '/api/v1/directory?__proto__=x', { headers: auth() }),
      400,
      'bad-request',
      '__proto__',
    );
    expectJsonError(
      await raw(node.url, 'GET', '/api/v1/directory?constructor=x', { headers: auth() }),
      400,
      'bad-request',
      'constructor',
    );
    // The server runs in this process: nothing reached the shared prototype.
    expect((Object.prototype as Record<string, unknown>).admin).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).x).toBeUndefined();
    // Later requests behave normally.
    const name = uname('after');
    const t = await register(node, name);
    const me = await raw(node.url, 'GET', '/api/v1/me', { headers: auth(t) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { username: name } });
    expect(me.body).not.toHaveProperty('admin');
    const upd = await raw(
      node.url,
      'PATCH',
      '/api/v1/me/profile',
      json({ displayName: 'Normal' }, auth(t)),
    );
    expect(upd.status, upd.text).toBe(200);
  });

  it('null, empty and missing bodies are judged on content, never crash', async () => {
    expectJsonError(await post('/api/v1/sessions', 'null'), 400, 'bad-request');
    expectJsonError(
      await raw(node.url, 'POST', '/api/v1/sessions', {
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'bad-request',
      'username',
    );
    expectJsonError(
      await raw(node.url, 'POST', '/api/v1/sessions'),
      400,
      'bad-request',
      'username',
    );
  });

  it('still serves after all of the above, without an internal error', async () => {
    const h = await raw(node.url, 'GET', '/healthz');
    expect(h.status).toBe(200);
    expect(h.body).toEqual({ status: 'ok' });
    const me = await raw(node.url, 'GET', '/api/v1/me', { headers: auth() });
    expect(me.status).toBe(200);
    const metrics = await raw(node.url, 'GET', '/metrics');
    expect(metrics.text).toMatch(/parley_errors_total\{condition="bad-request"\}/);
    expect(metrics.text).not.toMatch(/condition="internal-error"/);
  });

  describe('rate limits', () => {
    it('over requests_per_minute_per_address gets 429 rate-limited with Retry-After, on REST and WebSocket', async () => {
      const n = await startSingle(backend, { limits: { requests_per_minute_per_address: 60 } });
      nodes.push(n);
      // burst = max(10, 60/6) = 10, then one per second. Refused requests count too:
      // a flood of bad bodies, unknown endpoints and unauthenticated calls is limited.
      const bad = [
        () => raw(n.url, 'GET', '/api/v1/me'),
        () => raw(n.url, 'POST', '/api/v1/sessions', json('{not json')),
        () => raw(n.url, 'GET', '/api/v1/no-such-thing'),
        () => raw(n.url, 'GET', '/no-such-thing'),
        () =>
          raw(n.url, 'POST', '/api/v1/sessions', {
            headers: { 'content-type': 'text/plain' },
            body: 'x',
          }),
      ];
      const statuses: number[] = [];
      let limited: Res | undefined;
      for (let i = 0; i < 40 && !limited; i++) {
        const res = await bad[i % bad.length]!();
        statuses.push(res.status);
        if (res.status === 429) limited = res;
      }
      expect(limited, `statuses: ${statuses.join(',')}`).toBeDefined();
      expect(statuses.indexOf(429), `statuses: ${statuses.join(',')}`).toBeGreaterThanOrEqual(10);
      expect(new Set(statuses.slice(0, 10))).toEqual(new Set([401, 400, 404, 415]));
      const err = expectJsonError(limited!, 429, 'rate-limited');
      expect(err.retryAfter).toBeGreaterThanOrEqual(1);
      expect(limited!.headers['retry-after']).toBe(String(err.retryAfter));
      // Good requests are limited too: a login is refused before any password work, and a big
      // body is refused before it is read.
      expectJsonError(
        await raw(n.url, 'POST', '/api/v1/sessions', json({ username: 'x', password: PASSWORD })),
        429,
        'rate-limited',
      );
      expectJsonError(
        await raw(n.url, 'POST', '/api/v1/sessions', json('x'.repeat(200_000))),
        429,
        'rate-limited',
      );
      // A WebSocket from the limited address is refused with an error and 4029.
      const ws = new WebSocket(`${n.wsUrl}`);
      const frames: string[] = [];
      ws.on('message', (d: Buffer) => frames.push(d.toString()));
      const code = await new Promise<number>((resolve, reject) => {
        ws.on('close', (c: number) => resolve(c));
        ws.on('error', reject);
        setTimeout(() => reject(new Error('timed out waiting for the close')), 10_000);
      });
      expect(code).toBe(4029);
      expect(JSON.parse(frames[0]!)).toMatchObject({
        type: 'error',
        error: { condition: 'rate-limited' },
      });
      // Health checks are not limited: the server is alive.
      expect((await raw(n.url, 'GET', '/healthz')).status).toBe(200);
    });

    it('after free_failures wrong passwords the next attempt, even with the right password, gets 429', async () => {
      const free = 3;
      const n = await startSingle(backend, { login: { free_failures: free } });
      nodes.push(n);
      const name = uname('victim');
      await register(n, name);
      for (let i = 0; i < free; i++) {
        expectJsonError(
          await raw(
            n.url,
            'POST',
            '/api/v1/sessions',
            json({ username: name, password: 'wrong password' }),
          ),
          401,
          'invalid-credentials',
        );
      }
      const res = await raw(
        n.url,
        'POST',
        '/api/v1/sessions',
        json({ username: name, password: PASSWORD }),
      );
      const err = expectJsonError(res, 429, 'rate-limited');
      expect(err.retryAfter).toBeGreaterThanOrEqual(1);
      expect(res.headers['retry-after']).toBe(String(err.retryAfter));
      // Other accounts from the same address are not locked.
      const other = uname('other');
      await register(n, other);
      expect(
        (
          await raw(
            n.url,
            'POST',
            '/api/v1/sessions',
            json({ username: other, password: PASSWORD }),
          )
        ).status,
      ).toBe(201);
    });

    it('the account-wide throttle is short and spares addresses the owner logged in from', async () => {
      // Trusting 127.0.0.1 as a proxy lets the test speak from several addresses via X-Forwarded-For.
      const n = await startSingle(backend, {
        server: { trusted_proxies: ['127.0.0.1'] },
        login: {
          free_failures: 1000,
          account_failures_per_minute: 3,
          max_delay_seconds_per_account: 5,
        },
      });
      nodes.push(n);
      const name = uname('owner');
      await register(n, name);
      const from = (addr: string, password: string) =>
        raw(
          n.url,
          'POST',
          '/api/v1/sessions',
          json({ username: name, password }, { 'x-forwarded-for': addr }),
        );

      expect((await from('198.51.100.7', PASSWORD)).status).toBe(201); // the owner's usual place
      for (let i = 1; i <= 4; i++)
        expectJsonError(await from(`203.0.113.${i}`, 'wrong password'), 401, 'invalid-credentials');

      // A new address is throttled, for at most max_delay_seconds_per_account...
      const stranger = await from('203.0.113.99', PASSWORD);
      const err = expectJsonError(stranger, 429, 'rate-limited');
      expect(err.retryAfter).toBeGreaterThanOrEqual(1);
      expect(err.retryAfter).toBeLessThanOrEqual(5);
      // ...and the owner's known address is not.
      const owner = await from('198.51.100.7', PASSWORD);
      expect(owner.status, owner.text).toBe(201);
    });
  });
});
