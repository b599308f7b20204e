import { Writable } from 'node:stream';
import pino from 'pino';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import { createParley } from '../../src/main.js';
import { storeBackends } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * Hostile input on the native WebSocket door: every bad frame gets a clear
 * error with the right condition, and the connection keeps working; only the
 * hard limits (oversize beyond 4x, no auth, sustained abuse, slow reader)
 * close it, with the documented codes. The server survives all of it.
 */

interface WireError {
  condition: string;
  text: string;
  field?: string;
  retryAfter?: number;
}
interface Frame {
  type: string;
  re?: string | number | null;
  ok?: boolean;
  data?: Record<string, unknown>;
  error?: WireError;
  [k: string]: unknown;
}

const WAIT_MS = 10_000;

/** A raw WebSocket client that keeps every frame in order, so a test sees exactly what the server sent. */
class RawClient {
  readonly ws: WebSocket;
  private readonly inbox: Frame[] = [];
  private readonly waiters: ((f: Frame) => void)[] = [];
  private seq = 0;
  closeInfo: { code: number; reason: string } | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;
  hello!: Frame;

  private constructor(url: string, headers?: Record<string, string>) {
    this.ws = new WebSocket(url, headers ? { headers } : {});
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      const text = data.toString('utf8');
      let frame: Frame;
      try {
        frame = JSON.parse(text) as Frame;
      } catch {
        frame = { type: '!unparseable', raw: text, binary: isBinary };
      }
      const w = this.waiters.shift();
      if (w) w(frame);
      else this.inbox.push(frame);
    });
    this.ws.on('error', () => {});
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code: number, reason: Buffer) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      }),
    );
  }

  static async open(
    url: string,
    opts: { headers?: Record<string, string>; skipHello?: boolean } = {},
  ): Promise<RawClient> {
    const c = new RawClient(url, opts.headers);
    OPEN.add(c);
    await within(
      new Promise<void>((resolve, reject) => {
        c.ws.once('open', () => resolve());
        c.ws.once('error', reject);
      }),
      'the WebSocket to open',
    );
    if (!opts.skipHello) {
      c.hello = await c.next();
      expect(c.hello).toMatchObject({ type: 'hello', protocol: 1 });
    }
    return c;
  }

  /** The next frame from the server, in order. */
  next(ms = WAIT_MS): Promise<Frame> {
    const f = this.inbox.shift();
    if (f) return Promise.resolve(f);
    return within(
      new Promise<Frame>((resolve) => this.waiters.push(resolve)),
      'a frame from the server',
      ms,
    );
  }

  pending(): number {
    return this.inbox.length;
  }

  raw(data: string | Buffer, opts: { binary?: boolean } = {}): void {
    this.ws.send(data, { binary: opts.binary ?? false });
  }

  frame(obj: unknown): void {
    this.raw(JSON.stringify(obj));
  }

  /** Sends a request and returns the next frame, which must be its reply. */
  async request(type: string, data?: unknown): Promise<Frame> {
    const id = `r${++this.seq}`;
    this.frame(data === undefined ? { id, type } : { id, type, data });
    const f = await this.next();
    expect(f, `reply to ${type}`).toMatchObject({ type: 'reply', re: id });
    return f;
  }

  /** A valid ping gets its ordinary reply: the connection is still usable. */
  async expectUsable(): Promise<void> {
    expect(this.closeInfo, 'the connection should still be open').toBeUndefined();
    const f = await this.request('ping');
    expect(f.ok).toBe(true);
    expect(typeof f.data?.time).toBe('number');
    expect(this.pending(), 'no unexpected frames').toBe(0);
  }

  async waitClosed(ms = WAIT_MS): Promise<{ code: number; reason: string }> {
    return within(this.closed, 'the server to close the connection', ms);
  }
}

const OPEN = new Set<RawClient>();

async function within<T>(p: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The next frame is a frame-level error (no request id) with this condition. */
async function expectErrorFrame(c: RawClient, condition: string, field?: string): Promise<Frame> {
  const f = await c.next();
  expect(f.type, JSON.stringify(f)).toBe('error');
  expect(f).not.toHaveProperty('re');
  expect(f.error?.condition, JSON.stringify(f)).toBe(condition);
  expect(typeof f.error?.text).toBe('string');
  if (field !== undefined) expect(f.error?.field).toBe(field);
  return f;
}

/** The next frame is a failed reply to `re` with this condition. */
async function expectErrorReply(
  c: RawClient,
  re: string | number | null,
  condition: string,
  field?: string,
): Promise<Frame> {
  const f = await c.next();
  expect(f, JSON.stringify(f)).toMatchObject({
    type: 'reply',
    re,
    ok: false,
    error: { condition },
  });
  if (field !== undefined) expect(f.error?.field).toBe(field);
  return f;
}

async function metricsText(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

const backend = storeBackends()[0]!;
type Node = Awaited<ReturnType<typeof startSingle>>;

const MAX_FRAME = 16_384;
const MAX_DEPTH = 8;

afterEach(() => {
  for (const c of OPEN) c.ws.terminate();
  OPEN.clear();
});

describe('hostile input on the WebSocket', () => {
  let node: Node;
  const nodes: Node[] = [];
  beforeAll(async () => {
    node = await startSingle(backend, {
      limits: {
        json_max_depth: MAX_DEPTH,
      },
      native: {
        max_frame_bytes: MAX_FRAME,
        bad_frames_before_close: 10_000,
      },
    });
    nodes.push(node);
  });
  afterAll(async () => {
    for (const n of nodes) await n.dispose();
  });

  const open = (opts?: { headers?: Record<string, string> }) => RawClient.open(node.wsUrl, opts);

  /** A registered user on a raw connection (account.register authenticates the connection). */
  async function registered(c: RawClient): Promise<{ username: string; token: string }> {
    const username = uname('ws');
    const f = await c.request('account.register', { username, password: 'correct horse battery' });
    expect(f.ok, JSON.stringify(f)).toBe(true);
    return { username, token: (f.data as { token: string }).token };
  }

  it('announces itself with hello and the frame limit', async () => {
    const c = await open();
    expect(c.hello).toMatchObject({
      type: 'hello',
      protocol: 1,
      server: 'parley',
      maxFrameBytes: MAX_FRAME,
    });
    await c.expectUsable();
  });

  it('a frame over max_frame_bytes gets payload-too-large; one exactly at the limit is served', async () => {
    const c = await open();
    const head = '{"id":"big","type":"ping"}';
    c.raw(head + ' '.repeat(MAX_FRAME + 1 - head.length));
    const f = await expectErrorFrame(c, 'payload-too-large');
    expect(f.error?.text).toMatch(String(MAX_FRAME));
    await c.expectUsable();

    c.raw(head + ' '.repeat(MAX_FRAME - head.length));
    expect(await c.next()).toMatchObject({ type: 'reply', re: 'big', ok: true });

    // Up to the hard limit (4x) it is still an error reply, not a close.
    c.raw(Buffer.alloc(MAX_FRAME * 4, 0x20));
    await expectErrorFrame(c, 'payload-too-large');
    await c.expectUsable();
  });

  it('a frame over the hard limit (4x max_frame_bytes) closes the connection with 1009', async () => {
    const c = await open();
    c.raw(Buffer.alloc(MAX_FRAME * 4 + 1, 0x20));
    const closed = await c.waitClosed();
    expect(closed.code).toBe(1009);
    // Others are not affected.
    await (await open()).expectUsable();
  });

  it('JSON nested deeper than json_max_depth is refused, also when it is absurdly deep', async () => {
    const c = await open();
    const deep = (n: number) =>
      `{"id":"d","type":"ping","data":{"x":${'['.repeat(n)}${']'.repeat(n)}}}`;
    c.raw(deep(MAX_DEPTH));
    const f = await expectErrorFrame(c, 'bad-request');
    expect(f.error?.text).toMatch(/nested deeper/);
    await c.expectUsable();
    c.raw(`[${'['.repeat(MAX_FRAME - 10)}`);
    await expectErrorFrame(c, 'bad-request');
    await c.expectUsable();
    // Brackets inside a string are not nesting.
    const id = '[{'.repeat(30);
    c.frame({ id, type: 'ping' });
    expect(await c.next()).toMatchObject({ type: 'reply', re: id, ok: true });
  });

  it('a frame that is not JSON gets bad-request', async () => {
    const c = await open();
    for (const text of [
      'hello',
      '{',
      '{"id":"1","type":"ping"',
      "{'id':'1'}",
      '{"id":"1",}',
      '',
      '\u0000\u0001',
    ]) {
      c.raw(text);
      const f = await expectErrorFrame(c, 'bad-request');
      expect(f.error?.text).toMatch(/JSON/);
    }
    await c.expectUsable();
  });

  it('JSON that is not an object gets bad-request', async () => {
    const c = await open();
    for (const text of ['[]', '[{"id":"1","type":"ping"}]', '42', '"ping"', 'null', 'true']) {
      c.raw(text);
      const f = await expectErrorFrame(c, 'bad-request');
      expect(f.error?.text, text).toMatch(/JSON object/);
    }
    await c.expectUsable();
  });

  it('a missing or non-string type gets bad-request naming "type"', async () => {
    const c = await open();
    c.frame({ id: 'm1' });
    await expectErrorReply(c, 'm1', 'bad-request', 'type');
    c.frame({ id: 'm2', type: 5 });
    await expectErrorReply(c, 'm2', 'bad-request', 'type');
    c.frame({ id: 'm3', type: null });
    await expectErrorReply(c, 'm3', 'bad-request', 'type');
    c.frame({ id: 7, type: { op: 'ping' } });
    await expectErrorReply(c, 7, 'bad-request', 'type');
    // Without an id the frame was still read, so it is answered with re: null.
    c.frame({ type: ['ping'] });
    await expectErrorReply(c, null, 'bad-request', 'type');
    await c.expectUsable();
  });

  it('an invalid id gets an error frame naming "id"; valid ids are echoed', async () => {
    const c = await open();
    for (const id of [
      { x: 1 },
      ['a'],
      '',
      'i'.repeat(65),
      1.5,
      true,
      Number.MAX_SAFE_INTEGER + 2,
    ]) {
      c.frame({ id, type: 'ping' });
      await expectErrorFrame(c, 'bad-request', 'id');
    }
    c.raw('{"id":null,"type":"ping"}');
    await expectErrorFrame(c, 'bad-request', 'id');
    await c.expectUsable();
    for (const id of [42, 0, -1, 'i'.repeat(64), 'ü🎉']) {
      c.frame({ id, type: 'ping' });
      expect(await c.next()).toMatchObject({ type: 'reply', re: id, ok: true });
    }
  });

  it('an unknown frame field gets bad-request naming it', async () => {
    const c = await open();
    c.frame({ id: 'u1', type: 'ping', extra: 1 });
    await expectErrorReply(c, 'u1', 'bad-request', 'extra');
    c.frame({ id: 'u2', type: 'session.login', username: 'a', password: 'b' });
    const f = await c.next();
    expect(f).toMatchObject({
      type: 'reply',
      re: 'u2',
      ok: false,
      error: { condition: 'bad-request' },
    });
    expect(['username', 'password']).toContain(f.error?.field);
    c.raw('{"id":"u3","type":"ping","__proto__":{"admin":true}}');
    await expectErrorReply(c, 'u3', 'bad-request', '__proto__');
    await c.expectUsable();
  });

  it('an unknown frame type gets bad-request, including names that exist on Object.prototype', async () => {
    const c = await open();
    for (const type of [
      'nope',
      '',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'PING',
      'ping ',
    ]) {
      c.frame({ id: 't', type });
      const f = await expectErrorReply(c, 't', 'bad-request');
      expect(f.error?.text).toMatch(/unknown request type/);
    }
    c.frame({ id: 'long', type: 'x'.repeat(10_000) });
    const f = await expectErrorReply(c, 'long', 'bad-request');
    expect(f.error!.text.length).toBeLessThan(200);
    await c.expectUsable();
  });

  it('unknown frame types do not grow the metrics (bounded label values)', async () => {
    const c = await open();
    const types = Array.from({ length: 20 }, (_, i) => `hostile-type-${i}`);
    for (const type of types) {
      c.frame({ id: 't', type });
      await expectErrorReply(c, 't', 'bad-request');
    }
    await c.expectUsable();
    const text = await metricsText(node.url);
    expect(text).toMatch(/parley_request_duration_seconds_count\{op="ping",transport="ws"\}/);
    expect(text).toMatch(
      /parley_request_duration_seconds_count\{op="unknown",transport="ws"\} [1-9]/,
    );
    for (const type of types) expect(text.includes(type), `metrics mention ${type}`).toBe(false);
  });

  it('wrong field types in data get bad-request naming the field', async () => {
    const c = await open();
    let f = await c.request('session.login', { username: 5, password: 'correct horse battery' });
    expect(f).toMatchObject({ ok: false, error: { condition: 'bad-request', field: 'username' } });
    f = await c.request('session.login', { username: 'someone', password: null });
    expect(f).toMatchObject({ ok: false, error: { condition: 'bad-request', field: 'password' } });
    f = await c.request('session.login', { username: 'someone' });
    expect(f).toMatchObject({ ok: false, error: { condition: 'bad-request', field: 'password' } });
    f = await c.request('account.register', {
      username: 'someone',
      password: 'correct horse battery',
      device: 12,
    });
    expect(f).toMatchObject({ ok: false, error: { condition: 'bad-request', field: 'device' } });
    for (const data of [[1, 2], 'text', 7, true]) {
      f = await c.request('session.login', data);
      expect(f).toMatchObject({ ok: false, error: { condition: 'bad-request' } });
      expect(f.error?.text).toMatch(/JSON object/);
    }
    f = await c.request('session.login', {
      username: 'someone',
      password: 'correct horse battery',
      admin: true,
    });
    expect(f).toMatchObject({ ok: false, error: { condition: 'bad-request', field: 'admin' } });
    await c.expectUsable();
  });

  it('over-long strings get bad-request naming the field, and nothing is stored', async () => {
    const c = await open();
    await registered(c);
    let f = await c.request('profile.update', { displayName: 'n'.repeat(10_000) });
    expect(f).toMatchObject({
      ok: false,
      error: { condition: 'bad-request', field: 'displayName' },
    });
    // Under the transport cap but over the profile's own limit.
    f = await c.request('profile.update', { displayName: 'n'.repeat(65) });
    expect(f).toMatchObject({
      ok: false,
      error: { condition: 'bad-request', field: 'displayName' },
    });
    f = await c.request('profile.update', { about: '🎉'.repeat(1025) });
    expect(f).toMatchObject({ ok: false, error: { condition: 'bad-request', field: 'about' } });
    f = await c.request('profile.update', { birthYear: '1990' });
    expect(f).toMatchObject({ ok: false, error: { condition: 'bad-request', field: 'birthYear' } });
    f = await c.request('session.login', {
      username: 'u'.repeat(33),
      password: 'correct horse battery',
    });
    expect(f.ok).toBe(false);
    f = await c.request('me.get');
    expect(f.ok).toBe(true);
    const profile = (f.data as { profile: { displayName?: string; about?: string } }).profile;
    expect(profile.displayName ?? '').not.toMatch(/^n{10}/);
    expect(profile.about ?? '').toBe('');
    await c.expectUsable();
  });

  it('invalid UTF-8 in a text frame gets bad-request instead of a dropped connection', async () => {
    const c = await open();
    const bad = Buffer.concat([
      Buffer.from('{"id":"x","type":"ping","data":{"a":"'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('"}}'),
    ]);
    c.raw(bad, { binary: false });
    const f = await expectErrorFrame(c, 'bad-request');
    expect(f.error?.text).toMatch(/UTF-8/);
    c.raw(Buffer.from([0xed, 0xa0, 0x80]), { binary: false }); // an encoded surrogate
    await expectErrorFrame(c, 'bad-request');
    await c.expectUsable();
  });

  it('a binary frame gets bad-request, even one that holds a valid request', async () => {
    const c = await open();
    c.raw(Buffer.from('{"id":"b","type":"ping"}'), { binary: true });
    const f = await expectErrorFrame(c, 'bad-request');
    expect(f.error?.text).toMatch(/binary/);
    c.raw(Buffer.from([0, 1, 2, 3, 255]), { binary: true });
    await expectErrorFrame(c, 'bad-request');
    await c.expectUsable();
  });

  it('requests that need a session get not-authenticated before auth', async () => {
    const c = await open();
    for (const type of ['me.get', 'sessions.list', 'session.logout']) {
      const f = await c.request(type);
      expect(f, type).toMatchObject({ ok: false, error: { condition: 'not-authenticated' } });
    }
    const f = await c.request('profile.update', { displayName: 'x' });
    expect(f).toMatchObject({ ok: false, error: { condition: 'not-authenticated' } });
    await c.expectUsable();
  });

  it('auth with a garbage or missing token is refused, and a real token still works afterwards', async () => {
    const owner = await open();
    const { username, token } = await registered(owner);

    const c = await open();
    for (const t of ['garbage', 'pt_garbage-garbage-garbage', 'x'.repeat(300), `${token}x`]) {
      const f = await c.request('auth', { token: t });
      expect(f, t).toMatchObject({ ok: false, error: { condition: 'not-authenticated' } });
    }
    for (const data of [undefined, {}, { token: 5 }, 'token', null]) {
      const f = await c.request('auth', data);
      expect(f, JSON.stringify(data)).toMatchObject({
        ok: false,
        error: { condition: 'bad-request', field: 'token' },
      });
    }
    // Unknown fields are refused here as everywhere, even next to a valid token.
    expect(await c.request('auth', { token, admin: true })).toMatchObject({
      ok: false,
      error: { condition: 'bad-request', field: 'admin' },
    });
    await c.expectUsable();
    expect((await c.request('me.get')).ok).toBe(false);
    const ok = await c.request('auth', { token });
    expect(ok).toMatchObject({ ok: true, data: { user: { username } } });
    expect((await c.request('me.get')).ok).toBe(true);
    // A second auth on an authenticated connection is refused, the session stays.
    expect(await c.request('auth', { token })).toMatchObject({
      ok: false,
      error: { condition: 'bad-request' },
    });
    expect((await c.request('me.get')).ok).toBe(true);
  });

  it('a garbage token in the upgrade request gets an error and closes with 4001', async () => {
    const c = await open({ headers: { authorization: 'Bearer garbage-garbage-garbage' } });
    await expectErrorFrame(c, 'not-authenticated');
    expect((await c.waitClosed()).code).toBe(4001);
    // A malformed header is ignored (the client can still authenticate in-band).
    const d = await open({ headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    await d.expectUsable();
  });

  it('still serves everyone after all of the above', async () => {
    const res = await fetch(`${node.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    const c = await open();
    await c.expectUsable();
    const { username } = await registered(c);
    const me = await c.request('me.get');
    expect(me).toMatchObject({ ok: true, data: { user: { username } } });
    // No request along the way was an unhandled failure.
    expect(await metricsText(node.url)).not.toMatch(/condition="internal-error"/);
  });

  describe('closing rules', () => {
    it('closes a connection that does not authenticate within auth_timeout_seconds with 4001', async () => {
      const n = await startSingle(backend, { native: { auth_timeout_seconds: 1 } });
      nodes.push(n);
      // Registered over REST first (no deadline there), then authenticated by the upgrade header.
      const res = await fetch(`${n.url}/api/v1/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: uname('to'), password: 'correct horse battery' }),
      });
      expect(res.status).toBe(201);
      const { token } = (await res.json()) as { token: string };
      const authed = await RawClient.open(n.wsUrl, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect((await authed.request('me.get')).ok).toBe(true);
      const idle = await RawClient.open(n.wsUrl);
      // Unauthenticated requests do not extend the deadline.
      await idle.expectUsable();
      const closed = await idle.waitClosed(5000);
      expect(closed.code).toBe(4001);
      expect(closed.reason).toMatch(/auth/);
      // The authenticated connection (opened earlier, so its deadline passed first) stays.
      await authed.expectUsable();
    });

    it('closes with 4008 after bad_frames_before_close bad frames; fewer leave it usable', async () => {
      const limit = 5;
      const n = await startSingle(backend, { native: { bad_frames_before_close: limit } });
      nodes.push(n);
      const c = await RawClient.open(n.wsUrl);
      const bad: (() => void)[] = [
        () => c.raw('not json'),
        () => c.raw(Buffer.from([1, 2, 3]), { binary: true }),
        () => c.frame({ id: 'x', type: 'nope' }),
        () => c.frame({ id: 'y', type: 'me.get' }),
        () => c.raw('[1]'),
      ];
      for (let i = 0; i < limit - 1; i++) {
        bad[i]!();
        const f = await c.next();
        expect(f.ok ?? false, JSON.stringify(f)).toBe(false);
        expect(f.error).toBeDefined();
      }
      // Good frames in between do not close it, nor reset the count.
      await c.expectUsable();
      bad[limit - 1]!();
      await expectErrorFrame(c, 'bad-request');
      const closed = await c.waitClosed();
      expect(closed.code).toBe(4008);
      // A fresh connection from the same address is served.
      await (await RawClient.open(n.wsUrl)).expectUsable();
    });

    it('a flood beyond frame_burst gets rate-limited errors with retryAfter, then works again', async () => {
      const burst = 5;
      const n = await startSingle(backend, {
        native: { frames_per_second: 1, frame_burst: burst, bad_frames_before_close: 1000 },
      });
      nodes.push(n);
      const c = await RawClient.open(n.wsUrl);
      const total = 15;
      for (let i = 0; i < total; i++) c.frame({ id: `f${i}`, type: 'ping' });
      const got: Frame[] = [];
      for (let i = 0; i < total; i++) got.push(await c.next());
      // Every frame was read, so every one gets a reply carrying its id.
      expect(got.every((f) => f.type === 'reply')).toBe(true);
      expect(got.map((f) => f.re).sort()).toEqual(
        Array.from({ length: total }, (_, i) => `f${i}`).sort(),
      );
      const replies = got.filter((f) => f.ok);
      const limited = got.filter((f) => !f.ok);
      expect(replies.map((f) => f.re).sort()).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
      expect(limited).toHaveLength(total - burst);
      for (const f of limited) {
        expect(f.error?.condition).toBe('rate-limited');
        expect(f.error?.retryAfter).toBeGreaterThanOrEqual(1);
      }
      // Waiting as told is enough.
      const retryAfter = Math.max(...limited.map((f) => f.error!.retryAfter!));
      await new Promise((r) => setTimeout(r, retryAfter * 1000 + 50));
      await c.expectUsable();
      // The limit is per connection: another client on the same node is not limited.
      await (await RawClient.open(n.wsUrl)).expectUsable();
    });

    it('cuts off a reader that stops reading once send_queue_bytes is queued', async () => {
      const lines: string[] = [];
      let onLine: ((line: string) => void) | undefined;
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          for (const line of chunk.toString().split('\n')) {
            if (!line) continue;
            lines.push(line);
            onLine?.(line);
          }
          cb();
        },
      });
      const db = backend.make();
      const config = buildConfig({
        server: { host: '127.0.0.1', port: 0 },
        data: { dir: db.dataDir },
        database: { url: db.url },
        log: { level: 'info' },
        native: {
          send_queue_bytes: 16_384,
          frames_per_second: 100_000,
          frame_burst: 100_000,
          bad_frames_before_close: 100_000,
          heartbeat_seconds: 600,
        },
      });
      const parley = await createParley(config, { logger: pino({ level: 'info' }, sink) });
      try {
        const port = await parley.listen();
        const url = `ws://127.0.0.1:${port}/api/v1/ws`;
        const c = await RawClient.open(url);
        await registered(c);
        const cutOff = new Promise<string>((resolve) => {
          onLine = (line) => {
            if (/send queue full/.test(line)) resolve(line);
          };
        });
        // Big replies: me.get carries a profile with about = 1024 four-byte characters.
        const up = await c.request('profile.update', { about: '🎉'.repeat(1024) });
        expect(up.ok, JSON.stringify(up)).toBe(true);
        c.ws.pause();
        let stop = false;
        let sent = 0;
        const pump = (async () => {
          while (!stop && c.ws.readyState === WebSocket.OPEN) {
            for (let i = 0; i < 8; i++) c.frame({ id: `s${sent++}`, type: 'me.get' });
            await new Promise((r) => setTimeout(r, 2));
          }
        })();
        const line = await within(cutOff, 'the server to cut off the slow reader', 60_000);
        stop = true;
        await pump;
        expect(JSON.parse(line)).toMatchObject({
          msg: 'terminating connection',
          reason: 'send queue full (client too slow)',
        });
        c.ws.resume();
        const closed = await c.waitClosed();
        expect(closed.code).toBe(1006); // cut off, no close handshake
        expect(sent).toBeGreaterThan(0);
        expect(lines.filter((l) => /terminating connection/.test(l))).toHaveLength(1);
        // The server is fine and serves a fresh client.
        const fresh = await RawClient.open(url);
        await fresh.expectUsable();
      } finally {
        await parley.stop();
        await db.cleanup();
      }
    }, 90_000);
  });
});
