import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import type { ServerEvent } from '../../src/sdk/types.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { expectError, json, raw } from '../helpers/http.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * Hostile input on every room route (REST) and operation (WebSocket): wrong
 * types, unknown fields, huge strings, NUL bytes, invalid room names, negative,
 * fractional, huge and infinite numbers, and bad `rooms` cursors in the auth
 * frame. Each gets a clear error naming the field, and none changes anything:
 * the rooms' timelines, members, bans and everyone's room lists are exactly as
 * before. Then the two refusals that are about content, not shape: a text one
 * byte past 16 KiB, and a clientId reused for a different message.
 */

const PASSWORD = 'correct horse battery';
const MAX_TEXT = 16 * 1024;

interface U {
  name: string;
  id: string;
  token: string;
  c: ParleyClient;
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`hostile input on rooms (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    const u = {} as Record<'owner' | 'member' | 'outsider', U>;
    /** A public room (owner, member; one message from member) and a private one (owner). */
    const R = `hostile${process.pid % 1000}`;
    const P = `hostilep${process.pid % 1000}`;
    const R2 = `hostile2${process.pid % 1000}`;
    let messageId = '';
    let snapshot: unknown;
    const open: ParleyConnection[] = [];

    async function state() {
      const rooms: Record<string, unknown> = {};
      for (const r of [R, P, R2])
        rooms[r] = {
          room: (await u.owner.c.rooms.get(r)).room,
          events: await u.owner.c.rooms.events(r, 0),
          members: await u.owner.c.rooms.members(r),
          bans: await u.owner.c.rooms.bans(r),
          history: await u.owner.c.rooms.history(r),
        };
      const mine: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(u)) mine[k] = await v.c.rooms.mine();
      const directory = await u.owner.c.rooms.directory({ q: 'hostile' });
      return { rooms, mine, directory };
    }
    const expectUnchanged = async () => expect(await state()).toEqual(snapshot);

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
      for (const k of ['owner', 'member', 'outsider'] as const) {
        const c = node.client();
        const name = uname(`h${k.slice(0, 3)}`);
        const reg = await c.register(name, PASSWORD);
        u[k] = { name, id: reg.user.id, token: reg.token, c };
      }
      await u.owner.c.rooms.create(R, { topic: 'the hostile room' });
      await u.owner.c.rooms.create(P, { visibility: 'private' });
      await u.owner.c.rooms.create(R2);
      await u.member.c.rooms.join(R);
      await u.member.c.rooms.join(R2);
      messageId = (await u.member.c.rooms.send(R, 'the only message', 'setup-1')).message.id;
      snapshot = await state();
    });
    afterEach(() => {
      for (const conn of open.splice(0)) conn.close();
    });
    afterAll(async () => {
      await node?.dispose();
    });

    /** A REST request as `who`; `body` a value (sent as JSON) or raw JSON text. */
    const rest = (who: U, method: string, path: string, body?: unknown) =>
      raw(node.url, method, `/api/v1${path}`, {
        ...(body === undefined
          ? { headers: { authorization: `Bearer ${who.token}` } }
          : json(body, { authorization: `Bearer ${who.token}` })),
        contentLength: true,
      });

    type Case = [
      method: string,
      path: string,
      body: unknown,
      status: number,
      condition: string,
      field?: string,
    ];
    const r = `/rooms/${R}`;
    const bad = (path: string, body: unknown, field?: string, method = 'POST'): Case => [
      method,
      path,
      body,
      400,
      'bad-request',
      field,
    ];

    const restCases: Case[] = [
      // Creating: every field checked, nothing created.
      bad('/rooms', { name: 5 }, 'name'),
      bad('/rooms', { name: null }, 'name'),
      bad('/rooms', { name: 'fresh-one', extra: 1 }, 'extra'),
      bad('/rooms', { name: 'tar\u0000dis' }, 'name'),
      bad('/rooms', { name: 'x'.repeat(10_000) }, 'name'),
      bad('/rooms', { name: 'a'.repeat(41) }, 'name'),
      bad('/rooms', { name: 'a'.repeat(33) }, 'name'),
      bad('/rooms', { name: '#t\u0430rdis' }, 'name'),
      bad('/rooms', { name: 'trailing.' }, 'name'),
      bad('/rooms', { name: '##double' }, 'name'),
      bad('/rooms', { name: 'fresh-one', visibility: 'secret' }, 'visibility'),
      bad('/rooms', { name: 'fresh-one', topic: 'two\nlines' }, 'topic'),
      bad('/rooms', { name: 'fresh-one', topic: 'x'.repeat(513) }, 'topic'),
      bad('/rooms', { name: 'fresh-one', topic: 7 }, 'topic'),
      bad('/rooms', '[]'),
      bad('/rooms', '"fresh-one"'),
      bad('/rooms', '{"name": "fresh-one"'),
      ['POST', '/rooms', { name: `#${R.toUpperCase()}` }, 409, 'conflict', 'name'],
      // Looking a room up by a name that can never be one, or that does not exist.
      bad('/rooms/a', undefined, 'room', 'GET'),
      bad('/rooms/%00abc', undefined, 'room', 'GET'),
      bad('/rooms/tar%20dis', undefined, 'room', 'GET'),
      bad('/rooms/%23%23double', undefined, 'room', 'GET'),
      bad(`/rooms/t%D0%B0rdis`, undefined, 'room', 'GET'),
      ['GET', '/rooms/no-such-room-here', undefined, 404, 'not-found', 'room'],
      ['POST', '/rooms/no-such-room-here/join', undefined, 404, 'not-found', 'room'],
      // Settings.
      bad(r, {}, undefined, 'PATCH'),
      bad(r, { topicLocked: 'yes' }, 'topicLocked', 'PATCH'),
      bad(r, { visibility: 'hidden' }, 'visibility', 'PATCH'),
      bad(r, { topic: 'a\u0000b' }, 'topic', 'PATCH'),
      bad(r, { topic: ['x'] }, 'topic', 'PATCH'),
      bad(r, { room: P, topic: 'x' }, 'room', 'PATCH'),
      // Pages and cursors.
      bad(`${r}/members?limit=-1`, undefined, 'limit', 'GET'),
      bad(`${r}/members?limit=0`, undefined, 'limit', 'GET'),
      bad(`${r}/members?limit=501`, undefined, 'limit', 'GET'),
      bad(`${r}/members?limit=1.5`, undefined, 'limit', 'GET'),
      bad(`${r}/members?limit=abc`, undefined, 'limit', 'GET'),
      bad(`${r}/members?limit=99999999999999999999`, undefined, 'limit', 'GET'),
      bad(`${r}/members?limit=1&limit=2`, undefined, 'limit', 'GET'),
      bad(`${r}/members?after=x`, undefined, 'after', 'GET'),
      bad(`${r}/members?after=9.bob`, undefined, 'after', 'GET'),
      bad(`${r}/members?after=1.%00`, undefined, 'after', 'GET'),
      bad(`${r}/members?foo=1`, undefined, 'foo', 'GET'),
      bad(`${r}/messages?limit=0`, undefined, 'limit', 'GET'),
      bad(`${r}/messages?limit=101`, undefined, 'limit', 'GET'),
      bad(`${r}/messages?before=0`, undefined, 'before', 'GET'),
      bad(`${r}/messages?after=-1`, undefined, 'after', 'GET'),
      bad(`${r}/messages?before=5&after=1`, undefined, 'before', 'GET'),
      bad(`${r}/messages?before=1e3`, undefined, 'before', 'GET'),
      bad(`${r}/events?after=-1`, undefined, 'after', 'GET'),
      bad(`${r}/events?after=999999`, undefined, 'after', 'GET'),
      bad(`${r}/events?limit=0`, undefined, 'limit', 'GET'),
      bad(`${r}/events?limit=501`, undefined, 'limit', 'GET'),
      bad(`${r}/search`, undefined, 'q', 'GET'),
      bad(`${r}/search?q=`, undefined, 'q', 'GET'),
      bad(`${r}/search?q=!!!`, undefined, 'q', 'GET'),
      bad(`${r}/search?q=${'w'.repeat(201)}`, undefined, 'q', 'GET'),
      bad(`${r}/search?q=only&before=bad`, undefined, 'before', 'GET'),
      bad(`${r}/search?q=only&before=5`, undefined, 'before', 'GET'),
      bad(`${r}/search?q=only&limit=51`, undefined, 'limit', 'GET'),
      bad(`/rooms?limit=0`, undefined, 'limit', 'GET'),
      bad(`/rooms?limit=101`, undefined, 'limit', 'GET'),
      bad(`/rooms?q=${'q'.repeat(101)}`, undefined, 'q', 'GET'),
      bad(`/rooms?after=${'a'.repeat(41)}`, undefined, 'after', 'GET'),
      // Sending.
      bad(`${r}/messages`, { text: 'hi' }, 'clientId'),
      bad(`${r}/messages`, { clientId: '', text: 'hi' }, 'clientId'),
      bad(`${r}/messages`, { clientId: 'x'.repeat(65), text: 'hi' }, 'clientId'),
      bad(`${r}/messages`, { clientId: 'a\u0000', text: 'hi' }, 'clientId'),
      bad(`${r}/messages`, { clientId: 5, text: 'hi' }, 'clientId'),
      bad(`${r}/messages`, { clientId: 'h-1', text: '' }, 'text'),
      bad(`${r}/messages`, { clientId: 'h-2', text: ' \n\t ' }, 'text'),
      bad(`${r}/messages`, { clientId: 'h-3', text: 'a\u0000b' }, 'text'),
      bad(`${r}/messages`, { clientId: 'h-4', text: 5 }, 'text'),
      bad(`${r}/messages`, { clientId: 'h-5', text: 'hi', replyTo: 'no-such-message' }, 'replyTo'),
      bad(`${r}/messages`, { clientId: 'h-6', text: 'hi', replyTo: 5 }, 'replyTo'),
      bad(`${r}/messages`, { clientId: 'h-7', text: 'hi', extra: true }, 'extra'),
      bad(`${r}/messages`, { clientId: 'h-8', text: 'hi', room: P }, 'room'),
      [
        'POST',
        `${r}/messages`,
        { clientId: 'h-9', text: 'x'.repeat(MAX_TEXT + 1) },
        413,
        'payload-too-large',
        'text',
      ],
      [
        'POST',
        `${r}/messages`,
        { clientId: 'h-10', text: '€'.repeat(5462) },
        413,
        'payload-too-large',
        'text',
      ],
      // Changing messages.
      ['PATCH', `${r}/messages/no-such-message`, { text: 'x' }, 404, 'not-found', 'id'],
      ['DELETE', `${r}/messages/no-such-message`, undefined, 404, 'not-found', 'id'],
      ['POST', `${r}/messages/no-such-message/reactions`, { emoji: '👍' }, 404, 'not-found', 'id'],
      bad(`${r}/messages/MSG`, { text: 'a\u0000b' }, 'text', 'PATCH'),
      bad(`${r}/messages/MSG`, {}, 'text', 'PATCH'),
      bad(`${r}/messages/MSG/reactions`, { emoji: '' }, 'emoji'),
      bad(`${r}/messages/MSG/reactions`, { emoji: 'a b' }, 'emoji'),
      bad(`${r}/messages/MSG/reactions`, { emoji: 'x'.repeat(33) }, 'emoji'),
      bad(`${r}/messages/MSG/reactions`, { emoji: '\u0000' }, 'emoji'),
      bad(`${r}/messages/MSG/reactions`, { emoji: 5 }, 'emoji'),
      bad(`${r}/messages/MSG/reactions`, { emoji: '👍', on: 'yes' }, 'on'),
      // Moderation (as the owner: only the input is wrong).
      bad(`${r}/bans/MEMBER`, { seconds: -1 }, 'seconds', 'PUT'),
      bad(`${r}/bans/MEMBER`, { seconds: 0 }, 'seconds', 'PUT'),
      bad(`${r}/bans/MEMBER`, { seconds: 1.5 }, 'seconds', 'PUT'),
      bad(`${r}/bans/MEMBER`, { seconds: 1e12 }, 'seconds', 'PUT'),
      bad(`${r}/bans/MEMBER`, { seconds: '10' }, 'seconds', 'PUT'),
      bad(`${r}/bans/MEMBER`, '{"seconds": 1e309}', 'seconds', 'PUT'),
      bad(`${r}/bans/MEMBER`, '{"seconds": -1e309}', 'seconds', 'PUT'),
      bad(`${r}/bans/MEMBER`, { reason: 'x'.repeat(301) }, 'reason', 'PUT'),
      bad(`${r}/bans/MEMBER`, { reason: 5 }, 'reason', 'PUT'),
      bad(`${r}/bans/${'a'.repeat(65)}`, {}, 'username', 'PUT'),
      ['PUT', `${r}/bans/no-such-user-x`, {}, 404, 'not-found', 'username'],
      ['DELETE', `${r}/bans/MEMBER`, undefined, 404, 'not-found', 'username'],
      bad(`${r}/members/MEMBER/kick`, { reason: 7 }, 'reason'),
      bad(`${r}/members/MEMBER/kick`, { reason: 'x', why: 'x' }, 'why'),
      ['POST', `${r}/members/no-such-user-x/kick`, {}, 404, 'not-found', 'username'],
      ['POST', `${r}/members/OUTSIDER/kick`, {}, 404, 'not-found', 'username'],
      bad(`${r}/members/MEMBER/role`, { role: 'god' }, 'role', 'PUT'),
      bad(`${r}/members/MEMBER/role`, { role: 3 }, 'role', 'PUT'),
      bad(`${r}/members/MEMBER/role`, {}, 'role', 'PUT'),
      bad(`${r}/members/MEMBER/role`, { role: 'OWNER' }, 'role', 'PUT'),
      bad(`${r}/members/MEMBER/mute`, { on: 'yes' }, 'on'),
      bad(`${r}/members/MEMBER/mute`, { on: 1 }, 'on'),
      bad(`${r}/notify`, { notify: 'loud' }, 'notify', 'PUT'),
      bad(`${r}/notify`, { notify: 1 }, 'notify', 'PUT'),
      bad(`${r}/markers`, { read: -1 }, 'read'),
      bad(`${r}/markers`, { read: 1.5 }, 'read'),
      bad(`${r}/markers`, { read: 2 ** 53 }, 'read'),
      bad(`${r}/markers`, { read: '3' }, 'read'),
      bad(`${r}/markers`, {}, 'read'),
      bad(`${r}/invites`, { username: 5 }, 'username'),
      ['POST', `${r}/invites`, { username: 'no-such-user-x' }, 404, 'not-found', 'username'],
      ['POST', `${r}/invites`, { username: 'MEMBER' }, 409, 'conflict', 'username'],
      // NUL (a 500 on PostgreSQL once) and other control characters, in every place a
      // string arrives: body, path and query. Refused at the door, before any lookup.
      bad('/rooms?q=%00', undefined, 'q', 'GET'),
      bad('/rooms?q=host%00ile', undefined, 'q', 'GET'),
      bad('/rooms?after=%00', undefined, 'after', 'GET'),
      bad('/rooms?after=a%1B', undefined, 'after', 'GET'),
      bad('/rooms/%00', undefined, 'room', 'GET'),
      bad(`${r}%00`, undefined, 'room', 'GET'),
      bad(`${r}%00/join`, undefined, 'room'),
      bad(`${r}/search?q=only%00`, undefined, 'q', 'GET'),
      bad(`${r}/invites`, { username: 'OUTSIDER\u0000' }, 'username'),
      bad(`${r}/invites`, { username: '\u0000' }, 'username'),
      bad(`${r}/members/MEMBER%00/role`, { role: 'admin' }, 'username', 'PUT'),
      bad(`${r}/members/%00/role`, { role: 'admin' }, 'username', 'PUT'),
      bad(`${r}/members/MEMBER/role`, { role: 'admin\u0000' }, 'role', 'PUT'),
      bad(`${r}/members/MEMBER%00/kick`, {}, 'username'),
      bad(`${r}/members/MEMBER/kick`, { reason: 'bye\u0000' }, 'reason'),
      bad(`${r}/members/MEMBER/kick`, { reason: 'bye\u001b[2J' }, 'reason'),
      bad(`${r}/members/MEMBER%00/mute`, { on: true }, 'username'),
      bad(`${r}/bans/MEMBER%00`, {}, 'username', 'PUT'),
      bad(`${r}/bans/MEMBER%00`, undefined, 'username', 'DELETE'),
      bad(`${r}/bans/%00`, undefined, 'username', 'DELETE'),
      bad(`${r}/messages/MSG%00`, { text: 'x' }, 'id', 'PATCH'),
      bad(`${r}/messages`, { clientId: 'h-11', text: 'bell\u0007' }, 'text'),
      bad(r, { topic: 'a\u0007b' }, 'topic', 'PATCH'),
    ];

    const fill = (s: string) =>
      s
        .replace('MSG', messageId)
        .replace('MEMBER', u.member.name)
        .replace('OUTSIDER', u.outsider.name);

    it('REST: every room route refuses bad input with a clear error and changes nothing', async () => {
      for (const [method, path, body, status, condition, field] of restCases) {
        const p = fill(path);
        const b =
          typeof body === 'object' && body !== null ? JSON.parse(fill(JSON.stringify(body))) : body;
        const res = await rest(u.owner, method, p, b);
        const err = expectError(res, status, condition, field);
        expect(err.text.length, `${method} ${p}`).toBeGreaterThan(5);
      }
      await expectUnchanged();
    });

    it('REST: without a token or as someone who may not, nothing changes either', async () => {
      const anon = await raw(
        node.url,
        'POST',
        `/api/v1${r}/messages`,
        json({ clientId: 'a', text: 'x' }),
      );
      expectError(anon, 401, 'not-authenticated');
      const forged = await raw(node.url, 'GET', `/api/v1${r}/events`, {
        headers: { authorization: 'Bearer not-a-token' },
      });
      expectError(forged, 401, 'not-authenticated');
      for (const [method, path, body] of [
        ['POST', `${r}/messages`, { clientId: 'o-1', text: 'drive-by' }],
        ['PATCH', r, { topic: 'drive-by' }],
        ['DELETE', `${r}/messages/MSG`, undefined],
        ['PUT', `${r}/bans/MEMBER`, {}],
        ['POST', `${r}/members/MEMBER/kick`, {}],
        ['PUT', `${r}/members/MEMBER/role`, { role: 'owner' }],
        ['GET', `/rooms/${P}/messages`, undefined],
        ['GET', `/rooms/${P}/events?after=0`, undefined],
        ['POST', `/rooms/${P}/join`, undefined],
      ] as const) {
        const b = body === undefined ? undefined : JSON.parse(fill(JSON.stringify(body)));
        expectError(await rest(u.outsider, method, fill(path), b), 403, 'forbidden');
      }
      await expectUnchanged();
    });

    it('WebSocket: room operations with wrong types, unknown fields and bad numbers are refused, nothing changes', async () => {
      const conn = await u.owner.c.connect();
      open.push(conn);
      const cases: [string, unknown, string | undefined][] = [
        ['rooms.send', 'hello', undefined],
        ['rooms.send', ['hello'], undefined],
        ['rooms.send', { room: R, clientId: 'w-1', text: 'x', bogus: 1 }, 'bogus'],
        ['rooms.send', { room: 5, clientId: 'w-2', text: 'x' }, 'room'],
        ['rooms.send', { room: 'a', clientId: 'w-3', text: 'x' }, 'room'],
        ['rooms.send', { room: 'r\u0000oom', clientId: 'w-4', text: 'x' }, 'room'],
        ['rooms.send', { room: R, clientId: 'w-5', text: { t: 'x' } }, 'text'],
        ['rooms.send', { room: R, clientId: 'w-6', text: 'x', replyTo: ['id'] }, 'replyTo'],
        ['rooms.history', { room: R, limit: -1 }, 'limit'],
        ['rooms.history', { room: R, limit: 1e300 }, 'limit'],
        ['rooms.history', { room: R, before: 2 ** 53 }, 'before'],
        ['rooms.history', { room: R, after: 1.5 }, 'after'],
        ['rooms.history', { room: R, limit: '10' }, 'limit'],
        ['rooms.history', { room: R, limit: null }, 'limit'],
        ['rooms.events', { room: R, after: -1 }, 'after'],
        ['rooms.events', { room: R, after: Number.MAX_SAFE_INTEGER }, 'after'],
        ['rooms.events', { room: R, limit: 0.5 }, 'limit'],
        ['rooms.members', { room: R, limit: -3 }, 'limit'],
        ['rooms.members', { room: R, after: 5 }, 'after'],
        ['rooms.directory', { limit: 1e9 }, 'limit'],
        ['rooms.directory', { q: 5 }, 'q'],
        ['rooms.search', { room: R, q: ['only'] }, 'q'],
        ['rooms.mark', { room: R, read: -5 }, 'read'],
        ['rooms.mark', { room: R, read: true }, 'read'],
        ['rooms.typing', { room: R, state: 'maybe' }, 'state'],
        ['rooms.typing', { room: R, state: 'start', extra: 1 }, 'extra'],
        ['rooms.typing', { room: '#', state: 'start' }, 'room'],
        ['rooms.ban', { room: R, username: u.member.name, seconds: -100 }, 'seconds'],
        ['rooms.ban', { room: R, username: u.member.name, seconds: 0.001 }, 'seconds'],
        ['rooms.ban', { room: R, username: u.member.name, seconds: true }, 'seconds'],
        ['rooms.ban', { room: R, username: ['x'] }, 'username'],
        ['rooms.kick', { room: R, username: u.member.name, reason: { x: 1 } }, 'reason'],
        ['rooms.mute', { room: R, username: u.member.name, on: 'true' }, 'on'],
        ['rooms.role', { room: R, username: u.member.name, role: null }, 'role'],
        ['rooms.update', { room: R, topicLocked: 1 }, 'topicLocked'],
        ['rooms.update', { room: R, topic: 'x'.repeat(9000) }, 'topic'],
        ['rooms.create', { name: 'ws-new', visibility: 0 }, 'visibility'],
        ['rooms.create', { name: 'ws-new', topic: '\u001b[31mred' }, 'topic'],
        ['rooms.join', { room: 'x'.repeat(9000) }, 'room'],
        ['rooms.leave', {}, 'room'],
        ['rooms.notify', { room: R, notify: null }, 'notify'],
        ['rooms.react', { room: R, id: messageId, emoji: 'ok\u0000' }, 'emoji'],
        ['rooms.edit', { room: R, id: 5, text: 'x' }, 'id'],
        ['rooms.delete', { room: R, id: 'x'.repeat(65) }, 'id'],
        ['rooms.directory', { q: '\u0000' }, 'q'],
        ['rooms.directory', { after: '\u0000' }, 'after'],
        ['rooms.directory', { after: ['\u0000'] }, 'after'],
        ['rooms.get', { room: `${R}\u0000` }, 'room'],
        ['rooms.invite', { room: R, username: `${u.outsider.name}\u0000` }, 'username'],
        ['rooms.role', { room: R, username: `${u.member.name}\u0000`, role: 'admin' }, 'username'],
        ['rooms.kick', { room: R, username: `${u.member.name}\u0000` }, 'username'],
        ['rooms.ban', { room: R, username: `${u.member.name}\u0000` }, 'username'],
        ['rooms.unban', { room: R, username: `${u.member.name}\u0000` }, 'username'],
        ['rooms.mute', { room: R, username: `${u.member.name}\u0000`, on: true }, 'username'],
        ['rooms.send', { room: R, clientId: 'w-7', text: 'esc \u001b[2J' }, 'text'],
      ];
      for (const [type, data, field] of cases) {
        const err = await conn.request(type, data as Record<string, unknown>).then(
          () => undefined,
          (e: unknown) => e,
        );
        const what = `${type} ${JSON.stringify(data).slice(0, 100)}`;
        expect(err, what).toMatchObject({ condition: 'bad-request' });
        if (field !== undefined) expect((err as { field?: string }).field, what).toBe(field);
      }
      const big = await conn
        .request('rooms.send', { room: R, clientId: 'w-big', text: 'y'.repeat(MAX_TEXT + 1) })
        .catch((e: unknown) => e);
      expect(big).toMatchObject({ condition: 'payload-too-large', field: 'text' });
      // A frame past the frame limit is refused before it is read.
      const huge = await conn
        .request('rooms.join', { room: 'x'.repeat(100_000) })
        .catch((e: unknown) => e);
      expect(huge).toMatchObject({ condition: 'payload-too-large' });
      // The connection is still fine.
      expect(await conn.request('ping')).toMatchObject({ time: expect.any(Number) });
      await expectUnchanged();
    });

    it('auth with bad room cursors is refused and leaves the connection unauthenticated', async () => {
      const many: Record<string, number> = {};
      for (let i = 0; i < 1001; i++) many[`room-${i}`] = 0;
      const cases: Record<string, unknown>[] = [
        { token: u.member.token, cursor: 0, rooms: [] },
        { token: u.member.token, cursor: 0, rooms: [[R, 0]] },
        { token: u.member.token, cursor: 0, rooms: 'tardis' },
        { token: u.member.token, cursor: 0, rooms: null },
        { token: u.member.token, cursor: 0, rooms: 5 },
        { token: u.member.token, cursor: 0, rooms: many },
        { token: u.member.token, cursor: 0, rooms: { [R]: -1 } },
        { token: u.member.token, cursor: 0, rooms: { [R]: 1.5 } },
        { token: u.member.token, cursor: 0, rooms: { [R]: '1' } },
        { token: u.member.token, cursor: 0, rooms: { [R]: null } },
        { token: u.member.token, cursor: 0, rooms: { [R]: 2 ** 53 } },
        { token: u.member.token, cursor: 0, rooms: { [R]: { seq: 1 } } },
        { token: u.member.token, cursor: 0, rooms: { ['x'.repeat(41)]: 0 } },
        { token: u.member.token, rooms: { [R]: 0 } },
        { token: u.member.token, cursor: -1, rooms: { [R]: 0 } },
      ];
      const conn = await u.member.c.connect({ authenticate: false });
      open.push(conn);
      for (const data of cases) {
        const err = await conn.request('auth', data).catch((e: unknown) => e);
        const what = JSON.stringify(data).slice(0, 120);
        expect(err, what).toMatchObject({ condition: 'bad-request' });
        expect((err as { field?: string }).field, what).toMatch(/^(rooms|cursor)$/);
        expect(await conn.request('rooms.mine').catch((e: unknown) => e), what).toMatchObject({
          condition: 'not-authenticated',
        });
      }
      // Exactly 1000 rooms is fine; rooms that cannot be read (unknown, invalid, private) are skipped.
      const ok: Record<string, number> = {};
      for (let i = 0; i < 997; i++) ok[`nosuch-${i}`] = 0;
      ok[R] = 0;
      ok[P] = 0;
      ok['bad name!'] = 0;
      const events: ServerEvent[] = [];
      const conn2 = await u.member.c.connect({
        cursor: 0,
        rooms: ok,
        onEvent: (e) => events.push(e),
      });
      open.push(conn2);
      for (let i = 0; i < 500 && !events.some((e) => e.name === 'sync.done'); i++)
        await new Promise((res) => setTimeout(res, 10));
      const done = events.find((e) => e.name === 'sync.done');
      const head = (await u.owner.c.rooms.get(R)).room.head;
      expect(done?.data.rooms).toEqual({ [R]: head });
      const roomEvents = events.filter(
        (e) => e.name.startsWith('room.') && e.data.roomSeq !== undefined,
      );
      expect(roomEvents.every((e) => (e.data.room as { name: string }).name === R)).toBe(true);
      expect(roomEvents.map((e) => e.data.roomSeq)).toEqual(
        Array.from({ length: head }, (_, i) => i + 1),
      );
      await expectUnchanged();
    });

    it('a clientId reused for a different room or text is a conflict; the same send is a duplicate', async () => {
      const again = await u.member.c.rooms.send(R, 'the only message', 'setup-1');
      expect(again).toMatchObject({ duplicate: true, message: { id: messageId } });
      for (const [room, text] of [
        [R, 'a different text'],
        [R2, 'the only message'],
        [R2, 'a different text'],
      ] as const) {
        const err = await u.member.c.rooms.send(room, text, 'setup-1').catch((e: unknown) => e);
        expect(err, `${room} ${text}`).toMatchObject({ condition: 'conflict', field: 'clientId' });
      }
      // Over the WebSocket too.
      const conn = await u.member.c.connect();
      open.push(conn);
      await expect(conn.sendToRoom(R2, 'the only message', 'setup-1')).rejects.toMatchObject({
        condition: 'conflict',
      });
      // Another user's clientId is theirs alone: the same value is a new message for someone else.
      // (Not sent here: it would change the room this suite checks.)
      await expectUnchanged();
    });
  });
}
