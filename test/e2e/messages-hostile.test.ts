import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import type { Message, MessageResult } from '../../src/sdk/types.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import {
  expectError,
  json,
  raw,
  type RawOptions,
  type Res,
  type WireError,
} from '../helpers/http.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * Hostile input on every direct-message route (REST) and operation
 * (WebSocket): wrong types, unknown and missing fields, sizes one past each
 * limit (in bytes, multi-byte characters too), other people's message ids,
 * impossible pages and cursors. Each gets the documented error, says nothing
 * about messages the caller may not see, and changes nothing. Then the rules
 * core enforces whatever the door: a blocked sender is answered as usual while
 * the recipient hears nothing anywhere, and the per-user send rate refuses the
 * send past the burst without storing it, while a retry of a stored send is
 * still answered.
 */

const PASSWORD = 'correct horse battery';
const MAX_TEXT = 16 * 1024;
const WAIT_MS = 10_000;

const rawRequest = (base: string, method: string, path: string, opts: RawOptions = {}) =>
  raw(base, method, path, { ...opts, contentLength: true, freshConnection: true });

interface Frame {
  type: string;
  re?: string | null;
  ok?: boolean;
  name?: string;
  data?: Record<string, unknown>;
  error?: WireError;
}

const OPEN = new Set<WebSocket>();

/** A raw WebSocket client: replies in order, events kept apart. */
async function openWs(url: string) {
  const ws = new WebSocket(url);
  OPEN.add(ws);
  const replies: Frame[] = [];
  const events: Frame[] = [];
  const waiters: ((f: Frame) => void)[] = [];
  const eventWaiters: (() => void)[] = [];
  ws.on('message', (data: Buffer) => {
    const f = JSON.parse(data.toString('utf8')) as Frame;
    if (f.type === 'event') {
      events.push(f);
      for (const w of eventWaiters.splice(0)) w();
      return;
    }
    const w = waiters.shift();
    if (w) w(f);
    else replies.push(f);
  });
  ws.on('error', () => {});
  const closed = new Promise<number>((resolve) => ws.on('close', (code: number) => resolve(code)));
  const next = () => {
    const f = replies.shift();
    if (f) return Promise.resolve(f);
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      new Promise<Frame>((resolve) =>
        waiters.push((x) => {
          clearTimeout(timer);
          resolve(x);
        }),
      ),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no frame from the server')), WAIT_MS);
      }),
    ]);
  };
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  expect(await next()).toMatchObject({ type: 'hello' });
  let seq = 0;
  const client = {
    ws,
    events,
    closed,
    /** Sends one request (data as given, even when not an object) and returns its reply. */
    async request(type: string, data?: unknown): Promise<Frame> {
      const id = `r${++seq}`;
      ws.send(JSON.stringify(data === undefined ? { id, type } : { id, type, data }));
      const f = await next();
      expect(f, `reply to ${type}`).toMatchObject({ type: 'reply', re: id });
      return f;
    },
    /** Waits for an event named `name` (already received or not). */
    async event(name: string): Promise<Frame> {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const e = events.find((x) => x.name === name);
        if (e) return e;
        if (Date.now() > deadline) throw new Error(`no ${name} event`);
        await new Promise<void>((resolve) => {
          eventWaiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
    /** A ping's reply comes after every frame the server wrote before it. */
    async expectUsable(): Promise<void> {
      const f = await client.request('ping');
      expect(f).toMatchObject({ ok: true, data: { time: expect.any(Number) } });
    },
  };
  return client;
}

type Ws = Awaited<ReturnType<typeof openWs>>;

async function expectWsError(
  p: Promise<Frame>,
  condition: string,
  field?: string,
  what = '',
): Promise<WireError> {
  const f = await p;
  const shown = `${what} -> ${JSON.stringify(f).slice(0, 500)}`;
  expect(f.ok, shown).toBe(false);
  expect(f.error?.condition, shown).toBe(condition);
  if (field !== undefined) expect(f.error?.field, shown).toBe(field);
  return f.error!;
}

const messageEvents = (ws: Ws) => ws.events.filter((e) => e.name === 'message');

afterEach(() => {
  for (const ws of OPEN) ws.terminate();
  OPEN.clear();
});

/** Exactly `bytes` UTF-8 bytes of text made of `unit`, padded with ASCII. */
function textOf(bytes: number, unit: string): string {
  const size = Buffer.byteLength(unit);
  const s = unit.repeat(Math.floor(bytes / size)) + 'a'.repeat(bytes % size);
  expect(Buffer.byteLength(s)).toBe(bytes);
  return s;
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`hostile input on direct messages (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    /** a and b talk; c and d have a conversation of their own; e has blocked a. */
    const u = {} as Record<
      'a' | 'b' | 'c' | 'd' | 'e',
      { name: string; id: string; token: string; client: ParleyClient }
    >;
    let m1: Message; // a -> b
    let cd: Message; // c -> d: someone else's
    let snapshot: unknown;

    async function state() {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(u)) {
        const convs: Record<string, unknown> = {};
        for (const other of Object.keys(u))
          if (other !== k)
            convs[other] = await v.client.history(u[other as 'a'].name, { limit: 100 });
        out[k] = { convs, log: await v.client.sync(0, 500) };
      }
      return out;
    }
    /** Every conversation and every log is exactly as it was after setup. */
    async function expectUnchanged() {
      expect(await state()).toEqual(snapshot);
    }

    beforeAll(async () => {
      node = await startSingle(backend, {
        limits: {
          requests_per_minute_per_address: 1_000_000,
        },
        native: {
          frame_burst: 100_000,
          frames_per_second: 100_000,
          bad_frames_before_close: 100_000,
        },
        messages: { per_second: 100_000, burst: 100_000 },
      });
      for (const k of ['a', 'b', 'c', 'd', 'e'] as const) {
        const client = node.client();
        const name = uname(`h${k}`);
        const reg = await client.register(name, PASSWORD);
        u[k] = { name, id: reg.user.id, token: reg.token, client };
      }
      m1 = (await u.a.client.sendMessage(u.b.name, 'hello b', 'setup-1')).message;
      await u.b.client.react(m1.id, '👍');
      cd = (await u.c.client.sendMessage(u.d.name, 'private to d', 'setup-2')).message;
      await u.e.client.block(u.a.name);
      snapshot = await state();
    });
    afterAll(async () => {
      await node?.dispose();
    });

    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    const call = (method: string, path: string, body?: unknown, token: string | null = u.a.token) =>
      rawRequest(
        node.url,
        method,
        path,
        body === undefined
          ? token === null
            ? {}
            : { headers: auth(token) }
          : json(body, token === null ? {} : auth(token)),
      );
    const ws = async (who: 'a' | 'b' | 'c' | 'd' | 'e' = 'a') => {
      const c = await openWs(node.wsUrl);
      expect(await c.request('auth', { token: u[who].token })).toMatchObject({ ok: true });
      return c;
    };
    const send = (body: Record<string, unknown>) => ({
      to: u.b.name,
      clientId: `hostile-${Math.random()}`,
      text: 'hi',
      ...body,
    });
    const err = (res: Res) => (res.body as { error: WireError }).error;

    /** Bodies of messages.send that must be refused, with the condition, the field and the HTTP status. */
    const badSends = (): [string, unknown, string, string | undefined, number][] => [
      ['an array', [], 'bad-request', undefined, 400],
      ['a string', 'hello', 'bad-request', undefined, 400],
      ['a number', 5, 'bad-request', undefined, 400],
      ['to a number', send({ to: 5 }), 'bad-request', 'to', 400],
      ['to null', send({ to: null }), 'bad-request', 'to', 400],
      ['to an object', send({ to: { username: u.b.name } }), 'bad-request', 'to', 400],
      ['to 65 characters', send({ to: 'b'.repeat(65) }), 'bad-request', 'to', 400],
      ['to nobody', send({ to: 'nobody-at-all' }), 'not-found', 'to', 404],
      ['to yourself', send({ to: u.a.name }), 'bad-request', 'to', 400],
      ['clientId a number', send({ clientId: 5 }), 'bad-request', 'clientId', 400],
      ['clientId 0', send({ clientId: 0 }), 'bad-request', 'clientId', 400],
      ['clientId empty', send({ clientId: '' }), 'bad-request', 'clientId', 400],
      [
        'clientId 65 characters',
        send({ clientId: 'k'.repeat(65) }),
        'bad-request',
        'clientId',
        400,
      ],
      ['clientId an array', send({ clientId: ['k'] }), 'bad-request', 'clientId', 400],
      ['text a number', send({ text: 5 }), 'bad-request', 'text', 400],
      ['text null', send({ text: null }), 'bad-request', 'text', 400],
      ['text an array', send({ text: ['hi'] }), 'bad-request', 'text', 400],
      ['text empty', send({ text: '' }), 'bad-request', 'text', 400],
      // U+0000 cannot be stored by PostgreSQL: refused on every backend alike, never a 500.
      ['text with NUL', send({ text: 'a\u0000b' }), 'bad-request', 'text', 400],
      ['text NUL', send({ text: '\u0000' }), 'bad-request', 'text', 400],
      ['clientId with NUL', send({ clientId: 'k\u0000' }), 'bad-request', 'clientId', 400],
      ['to with NUL', send({ to: `${u.b.name}\u0000` }), 'bad-request', 'to', 400],
      ['replyTo with NUL', send({ replyTo: `${m1.id}\u0000` }), 'bad-request', 'replyTo', 400],
      ['text blank', send({ text: ' \n\t ' }), 'bad-request', 'text', 400],
      [
        'text 16385 ASCII bytes',
        send({ text: textOf(MAX_TEXT + 1, 'x') }),
        'payload-too-large',
        'text',
        413,
      ],
      [
        'text 16385 bytes of €',
        send({ text: textOf(MAX_TEXT + 1, '€') }),
        'payload-too-large',
        'text',
        413,
      ],
      [
        'text 16385 bytes of 😀',
        send({ text: textOf(MAX_TEXT + 1, '😀') }),
        'payload-too-large',
        'text',
        413,
      ],
      // 5462 characters, under 16384 of them but 16386 bytes.
      ['text 5462 €', send({ text: '€'.repeat(5462) }), 'payload-too-large', 'text', 413],
      ['replyTo a number', send({ replyTo: 5 }), 'bad-request', 'replyTo', 400],
      ['replyTo true', send({ replyTo: true }), 'bad-request', 'replyTo', 400],
      ['replyTo nothing', send({ replyTo: 'z'.repeat(26) }), 'bad-request', 'replyTo', 400],
      ['replyTo someone else’s', send({ replyTo: cd.id }), 'bad-request', 'replyTo', 400],
      ['an unknown field', send({ extra: 1 }), 'bad-request', 'extra', 400],
      ['an id', send({ id: m1.id }), 'bad-request', 'id', 400],
      ['no to', { clientId: 'k1', text: 'hi' }, 'bad-request', 'to', 400],
      ['no clientId', { to: u.b.name, text: 'hi' }, 'bad-request', 'clientId', 400],
      ['no text', { to: u.b.name, clientId: 'k2' }, 'bad-request', 'text', 400],
    ];

    it('POST /api/v1/messages: each bad body gets its error and stores nothing', async () => {
      for (const [what, body, condition, field, status] of badSends()) {
        const res = await call('POST', '/api/v1/messages', body);
        expectError(res, status, condition, field);
        expect(res.status, what).toBe(status);
      }
      // A prototype key is a key like any other.
      expectError(
        await rawRequest(
          node.url,
          'POST',
          '/api/v1/messages',
          json(
            `{"to":"${u.b.name}","clientId":"p1","text":"hi","__proto__":{"x":1}}`,
            auth(u.a.token),
          ),
        ),
        400,
        'bad-request',
        '__proto__',
      );
      expectError(await call('POST', '/api/v1/messages', send({}), null), 401, 'not-authenticated');
      expectError(
        await call('POST', '/api/v1/messages', send({}), 'not-a-token'),
        401,
        'not-authenticated',
      );
      // Someone else's message and no message at all are refused alike.
      const theirs = err(await call('POST', '/api/v1/messages', send({ replyTo: cd.id })));
      const none = err(await call('POST', '/api/v1/messages', send({ replyTo: 'z'.repeat(26) })));
      expect(theirs).toEqual(none);
      await expectUnchanged();
    });

    it('messages.send over the WebSocket: the same refusals, and the connection stays usable', async () => {
      const c = await ws();
      for (const [what, body, condition, field] of badSends())
        await expectWsError(c.request('messages.send', body), condition, field, what);
      await expectWsError(c.request('messages.send'), 'bad-request', 'to');
      await expectWsError(c.request('messages.send', null), 'bad-request');
      await c.expectUsable();
      expect(c.events).toEqual([]);
      const anon = await openWs(node.wsUrl);
      await expectWsError(anon.request('messages.send', send({})), 'not-authenticated');
      await expectUnchanged();
    });

    it('the limits themselves are allowed: 16384 bytes (ASCII, €, 😀), a 64-character client id', async () => {
      const c = await ws();
      const texts = [
        textOf(MAX_TEXT, 'x'),
        textOf(MAX_TEXT, '€'),
        textOf(MAX_TEXT, '😀'),
        '€'.repeat(5461),
      ];
      const got: Message[] = [];
      for (const [i, text] of texts.entries()) {
        const r =
          i % 2
            ? await c.request('messages.send', { to: u.b.name, clientId: `limit-${i}`, text })
            : await call('POST', '/api/v1/messages', {
                to: u.b.name,
                clientId: `limit-${i}`,
                text,
              });
        const data = ('status' in r ? r.body : r.data) as MessageResult;
        if ('status' in r) expect(r.status, r.text.slice(0, 300)).toBe(201);
        else expect(r.ok, JSON.stringify(r.error)).toBe(true);
        expect(data.message.text).toBe(text);
        got.push(data.message);
      }
      const longId = 'ü'.repeat(64);
      const r = await call('POST', '/api/v1/messages', {
        to: u.b.name.toUpperCase(),
        clientId: longId,
        text: 'x',
      });
      expect(r.status, r.text).toBe(201);
      expect((r.body as MessageResult).message).toMatchObject({
        clientId: longId,
        to: { userId: u.b.id },
      });
      // Stored byte for byte, as b reads them.
      const h = await u.b.client.history(u.a.name, { after: m1.seq, limit: 10 });
      expect(h.messages.map((m) => m.text)).toEqual([...texts, 'x']);
      expect(h.messages.map((m) => m.id)).toEqual([
        ...got.map((m) => m.id),
        (r.body as MessageResult).message.id,
      ]);
      // Editing to exactly the limit is allowed too; one byte more is not.
      expect(
        (await call('PATCH', `/api/v1/messages/${got[0]!.id}`, { text: textOf(MAX_TEXT, '😀') }))
          .status,
      ).toBe(200);
      expectError(
        await call('PATCH', `/api/v1/messages/${got[0]!.id}`, { text: textOf(MAX_TEXT + 1, '😀') }),
        413,
        'payload-too-large',
        'text',
      );
      // Leave the shared conversation as it was for the other tests.
      for (const m of [...got, (r.body as MessageResult).message])
        expect((await call('DELETE', `/api/v1/messages/${m.id}`)).status).toBe(200);
      snapshot = await state();
    });

    it('PATCH /api/v1/messages/:id and messages.edit: others’ messages are not found, the recipient is forbidden, bad bodies refused', async () => {
      const missing = 'z'.repeat(26);
      const theirs = await call('PATCH', `/api/v1/messages/${cd.id}`, { text: 'hijack' });
      expectError(theirs, 404, 'not-found', 'id');
      // Indistinguishable from an id that does not exist.
      expect(err(theirs)).toEqual(
        err(await call('PATCH', `/api/v1/messages/${missing}`, { text: 'x' })),
      );
      expectError(
        await call('PATCH', `/api/v1/messages/${m1.id}`, { text: 'hijack' }, u.b.token),
        403,
        'forbidden',
      );
      expectError(
        await call('PATCH', `/api/v1/messages/${m1.id}`, { text: 'x' }, u.c.token),
        404,
        'not-found',
        'id',
      );
      expectError(
        await call('PATCH', `/api/v1/messages/${m1.id}`, { text: 'x' }, null),
        401,
        'not-authenticated',
      );
      const bad: [unknown, string, string | undefined, number][] = [
        [{}, 'bad-request', 'text', 400],
        [{ text: 5 }, 'bad-request', 'text', 400],
        [{ text: null }, 'bad-request', 'text', 400],
        [{ text: '' }, 'bad-request', 'text', 400],
        [{ text: '   ' }, 'bad-request', 'text', 400],
        [{ text: textOf(MAX_TEXT + 1, '€') }, 'payload-too-large', 'text', 413],
        [{ text: 'x', extra: true }, 'bad-request', 'extra', 400],
        [{ text: 'x', id: cd.id }, 'bad-request', 'id', 400],
        [[], 'bad-request', undefined, 400],
        ['text', 'bad-request', undefined, 400],
      ];
      for (const [body, condition, field, status] of bad)
        expectError(
          await call('PATCH', `/api/v1/messages/${m1.id}`, body),
          status,
          condition,
          field,
        );
      for (const id of ['q'.repeat(65), `${m1.id}%00`])
        expectError(
          await call('PATCH', `/api/v1/messages/${id}`, { text: 'x' }),
          400,
          'bad-request',
          'id',
        );

      const c = await ws();
      await expectWsError(c.request('messages.edit', { id: cd.id, text: 'x' }), 'not-found', 'id');
      await expectWsError(c.request('messages.edit', { id: 5, text: 'x' }), 'bad-request', 'id');
      await expectWsError(c.request('messages.edit', { id: null, text: 'x' }), 'bad-request', 'id');
      await expectWsError(c.request('messages.edit', { text: 'x' }), 'bad-request', 'id');
      await expectWsError(c.request('messages.edit', { id: m1.id }), 'bad-request', 'text');
      await expectWsError(
        c.request('messages.edit', { id: m1.id, text: 'x', on: true }),
        'bad-request',
        'on',
      );
      await expectWsError(
        c.request('messages.edit', { id: 'q'.repeat(65), text: 'x' }),
        'bad-request',
        'id',
      );
      const cb = await ws('b');
      await expectWsError(cb.request('messages.edit', { id: m1.id, text: 'x' }), 'forbidden');
      await c.expectUsable();
      await expectUnchanged();
    });

    it('DELETE /api/v1/messages/:id and messages.delete: the same rules', async () => {
      const theirs = await call('DELETE', `/api/v1/messages/${cd.id}`);
      expectError(theirs, 404, 'not-found', 'id');
      expect(err(theirs)).toEqual(err(await call('DELETE', `/api/v1/messages/${'z'.repeat(26)}`)));
      expectError(
        await call('DELETE', `/api/v1/messages/${m1.id}`, undefined, u.b.token),
        403,
        'forbidden',
      );
      expectError(
        await call('DELETE', `/api/v1/messages/${m1.id}`, undefined, null),
        401,
        'not-authenticated',
      );
      for (const id of ['q'.repeat(65), `${m1.id}%00`])
        expectError(await call('DELETE', `/api/v1/messages/${id}`), 400, 'bad-request', 'id');
      const c = await ws();
      await expectWsError(c.request('messages.delete', { id: cd.id }), 'not-found', 'id');
      await expectWsError(c.request('messages.delete', {}), 'bad-request', 'id');
      await expectWsError(c.request('messages.delete', { id: [m1.id] }), 'bad-request', 'id');
      await expectWsError(
        c.request('messages.delete', { id: m1.id, text: 'x' }),
        'bad-request',
        'text',
      );
      await expectWsError((await ws('b')).request('messages.delete', { id: m1.id }), 'forbidden');
      await c.expectUsable();
      await expectUnchanged();
    });

    it('POST /api/v1/messages/:id/reactions and messages.react: emoji rules, others’ messages not found', async () => {
      const bad: [string, unknown, string, string | undefined, number][] = [
        ['emoji with a space', { emoji: '👍 👍' }, 'bad-request', 'emoji', 400],
        ['emoji a space', { emoji: ' ' }, 'bad-request', 'emoji', 400],
        ['emoji with a tab', { emoji: '👍\t' }, 'bad-request', 'emoji', 400],
        ['emoji with a newline', { emoji: '\n👍' }, 'bad-request', 'emoji', 400],
        ['emoji NUL', { emoji: '\u0000' }, 'bad-request', 'emoji', 400],
        ['emoji with a control character', { emoji: 'a\u0007' }, 'bad-request', 'emoji', 400],
        ['emoji DEL', { emoji: '\u007f' }, 'bad-request', 'emoji', 400],
        ['emoji with a no-break space', { emoji: '👍\u00a0' }, 'bad-request', 'emoji', 400],
        ['emoji empty', { emoji: '' }, 'bad-request', 'emoji', 400],
        ['emoji 33 emoji', { emoji: '👍'.repeat(33) }, 'bad-request', 'emoji', 400],
        ['emoji 33 letters', { emoji: 'a'.repeat(33) }, 'bad-request', 'emoji', 400],
        ['emoji a number', { emoji: 5 }, 'bad-request', 'emoji', 400],
        ['no emoji', {}, 'bad-request', 'emoji', 400],
        ['on a string', { emoji: '👍', on: 'yes' }, 'bad-request', 'on', 400],
        ['on null', { emoji: '👍', on: null }, 'bad-request', 'on', 400],
        ['on 1', { emoji: '👍', on: 1 }, 'bad-request', 'on', 400],
        ['an unknown field', { emoji: '👍', count: 2 }, 'bad-request', 'count', 400],
        ['an id in the body', { emoji: '👍', id: m1.id }, 'bad-request', 'id', 400],
      ];
      const c = await ws('b');
      for (const [what, body, condition, field, status] of bad) {
        const res = await call('POST', `/api/v1/messages/${m1.id}/reactions`, body, u.b.token);
        expectError(res, status, condition, field);
        expect(res.status, what).toBe(status);
        if (typeof body === 'object' && body !== null && !('id' in body))
          await expectWsError(
            c.request('messages.react', { id: m1.id, ...body }),
            condition,
            field,
            what,
          );
      }
      const theirs = await call('POST', `/api/v1/messages/${cd.id}/reactions`, { emoji: '👍' });
      expectError(theirs, 404, 'not-found', 'id');
      expect(err(theirs)).toEqual(
        err(await call('POST', `/api/v1/messages/${'z'.repeat(26)}/reactions`, { emoji: '👍' })),
      );
      await expectWsError(
        c.request('messages.react', { id: cd.id, emoji: '👍' }),
        'not-found',
        'id',
      );
      await expectWsError(c.request('messages.react', { id: 7, emoji: '👍' }), 'bad-request', 'id');
      expectError(
        await call('POST', `/api/v1/messages/${m1.id}%00/reactions`, { emoji: '👍' }),
        400,
        'bad-request',
        'id',
      );
      await expectWsError(
        c.request('messages.react', { id: `${m1.id}\u0000`, emoji: '👍' }),
        'bad-request',
        'id',
      );
      expectError(
        await call('POST', `/api/v1/messages/${m1.id}/reactions`, { emoji: '👍' }, null),
        401,
        'not-authenticated',
      );
      await c.expectUsable();
      await expectUnchanged();
      // 32 characters is allowed (and a composed emoji counts its code points).
      const ok = await call('POST', `/api/v1/messages/${m1.id}/reactions`, {
        emoji: '👍'.repeat(32),
      });
      expect(ok.status, ok.text).toBe(200);
      const family = await call('POST', `/api/v1/messages/${m1.id}/reactions`, { emoji: '👨‍👩‍👧‍👦' });
      expect(family.status, family.text).toBe(200);
      expect((family.body as MessageResult).message.reactions.map((r) => r.emoji)).toEqual([
        '👍',
        '👍'.repeat(32),
        '👨‍👩‍👧‍👦',
      ]);
      for (const emoji of ['👍'.repeat(32), '👨‍👩‍👧‍👦'])
        expect(
          (await call('POST', `/api/v1/messages/${m1.id}/reactions`, { emoji, on: false })).status,
        ).toBe(200);
      snapshot = await state();
    });

    it('GET /api/v1/conversations/:with/messages and messages.history: impossible pages are refused', async () => {
      const path = (q: string, withUser = u.b.name) =>
        `/api/v1/conversations/${withUser}/messages${q}`;
      const bad: [string, string | undefined][] = [
        ['?before=5&after=1', 'before'],
        ['?limit=0', 'limit'],
        ['?limit=101', 'limit'],
        ['?limit=-1', 'limit'],
        ['?limit=1.5', 'limit'],
        ['?limit=x', 'limit'],
        ['?limit=', 'limit'],
        ['?limit=1e2', 'limit'],
        ['?before=0', 'before'],
        ['?before=-1', 'before'],
        ['?before=1.5', 'before'],
        ['?after=-1', 'after'],
        ['?after=x', 'after'],
        ['?limit=1&limit=2', 'limit'],
        ['?with=someone', 'with'],
        ['?foo=1', 'foo'],
      ];
      for (const [q, field] of bad) {
        const res = await call('GET', path(q));
        expect(res.status, `${q}: ${res.text}`).toBe(400);
        expectError(res, 400, 'bad-request', field);
      }
      expectError(await call('GET', path('', 'nobody-at-all')), 404, 'not-found', 'with');
      expectError(await call('GET', path('', 'x'.repeat(65))), 400, 'bad-request', 'with');
      expectError(await call('GET', path('', `${u.b.name}%00`)), 400, 'bad-request', 'with');
      expectError(await call('GET', path(''), undefined, null), 401, 'not-authenticated');
      // The edges that are allowed.
      for (const q of [
        '?limit=1',
        '?limit=100',
        '?after=0',
        '?before=1',
        '?after=999999999999999',
      ]) {
        const res = await call('GET', path(q));
        expect(res.status, `${q}: ${res.text}`).toBe(200);
      }
      expect(
        ((await call('GET', path('?limit=1'))).body as { messages: Message[] }).messages,
      ).toHaveLength(1);
      // Someone else's conversation cannot be read by naming it: "with" is always yours with them.
      const cView = await call('GET', path('', u.d.name));
      expect(cView.body).toEqual({ messages: [], more: false });

      const c = await ws();
      const wsBad: [Record<string, unknown>, string][] = [
        [{ with: u.b.name, before: 5, after: 1 }, 'before'],
        [{ with: u.b.name, limit: 0 }, 'limit'],
        [{ with: u.b.name, limit: 101 }, 'limit'],
        [{ with: u.b.name, limit: -1 }, 'limit'],
        [{ with: u.b.name, limit: 1.5 }, 'limit'],
        [{ with: u.b.name, limit: '5' }, 'limit'],
        [{ with: u.b.name, limit: null }, 'limit'],
        [{ with: u.b.name, before: 0 }, 'before'],
        [{ with: u.b.name, after: -1 }, 'after'],
        [{ with: u.b.name, after: 2 ** 53 }, 'after'],
        [{ with: 5 }, 'with'],
        [{ with: `${u.b.name}\u0000` }, 'with'],
        [{}, 'with'],
        [{ with: u.b.name, cursor: 1 }, 'cursor'],
      ];
      for (const [data, field] of wsBad)
        await expectWsError(
          c.request('messages.history', data),
          'bad-request',
          field,
          JSON.stringify(data),
        );
      await c.expectUsable();
      await expectUnchanged();
    });

    it('GET /api/v1/sync and sync: a cursor below 0, a fraction, a page outside 1-500 are refused', async () => {
      for (const [q, field] of [
        ['?after=-1', 'after'],
        ['?after=x', 'after'],
        ['?after=1.5', 'after'],
        ['?limit=0', 'limit'],
        ['?limit=501', 'limit'],
        ['?limit=-1', 'limit'],
        ['?after=0&after=1', 'after'],
        ['?cursor=1', 'cursor'],
      ] as const) {
        const res = await call('GET', `/api/v1/sync${q}`);
        expectError(res, 400, 'bad-request', field);
      }
      expectError(await call('GET', '/api/v1/sync', undefined, null), 401, 'not-authenticated');
      const page = await call('GET', '/api/v1/sync?after=0&limit=500');
      expect(page.status).toBe(200);
      // A cursor past the end of the log is refused, so a client never silently skips events.
      expectError(await call('GET', '/api/v1/sync?after=999999'), 400, 'bad-request', 'after');
      const c = await ws();
      for (const [data, field] of [
        [{ after: -1 }, 'after'],
        [{ after: '0' }, 'after'],
        [{ after: 1.5 }, 'after'],
        [{ after: null }, 'after'],
        [{ limit: 0 }, 'limit'],
        [{ limit: 501 }, 'limit'],
        [{ before: 1 }, 'before'],
      ] as const)
        await expectWsError(c.request('sync', data), 'bad-request', field, JSON.stringify(data));
      await c.expectUsable();
      await expectUnchanged();
    });

    it('auth with a bad cursor is refused and the connection stays usable; a good one then replays', async () => {
      const c = await openWs(node.wsUrl);
      for (const cursor of [-1, 'x', 1.5, null, 2 ** 53, [1], {}])
        await expectWsError(
          c.request('auth', { token: u.b.token, cursor }),
          'bad-request',
          'cursor',
          `cursor ${JSON.stringify(cursor)}`,
        );
      await expectWsError(
        c.request('auth', { token: u.b.token, since: 0 }),
        'bad-request',
        'since',
      );
      // Still not signed in: nothing was half done.
      await expectWsError(c.request('me.get'), 'not-authenticated');
      await c.expectUsable();
      expect(c.events).toEqual([]);
      const ok = await c.request('auth', { token: u.b.token, cursor: 0 });
      expect(ok).toMatchObject({ ok: true, data: { user: { id: u.b.id } } });
      const done = await c.event('sync.done');
      const log = await u.b.client.sync(0, 500);
      expect(done.data).toEqual({ cursor: log.cursor, rooms: {} });
      expect(messageEvents(c).map((e) => e.data?.seq)).toEqual(log.events.map((e) => e.seq));
      expect((await c.request('messages.history', { with: u.a.name })).ok).toBe(true);
      // A second auth on the same connection, cursor or not, is refused.
      await expectWsError(c.request('auth', { token: u.b.token, cursor: 0 }), 'bad-request');
      await c.expectUsable();
    });

    it('a sender the recipient blocked is answered as usual; the recipient sees nothing, in history, sync or live', async () => {
      const eWs = await openWs(node.wsUrl);
      expect((await eWs.request('auth', { token: u.e.token, cursor: 0 })).ok).toBe(true);
      await eWs.event('sync.done');
      const aOther = await ws('a');
      const eHead = (await u.e.client.sync(0)).cursor;
      const sent = await u.a.client.sendMessage(u.e.name, 'are you there?', 'blocked-1');
      expect(sent).toMatchObject({
        duplicate: false,
        message: { text: 'are you there?', to: { userId: u.e.id } },
      });
      // The sender's devices hear of it as of any message.
      expect((await aOther.event('message')).data).toMatchObject({
        change: 'new',
        message: { id: sent.message.id },
      });
      const viaWs = await aOther.request('messages.send', {
        to: u.e.name,
        clientId: 'blocked-2',
        text: 'hello?',
      });
      expect(viaWs).toMatchObject({ ok: true, data: { duplicate: false } });
      const hidden = [sent.message, (viaWs.data as unknown as MessageResult).message];
      expect((await u.a.client.history(u.e.name)).messages.map((m) => m.id)).toEqual(
        hidden.map((m) => m.id),
      );
      // A retry is a duplicate, as always.
      expect(await u.a.client.sendMessage(u.e.name, 'are you there?', 'blocked-1')).toEqual({
        ...sent,
        duplicate: true,
      });
      // The sender may edit and react; the recipient still hears nothing.
      await u.a.client.editMessage(hidden[0]!.id, 'are you there??');
      await u.a.client.react(hidden[0]!.id, '🙏');

      await eWs.expectUsable();
      expect(messageEvents(eWs)).toEqual([]);
      expect((await u.e.client.history(u.a.name)).messages).toEqual([]);
      expect((await u.e.client.sync(0)).cursor).toBe(eHead);
      // Nor can the recipient reach it by id.
      for (const m of hidden) {
        expectError(
          await call('POST', `/api/v1/messages/${m.id}/reactions`, { emoji: '👍' }, u.e.token),
          404,
          'not-found',
          'id',
        );
        expectError(
          await call('PATCH', `/api/v1/messages/${m.id}`, { text: 'x' }, u.e.token),
          404,
          'not-found',
          'id',
        );
        expectError(
          await call('DELETE', `/api/v1/messages/${m.id}`, undefined, u.e.token),
          404,
          'not-found',
          'id',
        );
        expectError(
          await call(
            'POST',
            '/api/v1/messages',
            { to: u.a.name, clientId: `r-${m.id}`, text: 'x', replyTo: m.id },
            u.e.token,
          ),
          400,
          'bad-request',
          'replyTo',
        );
      }
      // A reconnecting device of the recipient replays nothing of it either.
      const again = await openWs(node.wsUrl);
      expect((await again.request('auth', { token: u.e.token, cursor: 0 })).ok).toBe(true);
      expect((await again.event('sync.done')).data).toEqual({ cursor: eHead, rooms: {} });
      expect(messageEvents(again)).toEqual([]);
      // Unblocking does not reveal what was sent meanwhile; what comes after arrives.
      await u.e.client.unblock(u.a.name);
      const later = await u.a.client.sendMessage(u.e.name, 'now?', 'blocked-3');
      expect((await eWs.event('message')).data).toMatchObject({
        message: { id: later.message.id },
      });
      expect((await u.e.client.history(u.a.name)).messages.map((m) => m.id)).toEqual([
        later.message.id,
      ]);
      await u.e.client.block(u.a.name);
      snapshot = await state();
    });

    it('a delete racing reactions and edits never leaves a deleted message with reactions or text', async () => {
      const ms: Message[] = [];
      for (let i = 0; i < 15; i++)
        ms.push((await u.c.client.sendMessage(u.d.name, `race ${i}`, `race-${i}`)).message);
      await Promise.all(
        ms.flatMap((m) => [
          u.c.client.deleteMessage(m.id),
          u.d.client.react(m.id, '🔥').catch((e: { condition?: string }) => {
            expect(e.condition).toBe('conflict');
          }),
          u.c.client.editMessage(m.id, 'resurrected').catch((e: { condition?: string }) => {
            expect(e.condition).toBe('conflict');
          }),
        ]),
      );
      const h = await u.d.client.history(u.c.name, { limit: 100 });
      for (const m of h.messages.filter((x) => ms.some((y) => y.id === x.id)))
        expect(m, m.id).toMatchObject({ deleted: true, text: '', reactions: [] });
      for (const m of ms) {
        const stored = await node.parley.store.messages.byId(m.id);
        expect(stored, m.id).toMatchObject({ text: '', reactions: [] });
        expect(stored?.deletedAt).not.toBeNull();
      }
      // The last thing each side was told about each message is its deletion.
      for (const who of [u.c, u.d]) {
        const log = await who.client.sync(0, 500);
        for (const m of ms) {
          const last = log.events.filter((e) => (e.data.message as Message).id === m.id).at(-1);
          expect(last?.data, `${who.name} ${m.id}`).toMatchObject({
            change: 'deleted',
            message: { deleted: true, reactions: [] },
          });
        }
      }
      snapshot = await state();
    });
  });

  describeOn(backend)(`the per-user send rate (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend, {
        limits: { requests_per_minute_per_address: 1_000_000 },
        messages: { per_second: 1, burst: 3 },
      });
    });
    afterAll(async () => {
      await node?.dispose();
    });

    it('the send past the burst is refused with retryAfter and not stored; a retry of a stored send is still answered', async () => {
      const a = node.client();
      const b = node.client();
      const an = uname('ra');
      const bn = uname('rb');
      await a.register(an, PASSWORD);
      await b.register(bn, PASSWORD);
      const auth = { authorization: `Bearer ${a.token!}` };
      const post = (clientId: string, text = `text of ${clientId}`) =>
        rawRequest(node.url, 'POST', '/api/v1/messages', json({ to: bn, clientId, text }, auth));

      // Three at once: the burst.
      const first = await Promise.all(['q1', 'q2', 'q3'].map((id) => post(id)));
      for (const r of first) expect(r.status, r.text).toBe(201);
      const stored = first.map((r) => r.body as MessageResult);
      // The fourth, right after.
      const fourth = await post('q4');
      const e = expectError(fourth, 429, 'rate-limited');
      expect(Number.isInteger(e.retryAfter) && e.retryAfter! >= 1, JSON.stringify(e)).toBe(true);
      expect(fourth.headers['retry-after']).toBe(String(e.retryAfter));
      // A retry of a stored send is answered from the store, rate or no rate.
      const retry = await post('q2');
      expect(retry.status, retry.text).toBe(201);
      expect(retry.body).toEqual({ ...stored[1], duplicate: true });
      const ws = await openWs(node.wsUrl);
      expect((await ws.request('auth', { token: a.token! })).ok).toBe(true);
      const wsRetry = await ws.request('messages.send', {
        to: bn,
        clientId: 'q3',
        text: 'text of q3',
      });
      expect(wsRetry).toMatchObject({ ok: true, data: { ...stored[2], duplicate: true } });
      const wsFifth = await expectWsError(
        ws.request('messages.send', { to: bn, clientId: 'q5', text: 'too soon' }),
        'rate-limited',
      );
      expect(wsFifth.retryAfter).toBeGreaterThanOrEqual(1);
      await ws.expectUsable();

      // Nothing of q4 or q5 was stored or logged.
      const h = await b.history(an);
      expect(h.messages.map((m) => m.id)).toEqual(
        [...stored].sort((x, y) => x.message.seq - y.message.seq).map((s) => s.message.id),
      );
      expect((await b.sync(0)).events).toHaveLength(3);
      expect((await a.sync(0)).events).toHaveLength(3);

      // Once the wait is over, the refused send goes through as a new message.
      await new Promise((resolve) => setTimeout(resolve, e.retryAfter! * 1000 + 50));
      const later = await post('q4');
      expect(later.status, later.text).toBe(201);
      expect(later.body).toMatchObject({ duplicate: false, message: { clientId: 'q4', seq: 4 } });
      expect((await b.sync(0)).events).toHaveLength(4);
    });
  });
}
