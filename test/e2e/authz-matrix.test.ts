import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPS } from '../../src/doors/native/ops.js';
import { REST_ROUTES } from '../../src/doors/http/rest.js';
import type { ParleyClient } from '../../src/sdk/client.js';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import { ParleyApiError } from '../../src/sdk/errors.js';
import type { ServerEvent } from '../../src/sdk/types.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * The authorization matrix (issue 11, item 8). Every operation of the native
 * door's table has a row here: a test fails when an operation is added without
 * one. A row says what the operation touches and, for operations that touch
 * another user's or a room's data, what each hostile actor gets:
 *
 * - towards a user (alice): a `stranger` and someone alice `blocked`;
 * - towards a private room owned by alice: a `stranger`, a `muted` member, a
 *   `kicked` one and a `banned` one (each posted a message before the
 *   sanction, so "their own message" exists);
 * - every operation that needs a token, with a `revoked`, a `disabled` and a
 *   `deleted` account's token, over REST (every route) and the WebSocket.
 *
 * An outcome is a refusal (the documented condition), `ok` (a read that must
 * succeed and show nothing it should not), `silent` (answered as if it
 * worked, as documented for blocks, yet alice sees nothing), or `allowed` (a
 * permitted change, covered by the feature tests and not run here so the
 * fixture stays as it is). After every refusal and every `silent` case the
 * victim's whole view (alice's data, the room as its owner sees it) must be
 * exactly what it was.
 */

type Actor = 'stranger' | 'blocked' | 'muted' | 'kicked' | 'banned';
type Outcome = 'ok' | 'silent' | 'allowed' | 'forbidden' | 'not-found' | 'conflict' | 'bad-request';

interface Fixture {
  alice: string;
  bob: string;
  bobDm: string; // a direct message between alice and bob
  heldId: string; // a message held by alice's keyword filter
  aliceSession: string;
  aliceRoomMsg: string;
  own: Record<Actor, string>; // each room actor's own room message (stranger/blocked: alice's)
  names: Record<Actor, string>;
}

interface Case {
  label: string;
  target: 'user' | 'room';
  input: (fx: Fixture, actor: Actor) => Record<string, unknown>;
  expect: Partial<Record<Actor, Outcome>>;
  /** For `ok`: what the answer must not show. */
  check?: (result: unknown, fx: Fixture) => void;
}

type Row =
  | { scope: 'public'; why: string }
  | { scope: 'self'; why: string }
  | { scope: 'other'; cases: Case[] };

const ROOM = 'vault';
const userActors: Actor[] = ['stranger', 'blocked'];
const roomActors: Actor[] = ['stranger', 'muted', 'kicked', 'banned'];
const room = (
  expect: Partial<Record<Actor, Outcome>>,
  extra: (fx: Fixture, a: Actor) => Record<string, unknown> = () => ({}),
  label = 'on the private room',
): Case => ({
  label,
  target: 'room',
  input: (fx, a) => ({ room: ROOM, ...extra(fx, a) }),
  expect,
});
const nonMember = { stranger: 'forbidden', kicked: 'forbidden', banned: 'forbidden' } as const;
const readable = { ...nonMember, muted: 'ok' } as const;
const roomOnly = {
  stranger: 'not-found',
  muted: 'bad-request',
  kicked: 'bad-request',
  banned: 'bad-request',
} as const;
const refusedToAll = { ...nonMember, muted: 'forbidden' } as const;
const self = (why: string): Row => ({ scope: 'self', why });
const noLeak = (result: unknown, fx: Fixture) => {
  const text = JSON.stringify(result);
  expect(text).not.toContain(fx.bobDm);
  expect(text).not.toContain(fx.aliceRoomMsg);
};

/**
 * An operation on a message named by id: someone else's direct message is not
 * theirs to find, and their own room message is changed through the room's
 * operations only (they apply the room's rules).
 */
const byMessageId = (extra: Record<string, unknown>): Row => ({
  scope: 'other',
  cases: [
    {
      label: "alice's direct message",
      target: 'user',
      input: (fx) => ({ id: fx.bobDm, ...extra }),
      expect: { stranger: 'not-found', blocked: 'not-found' },
    },
    {
      label: 'their own room message, through the direct-message operation',
      target: 'room',
      input: (fx, a) => ({ id: fx.own[a], ...extra }),
      expect: roomOnly,
    },
  ],
});

const MATRIX: Record<string, Row> = {
  ping: { scope: 'public', why: 'answers the time' },
  'server.info': { scope: 'public', why: 'public facts about the server' },
  'account.register': { scope: 'public', why: 'creates a new account' },
  'session.login': { scope: 'public', why: 'its own throttle tests cover it' },
  'me.get': self('the caller only'),
  'profile.update': self('the caller only'),
  'profile.get': {
    scope: 'other',
    cases: [
      {
        label: "alice's profile",
        target: 'user',
        input: (fx) => ({ username: fx.alice }),
        expect: { stranger: 'ok', blocked: 'not-found' },
      },
    ],
  },
  'directory.search': {
    scope: 'other',
    cases: [
      {
        label: 'searching for alice',
        target: 'user',
        input: (fx) => ({ username: fx.alice }),
        expect: { blocked: 'ok' },
        check: (r, fx) => expect(JSON.stringify(r)).not.toContain(`"username":"${fx.alice}"`),
      },
    ],
  },
  'sessions.list': self('the caller only'),
  'sessions.revoke': {
    scope: 'other',
    cases: [
      {
        label: "alice's session",
        target: 'user',
        input: (fx) => ({ id: fx.aliceSession }),
        expect: { stranger: 'not-found', blocked: 'not-found' },
      },
    ],
  },
  'session.logout': self('the caller only'),
  'password.change': self('the caller only'),
  'account.delete': self('the caller only'),
  'contacts.list': self('the caller only'),
  'contacts.request': {
    scope: 'other',
    cases: [
      {
        label: 'asking alice',
        target: 'user',
        input: (fx) => ({ username: fx.alice, note: 'let me in' }),
        expect: { stranger: 'allowed', blocked: 'silent' },
      },
    ],
  },
  'contacts.approve': {
    scope: 'other',
    cases: [
      {
        label: 'approving alice, who never asked',
        target: 'user',
        input: (fx) => ({ username: fx.alice }),
        expect: { stranger: 'not-found', blocked: 'not-found' },
      },
    ],
  },
  'contacts.deny': self("changes the caller's own consent only"),
  'contacts.cancel': self("changes the caller's own consent only"),
  'contacts.remove': self("changes the caller's own roster only"),
  'contacts.update': self("the caller's own alias and groups"),
  'blocks.list': self('the caller only'),
  'blocks.add': self("the caller's own block list"),
  'blocks.remove': self("the caller's own block list"),
  'presence.set': self("the caller's own presence"),
  'presence.list': self('contacts who consented (presence tests)'),
  'sessions.revokeOthers': self("the caller's own other sessions"),
  'presence.choose': self("the caller's own account status"),
  'presence.chosen': self("the caller's own account status"),
  'privacy.get': self('the caller only'),
  'privacy.update': self('the caller only'),
  'previews.get': self("a link's public page, fetched for the caller; no one's data"),
  'messages.send': {
    scope: 'other',
    cases: [
      {
        label: 'to alice',
        target: 'user',
        input: (fx, a) => ({ to: fx.alice, clientId: `m-${a}-${Math.random()}`, text: 'hi' }),
        expect: { stranger: 'allowed', blocked: 'silent' },
      },
    ],
  },
  'messages.edit': byMessageId({ text: 'edited around the rules' }),
  'messages.delete': byMessageId({}),
  'messages.react': byMessageId({ emoji: '👍' }),
  'messages.history': {
    scope: 'other',
    cases: [
      {
        label: 'with alice',
        target: 'user',
        input: (fx) => ({ with: fx.alice }),
        expect: { stranger: 'ok', blocked: 'ok' },
        check: noLeak,
      },
    ],
  },
  'conversations.list': self('the caller only'),
  'messages.search': {
    scope: 'other',
    cases: [
      {
        label: "words alice and bob said, in alice's conversation",
        target: 'user',
        input: (fx) => ({ q: 'secret', with: fx.alice }),
        expect: { stranger: 'ok', blocked: 'ok' },
        check: noLeak,
      },
    ],
  },
  'filters.list': self('the caller only'),
  'filters.add': self('the caller only'),
  'filters.remove': self('the caller only'),
  'filtered.list': self('the caller only'),
  'filtered.release': {
    scope: 'other',
    cases: [
      {
        label: 'a message held for alice',
        target: 'user',
        input: (fx) => ({ id: fx.heldId }),
        expect: { stranger: 'not-found', blocked: 'not-found' },
      },
    ],
  },
  'filtered.clear': {
    scope: 'other',
    cases: [
      {
        label: 'a message held for alice',
        target: 'user',
        input: (fx) => ({ id: fx.heldId }),
        expect: { stranger: 'not-found', blocked: 'not-found' },
      },
    ],
  },
  sync: self("the caller's own log"),
  'messages.mark': self("the caller's own markers, capped at what they can see"),
  'messages.markers': self("the caller's own markers and what the other side consents to show"),
  typing: {
    scope: 'other',
    cases: [
      {
        label: 'to alice',
        target: 'user',
        input: (fx) => ({ to: fx.alice, state: 'start' }),
        expect: { stranger: 'allowed', blocked: 'silent' },
      },
    ],
  },
  'rooms.create': self('a new room of the caller'),
  'rooms.get': { scope: 'other', cases: [room(readable)] },
  'rooms.directory': {
    scope: 'other',
    cases: [
      {
        label: 'looking for the private room',
        target: 'room',
        input: () => ({ q: ROOM }),
        expect: { stranger: 'ok', kicked: 'ok', banned: 'ok' },
        check: (r) => expect(JSON.stringify(r)).not.toContain(`"name":"${ROOM}"`),
      },
    ],
  },
  'rooms.mine': self("the caller's own rooms"),
  'rooms.join': {
    scope: 'other',
    cases: [room({ ...nonMember, muted: 'allowed' })],
  },
  'rooms.leave': {
    scope: 'other',
    cases: [
      room({ stranger: 'conflict', kicked: 'conflict', banned: 'conflict', muted: 'allowed' }),
    ],
  },
  'rooms.decline': self("the caller's own invitation only"),
  'rooms.invite': {
    scope: 'other',
    cases: [room(refusedToAll, (fx, a) => ({ username: fx.names[a === 'muted' ? 'kicked' : a] }))],
  },
  'rooms.members': { scope: 'other', cases: [room(readable)] },
  'rooms.update': { scope: 'other', cases: [room(refusedToAll, () => ({ topic: 'taken over' }))] },
  'rooms.role': {
    scope: 'other',
    cases: [
      room(refusedToAll, (fx) => ({ username: fx.alice, role: 'member' }), 'demoting the owner'),
      room(
        refusedToAll,
        (fx, a) => ({ username: fx.names[a], role: 'owner' }),
        'promoting themselves',
      ),
    ],
  },
  'rooms.kick': { scope: 'other', cases: [room(refusedToAll, (fx) => ({ username: fx.alice }))] },
  'rooms.ban': { scope: 'other', cases: [room(refusedToAll, (fx) => ({ username: fx.alice }))] },
  'rooms.unban': {
    scope: 'other',
    cases: [room(refusedToAll, (fx) => ({ username: fx.names.banned }))],
  },
  'rooms.bans': { scope: 'other', cases: [room(refusedToAll)] },
  'rooms.mute': {
    scope: 'other',
    cases: [
      room(refusedToAll, (fx) => ({ username: fx.alice, on: true }), 'muting the owner'),
      room(refusedToAll, (fx) => ({ username: fx.names.muted, on: false }), 'unmuting'),
    ],
  },
  'rooms.notify': {
    scope: 'other',
    cases: [room({ ...nonMember, muted: 'allowed' }, () => ({ notify: 'none' }))],
  },
  'rooms.send': {
    scope: 'other',
    cases: [room(refusedToAll, (_fx, a) => ({ clientId: `r-${a}-${Math.random()}`, text: 'hi' }))],
  },
  'rooms.edit': {
    scope: 'other',
    cases: [
      room(refusedToAll, (fx, a) => ({ id: fx.own[a], text: 'edited' }), 'their own message'),
    ],
  },
  'rooms.delete': {
    scope: 'other',
    cases: [
      room({ ...nonMember, muted: 'allowed' }, (fx, a) => ({ id: fx.own[a] }), 'their own message'),
      room(refusedToAll, (fx) => ({ id: fx.aliceRoomMsg }), "the owner's message"),
    ],
  },
  'rooms.react': {
    scope: 'other',
    cases: [room(refusedToAll, (fx, a) => ({ id: fx.own[a], emoji: '👍' }), 'their own message')],
  },
  'rooms.history': { scope: 'other', cases: [room(readable)] },
  'rooms.search': { scope: 'other', cases: [room(readable, () => ({ q: 'secret' }))] },
  'rooms.events': { scope: 'other', cases: [room(readable)] },
  'rooms.mark': {
    scope: 'other',
    cases: [room({ ...nonMember, muted: 'allowed' }, () => ({ read: 1 }))],
  },
  'rooms.typing': {
    scope: 'other',
    cases: [room(refusedToAll, () => ({ state: 'start' }))],
  },
};

/** A path parameter's stand-in for the token rows (the refusal comes before any lookup). */
function fillPath(url: string): string {
  return url.replace(/:(\w+)/g, (_m, k: string) =>
    k === 'room' ? ROOM : k === 'id' ? '01aaaaaaaaaaaaaaaaaaaaaaaa' : 'someone',
  );
}

describe('the authorization matrix covers every operation', () => {
  it('has a row for every operation in the table, and none for an unknown one', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(Object.keys(OPS).sort());
  });
  it('every REST route names an operation of the table', () => {
    for (const [, , op] of REST_ROUTES) expect(Object.hasOwn(OPS, op), op).toBe(true);
  });
  it("every operation that touches others' data lists each hostile actor of its kind", () => {
    for (const [name, row] of Object.entries(MATRIX)) {
      if (row.scope !== 'other') continue;
      for (const c of row.cases) {
        const want = c.target === 'room' ? roomActors : userActors;
        const missing = want.filter((a) => !(a in c.expect));
        if (c.check || name === 'rooms.directory' || name === 'directory.search') continue;
        expect(missing, `${name} ${c.label}`).toEqual([]);
      }
    }
  });
});

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`authorization matrix (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    const conns: ParleyConnection[] = [];
    const actors = {} as Record<Actor, { c: ParleyClient; conn: ParleyConnection; id: string }>;
    let alice: { c: ParleyClient; conn: ParleyConnection; events: ServerEvent[] };
    let bob: { c: ParleyClient; conn: ParleyConnection };
    const fx = { own: {}, names: {} } as Fixture;

    async function person(prefix: string) {
      const c = node.client();
      const name = uname(prefix);
      const reg = await c.register(name, 'password123');
      const conn = await c.connect();
      conns.push(conn);
      return { c, name, id: reg.user.id, session: reg.session.id, conn };
    }

    beforeAll(async () => {
      node = await startSingle(backend, {
        limits: {
          requests_per_minute_per_address: 1_000_000,
        },
        native: {
          frames_per_second: 100_000,
          frame_burst: 100_000,
          // Every refusal here is deliberate; the connection must outlive them.
          bad_frames_before_close: 100_000,
        },
        messages: { per_second: 100_000, burst: 100_000 },
      });
      const a = await person('alice');
      const b = await person('bob');
      fx.alice = a.name;
      fx.bob = b.name;
      fx.aliceSession = a.session;
      alice = { c: a.c, conn: a.conn, events: [] };
      a.conn.onAny((e) => alice.events.push(e));
      bob = { c: b.c, conn: b.conn };
      for (const k of ['stranger', 'blocked', 'muted', 'kicked', 'banned'] as Actor[]) {
        const p = await person(k.slice(0, 4));
        actors[k] = { c: p.c, conn: p.conn, id: p.id };
        fx.names[k] = p.name;
      }
      await a.c.block(fx.names.blocked);
      // A direct conversation between alice and bob, and a message held by her filter.
      fx.bobDm = (
        await a.conn.request<{ message: { id: string } }>('messages.send', {
          to: b.name,
          clientId: 'dm-1',
          text: 'a secret between us',
        })
      ).message.id;
      await b.conn.request('messages.send', { to: a.name, clientId: 'dm-2', text: 'secret too' });
      await a.c.addFilter('spamword');
      await b.conn.request('messages.send', { to: a.name, clientId: 'dm-3', text: 'spamword' });
      const held = await a.conn.request<{ messages: { id: string }[] }>('filtered.list', {});
      fx.heldId = held.messages[0]!.id;
      // The private room: three members who each said something, then are sanctioned.
      await a.conn.request('rooms.create', { name: `#${ROOM}`, visibility: 'private' });
      fx.aliceRoomMsg = (
        await a.conn.request<{ message: { id: string } }>('rooms.send', {
          room: ROOM,
          clientId: 'owner-1',
          text: 'the secret plan',
        })
      ).message.id;
      for (const k of ['muted', 'kicked', 'banned'] as const) {
        await a.conn.request('rooms.invite', { room: ROOM, username: fx.names[k] });
        await actors[k].conn.request('rooms.join', { room: ROOM });
        fx.own[k] = (
          await actors[k].conn.request<{ message: { id: string } }>('rooms.send', {
            room: ROOM,
            clientId: `own-${k}`,
            text: `${k} was here`,
          })
        ).message.id;
      }
      fx.own.stranger = fx.aliceRoomMsg;
      fx.own.blocked = fx.aliceRoomMsg;
      await a.conn.request('rooms.mute', { room: ROOM, username: fx.names.muted, on: true });
      await a.conn.request('rooms.kick', { room: ROOM, username: fx.names.kicked });
      await a.conn.request('rooms.ban', { room: ROOM, username: fx.names.banned });
    });
    afterAll(async () => {
      for (const c of conns) c.close();
      await node?.dispose();
    });

    /** Everything alice can see of her own data and of her room, without volatile times. */
    async function view(): Promise<string> {
      const r = alice.conn;
      const parts = await Promise.all([
        r.request('contacts.list', {}),
        r.request('blocks.list', {}),
        r.request('sync', { after: 0, limit: 500 }),
        r.request('messages.history', { with: fx.bob }),
        r.request('conversations.list', {}),
        r.request('filtered.list', {}),
        r.request('me.get', {}),
        r.request('rooms.get', { room: ROOM }),
        r.request('rooms.members', { room: ROOM }),
        r.request('rooms.bans', { room: ROOM }),
        r.request('rooms.events', { room: ROOM, after: 0, limit: 500 }),
        r.request('rooms.history', { room: ROOM, limit: 100 }),
        r.request('rooms.search', { room: ROOM, q: 'was here' }),
        r.request('messages.search', { q: 'secret' }),
      ]);
      return JSON.stringify(parts, (k, v: unknown) =>
        ['lastSeenAt', 'lastSeen', 'at', 'since', 'lastAddress', 'time'].includes(k) ? 0 : v,
      );
    }

    let barriers = 0;
    /** Everything alice's connection received from `actor` since `from` (a barrier first). */
    async function eventsFrom(actor: Actor, from: number): Promise<ServerEvent[]> {
      // Bob's message travels behind anything the actor caused: once it is here,
      // whatever the actor's request produced for alice has arrived too.
      const n = alice.events.length;
      const clientId = `barrier-${++barriers}`;
      await bob.conn.request('messages.send', { to: fx.alice, clientId, text: 'barrier' });
      await expect
        .poll(() => alice.events.slice(n).some((e) => JSON.stringify(e.data).includes(clientId)), {
          timeout: 10_000,
        })
        .toBe(true);
      const id = actors[actor].id;
      return alice.events
        .slice(from)
        .filter(
          (e) =>
            JSON.stringify(e.data).includes(id) || JSON.stringify(e.data).includes(fx.names[actor]),
        );
    }

    const cases: [string, Case, Actor, Outcome][] = [];
    for (const [name, row] of Object.entries(MATRIX))
      if (row.scope === 'other')
        for (const c of row.cases)
          for (const [actor, outcome] of Object.entries(c.expect) as [Actor, Outcome][])
            if (outcome !== 'allowed') cases.push([name, c, actor, outcome]);

    for (const [name, c, actor, outcome] of cases) {
      it(`${name} (${c.label}) by the ${actor}: ${outcome}`, async () => {
        const before = await view();
        const mark = alice.events.length;
        let result: unknown;
        let error: ParleyApiError | undefined;
        try {
          result = await actors[actor].conn.request(name, c.input(fx, actor));
        } catch (e) {
          if (!(e instanceof ParleyApiError)) throw e;
          error = e;
        }
        if (outcome === 'ok' || outcome === 'silent') {
          expect(error?.condition, error?.message).toBeUndefined();
          c.check?.(result, fx);
        } else {
          expect(error?.condition ?? `answered ${JSON.stringify(result)}`).toBe(outcome);
        }
        if (outcome !== 'ok') {
          expect(await view()).toBe(before);
          expect(await eventsFrom(actor, mark)).toEqual([]);
        }
      });
    }

    describe('dead tokens', () => {
      const tokens = {} as Record<'revoked' | 'disabled' | 'deleted', string>;
      const want = {
        revoked: 'not-authenticated',
        // Disabling signs the account out everywhere: its tokens are gone.
        disabled: 'not-authenticated',
        deleted: 'not-authenticated',
      } as const;
      beforeAll(async () => {
        const r = node.client();
        const rName = uname('rev');
        tokens.revoked = (await r.register(rName, 'password123')).token;
        const again = node.client();
        await again.login(rName, 'password123');
        const mine = await again.sessions();
        const victim = mine.sessions.find((s) => s.id !== mine.current)!;
        await again.revokeSession(victim.id);
        const d = node.client();
        const dName = uname('dis');
        tokens.disabled = (await d.register(dName, 'password123')).token;
        await node.parley.core.accounts.adminSetDisabled(dName, true);
        const x = node.client();
        tokens.deleted = (await x.register(uname('del'), 'password123')).token;
        await x.deleteAccount('password123');
      });

      for (const state of ['revoked', 'disabled', 'deleted'] as const) {
        it(`every REST route that needs a token refuses a ${state} one`, async () => {
          const seen: string[] = [];
          for (const [method, url, op, input, , auth] of REST_ROUTES) {
            if (auth === false) continue;
            const res = await fetch(`${node.url}${fillPath(url)}`, {
              method,
              headers: {
                authorization: `Bearer ${tokens[state]}`,
                ...(input === 'body' ? { 'content-type': 'application/json' } : {}),
              },
              ...(input === 'body' ? { body: '{}' } : {}),
            });
            const body = (await res.json()) as { error?: { condition?: string } };
            seen.push(`${op} ${res.status} ${body.error?.condition ?? 'ok'}`);
          }
          const wrong = seen.filter((s) => !s.endsWith(` ${want[state]}`));
          expect(wrong).toEqual([]);
        });

        it(`the WebSocket refuses a ${state} token`, async () => {
          const c = node.client(tokens[state]);
          const err = await c.connect().then(
            (conn) => {
              conn.close();
              return undefined;
            },
            (e: unknown) => e as ParleyApiError,
          );
          expect(err?.condition).toBe(want[state]);
        });
      }

      it('every operation on a socket whose session was revoked is refused or the socket is closed', async () => {
        const c = node.client();
        const name = uname('late');
        await c.register(name, 'password123');
        const conn = await c.connect();
        const other = node.client();
        await other.login(name, 'password123');
        const mine = await other.sessions();
        await other.revokeSession(mine.sessions.find((s) => s.id !== mine.current)!.id);
        for (const op of Object.keys(OPS)) {
          if (!OPS[op]!.auth) continue;
          // ws drops a frame sent on a closed socket without a word: race the close.
          const outcome = await Promise.race([
            Promise.resolve()
              .then(() => conn.request(op, {}))
              .then(
                () => 'answered',
                (e: ParleyApiError) => e.condition,
              ),
            conn.closed.then(() => 'unavailable'),
          ]);
          // Closed (unavailable, from the SDK) or refused; never served, never a 500.
          expect(['unavailable', 'not-authenticated'], `${op}: ${outcome}`).toContain(outcome);
        }
        expect((await conn.closed).code).toBe(4002);
      });
    });
  });
}
