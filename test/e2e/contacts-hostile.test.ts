import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { expectError, json, raw, type RawOptions, type WireError } from '../helpers/http.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * Hostile input on every contacts and blocks route (REST) and operation
 * (WebSocket): wrong types, unknown fields, over-long values, junk in path
 * usernames, bodies where none is read, no sign-in. Each gets the documented
 * error (docs/protocol.md 5.13-5.24) and leaves every contact list and block
 * list exactly as it was.
 */

const PASSWORD = 'correct horse battery';
const MAX_BODY = 16_384;

/**
 * A raw HTTP request with a content-length, on a connection of its own: one
 * refused request never spoils the next.
 */
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

const WAIT_MS = 10_000;
const OPEN = new Set<WebSocket>();

/** A raw WebSocket client: replies in order, events kept apart. */
async function openWs(url: string) {
  const ws = new WebSocket(url);
  OPEN.add(ws);
  const replies: Frame[] = [];
  const events: Frame[] = [];
  const waiters: ((f: Frame) => void)[] = [];
  ws.on('message', (data: Buffer) => {
    const f = JSON.parse(data.toString('utf8')) as Frame;
    if (f.type === 'event') {
      events.push(f);
      return;
    }
    const w = waiters.shift();
    if (w) w(f);
    else replies.push(f);
  });
  ws.on('error', () => {});
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
  return {
    ws,
    events,
    /** Sends one request (data as given, even when not an object) and returns its reply. */
    async request(type: string, data?: unknown): Promise<Frame> {
      const id = `r${++seq}`;
      ws.send(JSON.stringify(data === undefined ? { id, type } : { id, type, data }));
      const f = await next();
      expect(f, `reply to ${type}`).toMatchObject({ type: 'reply', re: id });
      return f;
    },
  };
}

async function expectWsError(
  p: Promise<Frame>,
  condition: string,
  field?: string,
  what = '',
): Promise<void> {
  const f = await p;
  const shown = `${what} -> ${JSON.stringify(f)}`;
  expect(f.ok, shown).toBe(false);
  expect(f.error?.condition, shown).toBe(condition);
  if (field !== undefined) expect(f.error?.field, shown).toBe(field);
}

afterEach(() => {
  for (const ws of OPEN) ws.terminate();
  OPEN.clear();
});

const NAMED_OPS = [
  'contacts.request',
  'contacts.approve',
  'contacts.deny',
  'contacts.cancel',
  'contacts.remove',
  'contacts.update',
  'blocks.add',
  'blocks.remove',
] as const;
const ALL_OPS = ['contacts.list', 'blocks.list', ...NAMED_OPS] as const;

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`hostile input on contacts and blocks (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    /** The user every hostile request comes from, and the people around them. */
    const u = {} as Record<
      'owner' | 'friend' | 'asker' | 'asked' | 'blocked' | 'stranger',
      { name: string; token: string; client: ParleyClient }
    >;
    let snapshot: unknown;

    async function state() {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(u))
        out[k] = { contacts: await v.client.contacts(), blocked: await v.client.blocked() };
      return out;
    }
    /** Every contact list and block list is exactly as it was after setup. */
    async function expectUnchanged() {
      expect(await state()).toEqual(snapshot);
    }

    beforeAll(async () => {
      node = await startSingle(backend, {
        limits: {
          max_body_bytes: MAX_BODY,
          requests_per_minute_per_address: 1_000_000,
        },
        native: {
          frame_burst: 100_000,
          frames_per_second: 100_000,
          bad_frames_before_close: 100_000,
        },
      });
      for (const k of ['owner', 'friend', 'asker', 'asked', 'blocked', 'stranger'] as const) {
        const client = node.client();
        const name = uname(k.slice(0, 4));
        const reg = await client.register(name, PASSWORD);
        u[k] = { name, token: reg.token, client };
      }
      const { owner, friend, asker, asked, blocked } = u;
      // owner <-> friend: both, with an alias and groups on the owner's side.
      await owner.client.requestContact(friend.name);
      await friend.client.approveContact(owner.name);
      await owner.client.updateContact(friend.name, { alias: 'Pal', groups: ['G1', 'G2'] });
      // asker waits for the owner; the owner waits for asked.
      await asker.client.requestContact(owner.name, 'asker note');
      await owner.client.requestContact(asked.name, 'owner note');
      // The owner blocks `blocked`.
      await owner.client.block(blocked.name);
      snapshot = await state();
      expect(snapshot).toMatchObject({
        owner: {
          contacts: expect.arrayContaining([
            expect.objectContaining({ username: friend.name, subscription: 'both', alias: 'Pal' }),
            expect.objectContaining({ username: asker.name, pendingIn: true, note: 'asker note' }),
            expect.objectContaining({ username: asked.name, ask: true }),
          ]),
          blocked: [expect.objectContaining({ username: blocked.name })],
        },
      });
    });
    afterAll(async () => {
      await node?.dispose();
    });

    const auth = (t = u.owner.token) => ({ authorization: `Bearer ${t}` });
    const send = (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = auth(),
    ) => rawRequest(node.url, method, path, body === undefined ? { headers } : json(body, headers));
    /** Every route that names a user in its path, with a harmless body where it reads one. */
    const pathRoutes = (name: string): [string, string, unknown][] => [
      ['POST', `/api/v1/contacts/${name}/approve`, {}],
      ['POST', `/api/v1/contacts/${name}/deny`, undefined],
      ['POST', `/api/v1/contacts/${name}/cancel`, undefined],
      ['PATCH', `/api/v1/contacts/${name}`, { alias: 'x' }],
      ['DELETE', `/api/v1/contacts/${name}`, undefined],
      ['PUT', `/api/v1/blocks/${name}`, undefined],
      ['DELETE', `/api/v1/blocks/${name}`, undefined],
    ];

    describe('REST', () => {
      it('every route without sign-in, or with a bad token, gets 401 and changes nothing', async () => {
        const routes: [string, string, unknown][] = [
          ['GET', '/api/v1/contacts', undefined],
          ['GET', '/api/v1/blocks', undefined],
          ['POST', '/api/v1/contacts', { username: u.stranger.name, note: 'sneaky' }],
          ...pathRoutes(u.friend.name),
          ['POST', `/api/v1/contacts/${u.asker.name}/approve`, { mutual: true }],
          ['PUT', `/api/v1/blocks/${u.friend.name}`, { username: u.friend.name }],
          ['DELETE', `/api/v1/blocks/${u.blocked.name}`, undefined],
        ];
        for (const [method, path, body] of routes) {
          for (const headers of [
            {} as Record<string, string>,
            { authorization: 'Bearer garbage' },
            { authorization: `Basic ${u.owner.token}` },
            { authorization: `Bearer ${u.owner.token}x` },
          ]) {
            const res = await send(method, path, body, headers);
            expectError(res, 401, 'not-authenticated');
          }
        }
        await expectUnchanged();
      });

      it('POST /contacts: wrong types, missing or unknown fields, over-long values get 400 naming the field', async () => {
        const p = '/api/v1/contacts';
        const asked = u.asked.name;
        for (const username of [42, null, [], {}, true, [asked], { username: asked }])
          expectError(await send('POST', p, { username }), 400, 'bad-request', 'username');
        expectError(await send('POST', p, {}), 400, 'bad-request', 'username');
        expectError(await send('POST', p, { note: 'hi' }), 400, 'bad-request', 'username');
        // The note of a repeated request would replace `asked`'s waiting note: it must not.
        for (const note of [5, null, ['x'], { text: 'x' }, false])
          expectError(await send('POST', p, { username: asked, note }), 400, 'bad-request', 'note');
        for (const note of ['n'.repeat(501), '✓'.repeat(501), '😀'.repeat(501), 'n'.repeat(9000)])
          expectError(await send('POST', p, { username: asked, note }), 400, 'bad-request', 'note');
        for (const extra of ['mutual', 'groups', 'alias', 'admin', '__proto__', 'constructor'])
          expectError(
            await send('POST', p, `{"username":"${asked}","note":"n",${JSON.stringify(extra)}:1}`),
            400,
            'bad-request',
            extra,
          );
        // Usernames that are too long, not a user, or yourself.
        expectError(
          await send('POST', p, { username: 'u'.repeat(65) }),
          400,
          'bad-request',
          'username',
        );
        expectError(
          await send('POST', p, { username: 'u'.repeat(9000) }),
          400,
          'bad-request',
          'username',
        );
        for (const username of [
          'u'.repeat(33),
          '',
          `../${asked}`,
          ` ${asked}`,
          `${asked}%00`,
          "' or 1=1 --",
        ])
          expectError(await send('POST', p, { username }), 404, 'not-found', 'username');
        // A control character is refused at the door, before any lookup (core/text.ts).
        for (const username of ['\u0000', `${asked}\u0000`, `${asked}\u001b`])
          expectError(await send('POST', p, { username }), 400, 'bad-request', 'username');
        for (const username of [u.owner.name, u.owner.name.toUpperCase()])
          expectError(await send('POST', p, { username }), 400, 'bad-request', 'username');
        // Bodies that are not a JSON object, not JSON, not JSON-typed, or too big.
        for (const body of ['[]', `["${asked}"]`, '42', `"${asked}"`, 'true'])
          expectError(await send('POST', p, body), 400, 'bad-request');
        expectError(await send('POST', p, 'null'), 400, 'bad-request', 'username');
        expectError(await send('POST', p, `{"username":"${asked}",}`), 400, 'bad-request');
        expectError(
          await rawRequest(node.url, 'POST', p, {
            headers: { 'content-type': 'text/plain', ...auth() },
            body: JSON.stringify({ username: asked }),
          }),
          415,
          'unsupported-media-type',
        );
        expectError(
          await send('POST', p, { username: asked, note: 'n'.repeat(MAX_BODY) }),
          413,
          'payload-too-large',
        );
        await expectUnchanged();
      });

      it('POST /contacts/{username}/approve: a bad mutual, unknown fields or a junk body get 400 and approve nothing', async () => {
        const p = `/api/v1/contacts/${u.asker.name}/approve`;
        for (const mutual of ['true', 'yes', 1, 0, null, [], {}, [true]])
          expectError(await send('POST', p, { mutual }), 400, 'bad-request', 'mutual');
        expectError(await send('POST', p, { mutual: true, note: 'x' }), 400, 'bad-request', 'note');
        expectError(await send('POST', p, { admin: true }), 400, 'bad-request', 'admin');
        for (const body of ['"x"', '[{"mutual":false}]', '{', '{"mutual":tru}'])
          expectError(await send('POST', p, body), 400, 'bad-request');
        expectError(
          await rawRequest(node.url, 'POST', p, {
            headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth() },
            body: 'mutual=true',
          }),
          415,
          'unsupported-media-type',
        );
        // Nothing waits from these: not-found, and no contact appears.
        for (const name of [u.friend.name, u.stranger.name, u.asked.name])
          expectError(await send('POST', `/api/v1/contacts/${name}/approve`, {}), 404, 'not-found');
        // The owner blocked them: refused before anything else.
        expectError(
          await send('POST', `/api/v1/contacts/${u.blocked.name}/approve`, {}),
          409,
          'conflict',
          'username',
        );
        expectError(
          await send('POST', '/api/v1/contacts', { username: u.blocked.name }),
          409,
          'conflict',
          'username',
        );
        await expectUnchanged();
      });

      it('a username in the body of a path route is refused: the path alone names the contact', async () => {
        expectError(
          await send('POST', `/api/v1/contacts/${u.stranger.name}/approve`, {
            username: u.asker.name,
          }),
          400,
          'bad-request',
          'username',
        );
        expectError(
          await send('PATCH', `/api/v1/contacts/${u.stranger.name}`, {
            username: u.friend.name,
            alias: 'redirected',
          }),
          400,
          'bad-request',
          'username',
        );
        await expectUnchanged();
      });

      it('PATCH /contacts/{username}: bad alias and groups get 400 naming the field and change nothing', async () => {
        const p = `/api/v1/contacts/${u.friend.name}`;
        for (const alias of [42, null, [], ['Pal2'], {}, true])
          expectError(await send('PATCH', p, { alias }), 400, 'bad-request', 'alias');
        for (const alias of ['a'.repeat(65), '😀'.repeat(65), 'a'.repeat(9000)])
          expectError(await send('PATCH', p, { alias }), 400, 'bad-request', 'alias');
        const badGroups: unknown[] = [
          'G1',
          null,
          42,
          {},
          { 0: 'G1', length: 1 },
          true,
          Array.from({ length: 21 }, (_, i) => `g${i}`),
          // 21 names, even though repeats and empty names would later be dropped.
          Array.from({ length: 21 }, () => 'same'),
          Array.from({ length: 21 }, () => ''),
          [1],
          ['ok', 2],
          [null],
          ['ok', null],
          [true],
          [{}],
          [{ name: 'G' }],
          [['nested']],
          ['ok', ['nested', ['deeper']]],
          [[]],
          ['g'.repeat(65)],
          ['ok', '😀'.repeat(65)],
          ['x'.repeat(9000)],
        ];
        for (const groups of badGroups) {
          const res = await send('PATCH', p, { alias: 'Changed', groups });
          expectError(res, 400, 'bad-request', 'groups');
        }
        expectError(
          await send('PATCH', p, { alias: 'Changed', nickname: 'x' }),
          400,
          'bad-request',
          'nickname',
        );
        expectError(
          await send('PATCH', p, { groups: ['G3'], subscription: 'both' }),
          400,
          'bad-request',
          'subscription',
        );
        expectError(await send('PATCH', p, { inRoster: false }), 400, 'bad-request', 'inRoster');
        for (const body of ['"Pal"', '[{"alias":"x"}]', '{"alias":}', '{"groups":[1,]}'])
          expectError(await send('PATCH', p, body), 400, 'bad-request');
        expectError(
          await rawRequest(node.url, 'PATCH', p, {
            headers: { 'content-type': 'text/plain', ...auth() },
            body: 'alias=Changed',
          }),
          415,
          'unsupported-media-type',
        );
        expectError(
          await send('PATCH', p, { alias: 'x', groups: ['g'.repeat(MAX_BODY)] }),
          413,
          'payload-too-large',
        );
        await expectUnchanged();
      });

      it('junk in path usernames gets 400 or 404 on every path route and changes nothing', async () => {
        const cases: [string, number, string][] = [
          ['%00', 400, 'bad-request'],
          [`${u.friend.name}%00`, 400, 'bad-request'],
          [`%00${u.blocked.name}`, 400, 'bad-request'],
          ['%2e%2e', 404, 'not-found'],
          [`..%2F..%2F${u.friend.name}`, 404, 'not-found'],
          [`..%2f${u.blocked.name}`, 404, 'not-found'],
          [`%2E%2E%2F${u.asker.name}`, 404, 'not-found'],
          [`${u.friend.name}%20`, 404, 'not-found'],
          [`${u.friend.name}%0d%0aX-Injected:%201`, 400, 'bad-request'],
          [`%E2%80%AE${u.friend.name}`, 404, 'not-found'],
          ['%27%20or%201%3D1%20--', 404, 'not-found'],
          ['%25', 404, 'not-found'],
          ['u'.repeat(33), 404, 'not-found'],
          ['u'.repeat(64), 404, 'not-found'],
          ['u'.repeat(65), 400, 'bad-request'],
          ['u'.repeat(100), 400, 'bad-request'],
          ['%41'.repeat(65), 400, 'bad-request'],
          [u.owner.name, 400, 'bad-request'],
          [u.owner.name.toUpperCase(), 400, 'bad-request'],
        ];
        for (const [name, status, condition] of cases) {
          for (const [method, path, body] of pathRoutes(name)) {
            const res = await send(method, path, body);
            const err = expectError(res, status, condition);
            expect(err.field, `${method} ${path}`).toBe('username');
          }
        }
        // Junk that never reaches a route: not found as an endpoint, never a crash.
        for (const path of [
          `/api/v1/blocks/../contacts`,
          `/api/v1/blocks/${u.friend.name}/../${u.friend.name}`,
          `/api/v1/contacts/${u.friend.name}/approve/..`,
          `/api/v1/contacts/${u.friend.name}%2Fapprove`,
          `/api/v1/contacts//approve`,
          `/api/v1/blocks/`,
        ]) {
          for (const method of ['PUT', 'DELETE', 'POST', 'PATCH']) {
            const res = await send(method, path, method === 'PATCH' ? { alias: 'x' } : undefined);
            expect([400, 404], `${method} ${path}: ${res.text}`).toContain(res.status);
            expect((res.body as { error?: WireError }).error?.condition).toMatch(
              /^(bad-request|not-found)$/,
            );
          }
        }
        // Bad percent-encoding and path parameters over the router's limit are client
        // errors, not server errors (their body shape: see the known-bug tests below).
        for (const name of [
          '%FF',
          '%C3%28',
          '%E0%80%AF',
          '%',
          '%zz',
          '%u0041',
          'u'.repeat(101),
          'u'.repeat(200),
          '%41'.repeat(200),
        ]) {
          for (const [method, path, body] of pathRoutes(name)) {
            const res = await send(method, path, body);
            expect([400, 404, 414], `${method} ${path}: ${res.text}`).toContain(res.status);
          }
        }
        await expectUnchanged();
      });

      it('bodies on routes that take none are ignored when they are JSON, refused when they are not', async () => {
        const friend = u.friend.name;
        const blocked = u.blocked.name;
        const stranger = u.stranger.name;
        // A JSON body naming someone else is ignored: the path decides, and these paths
        // name a user with nothing to act on, so each is refused as documented.
        expectError(
          await send('DELETE', `/api/v1/blocks/${friend}`, { username: blocked }),
          404,
          'not-found',
        );
        expectError(
          await send('DELETE', `/api/v1/contacts/${stranger}`, { username: friend }),
          404,
          'not-found',
        );
        expectError(
          await send('PUT', `/api/v1/blocks/nobody${stranger}`, { username: friend }),
          404,
          'not-found',
          'username',
        );
        expectError(
          await send('POST', `/api/v1/contacts/nobody${stranger}/deny`, { username: u.asker.name }),
          404,
          'not-found',
          'username',
        );
        expectError(
          await send('POST', `/api/v1/contacts/nobody${stranger}/cancel`, {
            username: u.asked.name,
          }),
          404,
          'not-found',
          'username',
        );
        // Blocking someone already blocked changes nothing, whatever the body says.
        const again = await send('PUT', `/api/v1/blocks/${blocked}`, {
          username: friend,
          createdAt: 0,
        });
        expect(again.status, again.text).toBe(200);
        expect(again.body).toEqual({});
        // Not JSON, not JSON-typed, too deep or too big: refused before anything runs.
        const targets: [string, string][] = [
          ['PUT', `/api/v1/blocks/${friend}`],
          ['DELETE', `/api/v1/blocks/${blocked}`],
          ['DELETE', `/api/v1/contacts/${friend}`],
          ['POST', `/api/v1/contacts/${u.asker.name}/deny`],
          ['POST', `/api/v1/contacts/${u.asked.name}/cancel`],
        ];
        for (const [method, path] of targets) {
          for (const body of ['{', 'not json', '{"username":}', `{"a":${'['.repeat(64)}}`])
            expectError(await send(method, path, body), 400, 'bad-request');
          expectError(
            await rawRequest(node.url, method, path, {
              headers: { 'content-type': 'text/plain', ...auth() },
              body: '{}',
            }),
            415,
            'unsupported-media-type',
          );
          expectError(
            await send(method, path, { pad: 'p'.repeat(MAX_BODY) }),
            413,
            'payload-too-large',
          );
        }
        await expectUnchanged();
      });

      it('a JSON array body on a path route is refused, not read as {}', async () => {
        const x = node.client();
        const y = node.client();
        const xn = uname('arrx');
        const yn = uname('arry');
        await x.register(xn, PASSWORD);
        const yt = (await y.register(yn, PASSWORD)).token;
        await x.requestContact(yn);
        const before = await y.contacts();
        expectError(
          await send('POST', `/api/v1/contacts/${xn}/approve`, '[]', auth(yt)),
          400,
          'bad-request',
        );
        expect(await y.contacts()).toEqual(before);
      });

      it('a path username over 100 characters gets a protocol error, not fastify’s 414', async () => {
        expectError(
          await send('PUT', `/api/v1/blocks/${'u'.repeat(101)}`),
          400,
          'bad-request',
          'username',
        );
      });

      it('bad percent-encoding in a path gets a protocol error, not fastify’s own body', async () => {
        expectError(await send('PUT', '/api/v1/blocks/%FF'), 400, 'bad-request');
      });

      it('still serves after all of the above, without an internal error', async () => {
        const metrics = await rawRequest(node.url, 'GET', '/metrics');
        expect(metrics.text).not.toMatch(/condition="internal-error"/);
        expect((await u.owner.client.contacts()).length).toBe(3);
      });
    });

    describe('WebSocket', () => {
      const wsFor = async (token?: string) => {
        const c = await openWs(node.wsUrl);
        if (token) expect((await c.request('auth', { token })).ok).toBe(true);
        return c;
      };

      it('every operation before sign-in gets not-authenticated and changes nothing', async () => {
        const c = await wsFor();
        for (const type of ALL_OPS) {
          await expectWsError(c.request(type), 'not-authenticated', undefined, type);
          await expectWsError(
            c.request(type, { username: u.friend.name }),
            'not-authenticated',
            undefined,
            type,
          );
        }
        // A failed auth does not help.
        await expectWsError(c.request('auth', { token: 'garbage' }), 'not-authenticated');
        await expectWsError(
          c.request('blocks.add', { username: u.friend.name }),
          'not-authenticated',
        );
        await expectUnchanged();
      });

      it('a username of the wrong type, missing, too long, unknown or yourself gets the right error on every operation', async () => {
        const c = await wsFor(u.owner.token);
        for (const type of NAMED_OPS) {
          for (const username of [42, null, [], [u.friend.name], {}, true, 1.5])
            await expectWsError(
              c.request(type, { username }),
              'bad-request',
              'username',
              `${type} ${JSON.stringify(username)}`,
            );
          await expectWsError(c.request(type, {}), 'bad-request', 'username', type);
          await expectWsError(c.request(type), 'bad-request', 'username', type);
          for (const username of ['u'.repeat(65), 'u'.repeat(200), 'u'.repeat(9000)])
            await expectWsError(c.request(type, { username }), 'bad-request', 'username', type);
          for (const username of ['\u0000', `${u.friend.name}\u0000`])
            await expectWsError(c.request(type, { username }), 'bad-request', 'username', type);
          for (const username of [
            '',
            `../${u.friend.name}`,
            `${u.friend.name}/../${u.friend.name}`,
            '%00',
            `${u.blocked.name} `,
            'u'.repeat(33),
          ])
            await expectWsError(
              c.request(type, { username }),
              'not-found',
              'username',
              `${type} ${JSON.stringify(username)}`,
            );
          for (const username of [u.owner.name, u.owner.name.toUpperCase()])
            await expectWsError(c.request(type, { username }), 'bad-request', 'username', type);
        }
        await expectUnchanged();
      });

      it('unknown fields and data that is not an object get bad-request on every operation', async () => {
        const c = await wsFor(u.owner.token);
        for (const type of ALL_OPS) {
          const base = (NAMED_OPS as readonly string[]).includes(type)
            ? { username: u.friend.name }
            : {};
          for (const extra of ['admin', 'userId', '__proto__', 'ownerId'])
            await expectWsError(
              c.request(type, JSON.parse(`{${JSON.stringify(extra)}:1}`)),
              'bad-request',
              extra,
              `${type} ${extra}`,
            );
          await expectWsError(
            c.request(type, { ...base, extra: true }),
            'bad-request',
            'extra',
            type,
          );
          for (const data of [[], 'text', 42, [base]])
            await expectWsError(c.request(type, data), 'bad-request', undefined, type);
        }
        await expectUnchanged();
      });

      it('bad note, mutual, alias and groups get bad-request naming the field', async () => {
        const c = await wsFor(u.owner.token);
        const asked = u.asked.name;
        for (const note of [
          5,
          null,
          ['x'],
          {},
          'n'.repeat(501),
          '😀'.repeat(501),
          'n'.repeat(9000),
        ])
          await expectWsError(
            c.request('contacts.request', { username: asked, note }),
            'bad-request',
            'note',
          );
        for (const mutual of ['true', 1, null, [], {}])
          await expectWsError(
            c.request('contacts.approve', { username: u.asker.name, mutual }),
            'bad-request',
            'mutual',
          );
        const friend = u.friend.name;
        for (const alias of [42, null, [], {}, 'a'.repeat(65), 'a'.repeat(9000)])
          await expectWsError(
            c.request('contacts.update', { username: friend, alias }),
            'bad-request',
            'alias',
          );
        for (const groups of [
          'G1',
          null,
          {},
          Array.from({ length: 21 }, (_, i) => `g${i}`),
          [1],
          [null],
          ['ok', false],
          [['nested']],
          [{ name: 'G' }],
          ['g'.repeat(65)],
        ])
          await expectWsError(
            c.request('contacts.update', { username: friend, alias: 'Changed', groups }),
            'bad-request',
            'groups',
            JSON.stringify(groups).slice(0, 80),
          );
        // Nothing to approve, and someone you blocked.
        await expectWsError(
          c.request('contacts.approve', { username: u.stranger.name }),
          'not-found',
        );
        await expectWsError(
          c.request('contacts.request', { username: u.blocked.name }),
          'conflict',
          'username',
        );
        await expectWsError(
          c.request('contacts.remove', { username: u.stranger.name }),
          'not-found',
        );
        await expectWsError(c.request('blocks.remove', { username: u.friend.name }), 'not-found');
        await expectUnchanged();
        // Nothing above produced an event for the owner's connection.
        // The contacts' presence arrives on connecting; nothing else may follow a refused request.
        expect(c.events.map((e) => e.name).filter((n) => n !== 'presence.snapshot')).toEqual([]);
      });

      it('the connection still serves normally afterwards', async () => {
        const c = await wsFor(u.owner.token);
        const list = await c.request('contacts.list');
        expect(list.ok).toBe(true);
        expect((list.data as { contacts: unknown[] }).contacts).toEqual(
          (snapshot as { owner: { contacts: unknown[] } }).owner.contacts,
        );
        const blocked = await c.request('blocks.list');
        expect((blocked.data as { blocked: unknown[] }).blocked).toEqual(
          (snapshot as { owner: { blocked: unknown[] } }).owner.blocked,
        );
      });
    });
  });
}
