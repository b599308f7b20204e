import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { expectJsonError, raw } from '../helpers/http.js';
import { startSingle } from '../helpers/server.js';

/**
 * What the HTTP door answers before any operation runs: who may read /metrics,
 * upgrades to paths that are not the WebSocket, connections per address, the
 * errors Node's parser raises, and caching of API answers.
 */
type Node = Awaited<ReturnType<typeof startSingle>>;

/** A raw TCP connection that collects everything the server sends until it closes. */
function rawSocket(
  url: string,
): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect({ host: u.hostname, port: Number(u.port) }, () =>
      resolve({ socket, received: () => data, closed }),
    );
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    socket.on('error', reject);
  });
}

/** Sends `text` on a fresh connection and returns all the server sent before closing it. */
async function exchange(url: string, text: string): Promise<string> {
  const c = await rawSocket(url);
  c.socket.write(text);
  await c.closed;
  return c.received();
}

function parseResponse(text: string) {
  const [head, body] = text.split('\r\n\r\n') as [string, string];
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  return {
    status,
    head: head.toLowerCase(),
    body: JSON.parse(body) as { error?: { condition: string; text: string } },
  };
}

/** A WebSocket's first frame and its close code. */
function wsOutcome(url: string): Promise<{ frames: string[]; code: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames: string[] = [];
    ws.on('message', (d: Buffer) => frames.push(d.toString()));
    ws.on('close', (code) => resolve({ frames, code }));
    ws.on('error', reject);
  });
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`HTTP guards (${backend.name})`, () => {
    const nodes: Node[] = [];
    const start = async (config: Parameters<typeof startSingle>[1]) => {
      const n = await startSingle(backend, config);
      nodes.push(n);
      return n;
    };
    afterAll(async () => {
      for (const n of nodes) await n.dispose();
    });

    it('/metrics is served to this machine by default, and refused to others in the protocol shape', async () => {
      const local = await start({});
      expect((await raw(local.url, 'GET', '/metrics')).status).toBe(200);
      // Through a proxy Parley was not told to trust, 127.0.0.1 is not believed.
      const proxied = await raw(local.url, 'GET', '/metrics', {
        headers: { 'x-forwarded-for': '203.0.113.1' },
      });
      expectJsonError(proxied, 403, 'forbidden');

      const elsewhere = await start({ metrics: { allow: ['10.0.0.1'] } });
      expectJsonError(await raw(elsewhere.url, 'GET', '/metrics'), 403, 'forbidden');

      // Through a trusted proxy, the forwarded client is the one checked.
      const behind = await start({ server: { trusted_proxies: ['127.0.0.1'] } });
      const remote = await raw(behind.url, 'GET', '/metrics', {
        headers: { 'x-forwarded-for': '203.0.113.1' },
      });
      expectJsonError(remote, 403, 'forbidden');
      const local2 = await raw(behind.url, 'GET', '/metrics', {
        headers: { 'x-forwarded-for': '127.0.0.1' },
      });
      expect(local2.status).toBe(200);
    });

    it('/metrics with metrics.token: the right bearer token reads from anywhere, a wrong one does not', async () => {
      const n = await start({ metrics: { allow: [], token: 'scrape-me-please' } });
      expectJsonError(await raw(n.url, 'GET', '/metrics'), 403, 'forbidden');
      const wrong = await raw(n.url, 'GET', '/metrics', {
        headers: { authorization: 'Bearer nope' },
      });
      expectJsonError(wrong, 403, 'forbidden');
      const right = await raw(n.url, 'GET', '/metrics', {
        headers: { authorization: 'Bearer scrape-me-please' },
      });
      expect(right.status).toBe(200);
      expect(right.text).toMatch(/parley_connections/);
    });

    it('/metrics counts toward the per-address limit', async () => {
      const n = await start({ limits: { requests_per_minute_per_address: 60 } });
      let res = await raw(n.url, 'GET', '/metrics');
      for (let i = 0; i < 50 && res.status === 200; i++) res = await raw(n.url, 'GET', '/metrics');
      expectJsonError(res, 429, 'rate-limited');
    });

    it('an upgrade to a path that is not the WebSocket gets 404 in the protocol shape and is closed at once', async () => {
      const n = await start({});
      for (const path of ['/', '/api/v1/server', '/api/v1/nope']) {
        const text = await exchange(
          n.url,
          `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
            'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        );
        const r = parseResponse(text);
        expect(r.status, text).toBe(404);
        expect(r.body.error?.condition).toBe('not-found');
      }
      // The WebSocket itself still works.
      const ws = new WebSocket(n.wsUrl);
      const hello = await new Promise<string>((r) =>
        ws.once('message', (d: Buffer) => r(d.toString())),
      );
      expect(JSON.parse(hello)).toMatchObject({ type: 'hello' });
      ws.close();
    });

    it('caps open connections per address: HTTP gets 429, a WebSocket close 4029', async () => {
      const n = await start({ limits: { connections_per_address: 3 } });
      const held = [await rawSocket(n.url), await rawSocket(n.url), await rawSocket(n.url)];
      const refused = parseResponse(
        await exchange(n.url, 'GET /api/v1/server HTTP/1.1\r\nHost: x\r\n\r\n'),
      );
      expect(refused.status).toBe(429);
      expect(refused.body.error?.condition).toBe('rate-limited');
      expect(refused.head).toMatch(/\r\nconnection: close/);

      const ws = await wsOutcome(n.wsUrl);
      expect(ws.code).toBe(4029);
      expect(JSON.parse(ws.frames[0]!)).toMatchObject({
        type: 'error',
        error: { condition: 'rate-limited', text: 'too many open connections from your address' },
      });

      // A closed connection gives its slot back (the server notices the close on its own time).
      held[0]!.socket.destroy();
      let res = await raw(n.url, 'GET', '/api/v1/server', { freshConnection: true });
      while (res.status === 429)
        res = await raw(n.url, 'GET', '/api/v1/server', { freshConnection: true });
      expect(res.status).toBe(200);
      for (const h of held) h.socket.destroy();
    });

    it('errors from the HTTP parser come in the protocol shape: 400, 431, 408', async () => {
      const n = await start({});
      const bad = parseResponse(await exchange(n.url, 'THIS IS NOT HTTP\r\n\r\n'));
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ condition: 'bad-request' });

      const big = parseResponse(
        await exchange(n.url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
      );
      expect(big.status).toBe(431);
      expect(big.body.error).toMatchObject({
        condition: 'bad-request',
        text: 'the request headers are too large',
      });

      // Node raises the timeout only after its 30 s check; raise it on a real socket instead.
      const server = n.parley.http.app.server;
      const accepted = new Promise<Socket>((r) => server.once('connection', r));
      const c = await rawSocket(n.url);
      c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
      const err = Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
      server.emit('clientError', err, await accepted);
      await c.closed;
      const timedOut = parseResponse(c.received());
      expect(timedOut.status).toBe(408);
      expect(timedOut.body.error).toMatchObject({ condition: 'bad-request' });
    });

    it('API answers say Cache-Control: no-store, errors included; the home page does not', async () => {
      const n = await start({});
      expect((await raw(n.url, 'GET', '/api/v1/server')).headers['cache-control']).toBe('no-store');
      expect((await raw(n.url, 'GET', '/api/v1/me')).headers['cache-control']).toBe('no-store');
      expect((await raw(n.url, 'GET', '/api/v1/nope')).headers['cache-control']).toBe('no-store');
      expect((await raw(n.url, 'GET', '/')).headers['cache-control']).not.toBe('no-store');
    });
  });
}
