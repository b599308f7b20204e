import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ParleyClient } from '../../src/sdk/client.js';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import { nodeWebSocket } from '../../src/sdk/node.js';
import { describeOn, everyStoreBackend, tempDir } from '../helpers/backends.js';
import { expectError, json, raw } from '../helpers/http.js';
import {
  expectPresence,
  type Inbox,
  openWatched,
  type PresenceData,
  spawnServe,
} from '../helpers/presence.js';
import { startSingle, type TestNode, uname } from '../helpers/server.js';

/**
 * Presence on one node, on every store backend: who is told what, when, and
 * nothing to anyone without consent. Every wait is for an event; the absence
 * of an event is checked after a ping reply, which the server writes after
 * everything it sent the connection before.
 */

const PASSWORD = 'correct horse battery';

interface User {
  name: string;
  id: string;
  token: string;
  client: ParleyClient;
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`presence (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    const open: ParleyConnection[] = [];

    beforeAll(async () => {
      // Many users register and connect from one address here: no per-address limit.
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 1_000_000 } });
    });
    afterEach(() => {
      for (const c of open.splice(0)) c.close();
    });
    afterAll(async () => {
      await node?.dispose();
    });

    async function user(prefix: string, on: TestNode = node): Promise<User> {
      const client = on.client();
      const name = uname(prefix);
      const reg = await client.register(name, PASSWORD);
      return { name, id: reg.user.id, token: reg.token, client };
    }

    /**
     * `a` and `b` come to see each other's presence. `aInbox`, a connection of `a`'s
     * open before, is told b's presence at once; this waits for that event, so it
     * is not mistaken for a later one.
     */
    async function friends(a: User, b: User, aInbox?: Inbox): Promise<PresenceData | undefined> {
      await a.client.requestContact(b.name);
      await b.client.approveContact(a.name);
      return aInbox?.presence(b.id);
    }

    async function connect(u: User, on: TestNode = node) {
      const w = await openWatched(on, u.token);
      open.push(w.conn);
      return w;
    }

    /** Closes `conn` and waits until the server saw it go. */
    async function close(conn: ParleyConnection): Promise<void> {
      conn.close();
      await conn.closed;
    }

    const setPresence = (conn: ParleyConnection, data: Record<string, unknown>) =>
      conn.request<{ presence: PresenceData }>('presence.set', data);

    async function presenceList(u: User): Promise<PresenceData[]> {
      const res = await raw(node.url, 'GET', '/api/v1/presence', {
        headers: { authorization: `Bearer ${u.token}` },
      });
      expect(res.status, res.text).toBe(200);
      return (res.body as { contacts: PresenceData[] }).contacts;
    }

    async function privacy(u: User, patch?: unknown) {
      return raw(
        node.url,
        patch === undefined ? 'GET' : 'PATCH',
        '/api/v1/me/privacy',
        patch === undefined
          ? { headers: { authorization: `Bearer ${u.token}` } }
          : json(patch, { authorization: `Bearer ${u.token}` }),
      );
    }

    /** `inbox` has had no presence event about `userId` beyond the first `taken`, up to now. */
    async function expectNothingAbout(inbox: Inbox, userId: string, taken = 0): Promise<void> {
      await inbox.drain();
      expect(inbox.presenceAbout(userId).slice(taken)).toEqual([]);
    }

    /** No snapshot `inbox` has had, up to now, names `userId`. */
    async function expectNotInSnapshots(inbox: Inbox, userId: string): Promise<void> {
      await inbox.drain();
      for (const s of inbox.snapshots()) expect(s.map((p) => p.userId)).not.toContain(userId);
    }

    it('B arriving: A is told B is available, and B is given a snapshot with A in it', async () => {
      const a = await user('pa');
      const b = await user('pb');
      const aw = await connect(a);
      // Approved, A is told of B at once: B has never been online, so no last-seen time.
      expectPresence(await friends(a, b, aw.inbox), {
        userId: b.id,
        username: b.name,
        show: 'offline',
        lastSeen: null,
      });
      const aSnap = await (await connect(a)).inbox.snapshot();
      expect(aSnap).toHaveLength(1);
      expectPresence(aSnap[0], { userId: b.id, username: b.name, show: 'offline', lastSeen: null });

      const bw = await connect(b);
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'available',
        lastSeen: null,
      });
      const bSnap = await bw.inbox.snapshot();
      expect(bSnap).toHaveLength(1);
      expectPresence(bSnap[0], {
        userId: a.id,
        username: a.name,
        show: 'available',
        lastSeen: null,
      });
      // B is not B's own watcher: B's connection is told nothing about B.
      await expectNothingAbout(bw.inbox, b.id);

      const listed = await presenceList(a);
      expect(listed).toHaveLength(1);
      expectPresence(listed[0], {
        userId: b.id,
        username: b.name,
        show: 'available',
        lastSeen: null,
      });
    });

    it('an invisible user connecting more tabs, changing status and leaving shows nothing and moves no last-seen', async () => {
      const a = await user('ia');
      const b = await user('ib');
      const aw = await connect(a);
      await friends(a, b, aw.inbox);
      const bw = await connect(b);
      expect((await aw.inbox.presence(b.id)).show).toBe('available');
      await setPresence(bw.conn, { show: 'invisible' });
      const hidden = await aw.inbox.presence(b.id);
      expect(hidden.show).toBe('offline');
      const second = await connect(b); // starts invisible like the others
      await setPresence(bw.conn, { show: 'invisible', status: 'still hiding' });
      await close(second.conn);
      await close(bw.conn);
      // b comes back visibly: b's updates run in order, so anything the hidden tabs
      // caused reaches a before this.
      await connect(b);
      expect((await aw.inbox.presence(b.id)).show).toBe('available');
      expect(aw.inbox.presenceAbout(b.id).map((p) => p.show)).toEqual([
        'offline', // told on approval, before b connected
        'available',
        'offline',
        'available',
      ]);
      expect((await node.parley.store.presence.lastSeen([b.id])).get(b.id)).toBe(hidden.lastSeen);
    });

    it('since stays put while show and status do not change, and at orders events', async () => {
      const a = await user('ta');
      const b = await user('tb');
      const aw = await connect(a);
      await friends(a, b, aw.inbox);
      const bw = await connect(b);
      const first = await aw.inbox.presence(b.id);
      const other = await connect(b); // a second available session changes nothing visible
      const again = await aw.inbox.presence(b.id);
      expect(again.since).toBe(first.since);
      expect(again.at).toBeGreaterThanOrEqual(first.at);
      await setPresence(other.conn, { show: 'dnd' });
      const dnd = await aw.inbox.presence(b.id);
      expect(dnd.since).toBeGreaterThanOrEqual(first.since);
      expect(dnd.at).toBeGreaterThanOrEqual(again.at);
      bw.conn.close();
    });

    it('every show reaches the watcher; invisible and leaving look offline with a last-seen time', async () => {
      const a = await user('sa');
      const b = await user('sb');
      const aw = await connect(a);
      await friends(a, b, aw.inbox);
      const bw = await connect(b);
      expect((await aw.inbox.presence(b.id)).show).toBe('available');

      const away = await setPresence(bw.conn, { show: 'away', status: 'lunch' });
      expect(away.presence).toMatchObject({ userId: b.id, show: 'away', status: 'lunch' });
      const seenAway = await aw.inbox.presence(b.id);
      expectPresence(seenAway, {
        userId: b.id,
        username: b.name,
        show: 'away',
        status: 'lunch',
        lastSeen: null,
      });

      for (const show of ['dnd', 'xa'] as const) {
        await setPresence(bw.conn, { show, status: `now ${show}` });
        expectPresence(await aw.inbox.presence(b.id), {
          userId: b.id,
          username: b.name,
          show,
          status: `now ${show}`,
          lastSeen: null,
        });
      }

      const before = Date.now();
      await setPresence(bw.conn, { show: 'invisible', status: 'hiding' });
      const hidden = await aw.inbox.presence(b.id);
      // Nothing of the invisible session shows: not its status either.
      expectPresence(hidden, {
        userId: b.id,
        username: b.name,
        show: 'offline',
        lastSeen: 'number',
      });
      expect(hidden.lastSeen).toBeGreaterThanOrEqual(before);
      expectPresence((await presenceList(a))[0], {
        userId: b.id,
        username: b.name,
        show: 'offline',
        lastSeen: 'number',
      });

      await setPresence(bw.conn, { show: 'available' });
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'available',
        lastSeen: null,
      });

      const closing = Date.now();
      await close(bw.conn);
      const gone = await aw.inbox.presence(b.id);
      expectPresence(gone, { userId: b.id, username: b.name, show: 'offline', lastSeen: 'number' });
      expect(gone.lastSeen).toBeGreaterThanOrEqual(closing);
      expect(gone.lastSeen).toBeGreaterThanOrEqual(hidden.lastSeen!);

      // The next connection of A is given the same in its snapshot.
      const again = await connect(a);
      const snap = await again.inbox.snapshot();
      expectPresence(snap[0], {
        userId: b.id,
        username: b.name,
        show: 'offline',
        lastSeen: 'number',
      });
      expect(snap[0]!.lastSeen).toBe(gone.lastSeen);
    });

    it('with showLastSeen off, offline events, snapshots and the list carry no last-seen time', async () => {
      const a = await user('la');
      const b = await user('lb');
      const aw = await connect(a);
      await friends(a, b, aw.inbox);
      const got = await privacy(b);
      expect(got.status, got.text).toBe(200);
      expect(got.body).toEqual({ showLastSeen: true, sendReceipts: true, linkPreviews: true });
      const off = await privacy(b, { showLastSeen: false });
      expect(off.status, off.text).toBe(200);
      expect(off.body).toEqual({ showLastSeen: false, sendReceipts: true, linkPreviews: true });
      expect((await privacy(b)).body).toEqual({
        showLastSeen: false,
        sendReceipts: true,
        linkPreviews: true,
      });
      // Bad input changes nothing.
      expectError(await privacy(b, { showLastSeen: 'no' }), 400, 'bad-request', 'showLastSeen');
      expect((await privacy(b)).body).toEqual({
        showLastSeen: false,
        sendReceipts: true,
        linkPreviews: true,
      });

      const bw = await connect(b);
      expect((await aw.inbox.presence(b.id)).show).toBe('available');
      await setPresence(bw.conn, { show: 'invisible' });
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'offline',
        lastSeen: null,
      });
      await setPresence(bw.conn, { show: 'available' });
      await aw.inbox.presence(b.id);
      await close(bw.conn);
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'offline',
        lastSeen: null,
      });
      const snap = await (await connect(a)).inbox.snapshot();
      expectPresence(snap[0], { userId: b.id, username: b.name, show: 'offline', lastSeen: null });
      expectPresence((await presenceList(a))[0], {
        userId: b.id,
        username: b.name,
        show: 'offline',
        lastSeen: null,
      });

      // Switched back on, the time kept all along shows again.
      expect((await privacy(b, { showLastSeen: true })).body).toEqual({
        showLastSeen: true,
        sendReceipts: true,
        linkPreviews: true,
      });
      expectPresence((await presenceList(a))[0], {
        userId: b.id,
        username: b.name,
        show: 'offline',
        lastSeen: 'number',
      });
    });

    it('two sessions add up to the most available; closing one leaves the other’s show and status', async () => {
      const a = await user('ma');
      const b = await user('mb');
      const aw = await connect(a);
      await friends(a, b, aw.inbox);
      const b1 = await connect(b);
      expect((await aw.inbox.presence(b.id)).show).toBe('available');
      await setPresence(b1.conn, { show: 'away', status: 'brb' });
      expect((await aw.inbox.presence(b.id)).show).toBe('away');

      const b2 = await connect(b);
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'available',
        lastSeen: null,
      });
      // dnd is more available than away: still the second session's.
      await setPresence(b2.conn, { show: 'dnd', status: 'focus' });
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'dnd',
        status: 'focus',
        lastSeen: null,
      });
      await setPresence(b2.conn, { show: 'available' });
      expect((await aw.inbox.presence(b.id)).show).toBe('available');

      await close(b2.conn);
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'away',
        status: 'brb',
        lastSeen: null,
      });
      await close(b1.conn);
      expect((await aw.inbox.presence(b.id)).show).toBe('offline');
    });

    it('a request not yet approved, or no relation at all, shows nothing about B', async () => {
      const a = await user('wa');
      const b = await user('wb');
      const c = await user('wc');
      const d = await user('wd');
      const aw = await connect(a);
      await friends(a, b, aw.inbox);
      await c.client.requestContact(b.name);
      const cw = await connect(c);
      const dw = await connect(d);

      const bw = await connect(b);
      // The broadcast for B's arrival has gone out.
      expect((await aw.inbox.presence(b.id)).show).toBe('available');
      const bSnap = await bw.inbox.snapshot();
      expect(bSnap.map((p) => p.userId)).toEqual([a.id]);
      await setPresence(bw.conn, { show: 'away', status: 'secret' });
      await close(bw.conn);
      expect((await aw.inbox.presence(b.id)).show).toBe('away');
      expect((await aw.inbox.presence(b.id)).show).toBe('offline');

      for (const w of [cw, dw]) {
        await expectNothingAbout(w.inbox, b.id);
        await expectNotInSnapshots(w.inbox, b.id);
        // They watch nobody, so they were given no snapshot at all.
        expect(w.inbox.snapshots()).toEqual([]);
      }
      expect(await presenceList(c)).toEqual([]);
      expect(await presenceList(d)).toEqual([]);
    });

    it('approval: the new watcher is given B’s current presence at once, then B’s changes', async () => {
      const b = await user('ab');
      const c = await user('ac');
      await c.client.requestContact(b.name);
      const bw = await connect(b);
      await setPresence(bw.conn, { show: 'away', status: 'lunch' });
      const cw = await connect(c);
      await expectNothingAbout(cw.inbox, b.id);

      await b.client.approveContact(c.name, false); // one way: c sees b
      expectPresence(await cw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'away',
        status: 'lunch',
        lastSeen: null,
      });
      await setPresence(bw.conn, { show: 'dnd' });
      expect((await cw.inbox.presence(b.id)).show).toBe('dnd');
      // One way: b sees nothing of c.
      await expectNothingAbout(bw.inbox, c.id);
      expect((await presenceList(c)).map((p) => [p.userId, p.show])).toEqual([[b.id, 'dnd']]);
    });

    for (const how of ['deny', 'cancel', 'remove'] as const) {
      it(`${how}: the watcher is told B is offline, and hears nothing more`, async () => {
        const a = await user(`${how[0]}a`);
        const b = await user(`${how[0]}b`);
        const aw = await connect(a);
        const bw = await connect(b);
        expect((await friends(a, b, aw.inbox))?.show).toBe('available');

        if (how === 'deny') await b.client.denyContact(a.name); // b stops sharing with a
        if (how === 'cancel') await a.client.cancelContact(b.name); // a stops watching b
        if (how === 'remove') await a.client.removeContact(b.name);
        // Consent taken away tells nothing about when B was last seen. A push of B's
        // presence from the approval may still be on its way: it is older (`at`), and
        // clients order presence by `at` (docs/protocol.md), so skip it.
        let told = await aw.inbox.presence(b.id);
        while (told.show !== 'offline') {
          const next = await aw.inbox.presence(b.id);
          expect(next.at).toBeGreaterThanOrEqual(told.at);
          told = next;
        }
        expectPresence(told, {
          userId: b.id,
          username: b.name,
          show: 'offline',
          lastSeen: null,
        });
        const taken = aw.inbox.presenceAbout(b.id).length;
        await setPresence(bw.conn, { show: 'away', status: 'after' });
        await expectNothingAbout(aw.inbox, b.id, taken);
        expect((await presenceList(a)).map((p) => p.userId)).not.toContain(b.id);
      });
    }

    it('B blocking A: A is told B is offline and hears nothing more; unblocking lets it flow again', async () => {
      const a = await user('ba');
      const b = await user('bb');
      const e = await user('be'); // another watcher: shows when a broadcast about B went out
      const aw = await connect(a);
      const ew = await connect(e);
      const bw = await connect(b);
      expect((await friends(a, b, aw.inbox))?.show).toBe('available');
      expect((await friends(e, b, ew.inbox))?.show).toBe('available');

      await b.client.block(a.name);
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'offline',
        lastSeen: null,
      });
      // A's own row about B is untouched: the block alone stops the flow.
      const row = (await a.client.contacts()).find((x) => x.username === b.name);
      expect(['to', 'both']).toContain(row?.subscription);

      const taken = aw.inbox.presenceAbout(b.id).length;
      await setPresence(bw.conn, { show: 'away', status: 'blocked you' });
      await expectNothingAbout(aw.inbox, b.id, taken);
      expect((await presenceList(a)).map((p) => p.userId)).not.toContain(b.id);
      await expectNotInSnapshots((await connect(a)).inbox, b.id);
      expect((await ew.inbox.presence(b.id)).show).toBe('away');
      await close(bw.conn);
      expect((await ew.inbox.presence(b.id)).show).toBe('offline');
      await expectNothingAbout(aw.inbox, b.id, taken);

      const bw2 = await connect(b);
      expect((await ew.inbox.presence(b.id)).show).toBe('available');
      await setPresence(bw2.conn, { show: 'xa', status: 'back soon' });
      await expectNothingAbout(aw.inbox, b.id, taken);

      await b.client.unblock(a.name);
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'xa',
        status: 'back soon',
        lastSeen: null,
      });
      await setPresence(bw2.conn, { show: 'available' });
      expect((await aw.inbox.presence(b.id)).show).toBe('available');
      expect((await presenceList(a)).map((p) => [p.userId, p.show])).toEqual([[b.id, 'available']]);
    });

    it('bad presence.set input is refused naming the field, and changes nothing', async () => {
      const a = await user('xa');
      const b = await user('xb');
      const aw = await connect(a);
      const bw = await connect(b);
      expect((await friends(a, b, aw.inbox))?.show).toBe('available');
      await setPresence(bw.conn, { show: 'away', status: 'kept' });
      await aw.inbox.presence(b.id);
      const taken = aw.inbox.presenceAbout(b.id).length;

      const bad: [Record<string, unknown>, string][] = [
        [{ show: 'busy' }, 'show'],
        [{ show: 'offline' }, 'show'],
        [{ show: 'AWAY' }, 'show'],
        [{ show: 42 }, 'show'],
        [{ show: null }, 'show'],
        [{}, 'show'],
        [{ show: 'dnd', status: 42 }, 'status'],
        [{ show: 'dnd', status: ['x'] }, 'status'],
        [{ show: 'dnd', status: 'x'.repeat(201) }, 'status'],
        [{ show: 'dnd', status: '😀'.repeat(201) }, 'status'],
        [{ show: 'dnd', status: 'a\u0000b' }, 'status'],
        [{ show: 'dnd', status: 'a\u001bb' }, 'status'],
        [{ show: 'dnd\u0000' }, 'show'],
      ];
      for (const [input, field] of bad)
        await expect(setPresence(bw.conn, input), JSON.stringify(input)).rejects.toMatchObject({
          condition: 'bad-request',
          field,
        });
      await expectNothingAbout(aw.inbox, b.id, taken);
      expectPresence((await presenceList(a))[0], {
        userId: b.id,
        username: b.name,
        show: 'away',
        status: 'kept',
        lastSeen: null,
      });

      // The limit is 200 characters, not UTF-16 units; tabs and line breaks become spaces.
      await setPresence(bw.conn, { show: 'dnd', status: '😀'.repeat(200) });
      expect((await aw.inbox.presence(b.id)).status).toBe('😀'.repeat(200));
      await setPresence(bw.conn, { show: 'dnd', status: 'a\nb\tc' });
      expect((await aw.inbox.presence(b.id)).status).toBe('a b c');
    });

    it('presence is set only over the WebSocket: REST has no such route, but lists presence', async () => {
      const a = await user('ra');
      const b = await user('rb');
      await friends(a, b);
      const auth = { authorization: `Bearer ${b.token}` };
      for (const method of ['POST', 'PUT', 'PATCH'])
        expectError(
          await raw(node.url, method, '/api/v1/presence', json({ show: 'away' }, auth)),
          404,
          'not-found',
        );
      const list = await raw(node.url, 'GET', '/api/v1/presence', { headers: auth });
      expect(list.status, list.text).toBe(200);
      expect(list.body).toEqual({
        contacts: [
          {
            userId: a.id,
            username: a.name,
            show: 'offline',
            status: '',
            since: expect.any(Number),
            at: expect.any(Number),
            lastSeen: null,
          },
        ],
      });
      expectError(await raw(node.url, 'GET', '/api/v1/presence'), 401, 'not-authenticated');
    });
  });

  describeOn(backend)(`presence of a dropped connection (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend, { native: { heartbeat_seconds: 1 } });
    });
    afterAll(async () => {
      await node?.dispose();
    });

    it('a client that stops answering pings is cut off and its watchers see it offline', async () => {
      const reg = async (p: string) => {
        const client = node.client();
        const name = uname(p);
        const r = await client.register(name, PASSWORD);
        return { client, name, id: r.user.id, token: r.token };
      };
      const a = await reg('da');
      const b = await reg('db');
      const aw = await openWatched(node, a.token);
      await a.client.requestContact(b.name);
      await b.client.approveContact(a.name);
      expect((await aw.inbox.presence(b.id)).show).toBe('offline');

      // B: a raw client authenticated by its upgrade request.
      const ws = new WebSocket(node.wsUrl, { headers: { authorization: `Bearer ${b.token}` } });
      ws.on('error', () => {});
      const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
      const hello = await new Promise<Record<string, unknown>>((resolve) =>
        ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()) as never)),
      );
      expect(hello.type).toBe('hello');
      expect((await aw.inbox.presence(b.id)).show).toBe('available');

      // Stop reading: pings go unanswered, as with a laptop lid closed or a dead NAT.
      (ws as unknown as { _socket: Socket })._socket.pause();
      const gone = await aw.inbox.presence(b.id);
      expectPresence(gone, { userId: b.id, username: b.name, show: 'offline', lastSeen: 'number' });
      expect(node.parley.core.sessions.of(b.id)).toHaveLength(0);
      // A, which answers its pings, is still connected.
      await aw.inbox.drain();
      ws.terminate();
      await closed;
      aw.conn.close();
    });
  });

  describeOn(backend)(
    `presence after a crash and a restart under the same node id (${backend.name})`,
    () => {
      // Made in beforeAll, not here: a skipped suite's body still runs to list its tests.
      let db: ReturnType<typeof backend.make>;
      const data = tempDir();
      beforeAll(() => {
        db = backend.make();
      });
      afterAll(async () => {
        await db?.cleanup();
        data.cleanup();
      });

      it('what the crashed run left under its id is swept: B is offline, not a ghost', async () => {
        const env: Record<string, string> = {
          PARLEY_DATABASE_URL: db.url,
          ...(db.pgSchema ? { PARLEY_DATABASE_SCHEMA: db.pgSchema } : {}),
          // SQLite keeps its file in the data folder; PostgreSQL needs one of its own.
          PARLEY_DATA_DIR: db.pgSchema ? data.dir : db.dataDir,
          PARLEY_SERVER_NODE_ID: 'restarted',
        };
        let run = await spawnServe(env);
        try {
          const at = (url: string) => ({
            client: (token?: string) =>
              new ParleyClient({
                baseUrl: url,
                webSocket: nodeWebSocket,
                ...(token ? { token } : {}),
              }),
          });
          const reg = async (prefix: string) => {
            const client = at(run.url).client();
            const name = uname(prefix);
            const r = await client.register(name, PASSWORD);
            return { name, id: r.user.id, token: r.token, client };
          };
          const a = await reg('ra');
          const b = await reg('rb');
          const aw = await openWatched(at(run.url), a.token);
          await a.client.requestContact(b.name);
          await b.client.approveContact(a.name);
          expect((await aw.inbox.presence(b.id)).show).toBe('offline');
          const bConn = await at(run.url).client(b.token).connect();
          expect((await aw.inbox.presence(b.id)).show).toBe('available');

          await run.crash();
          await Promise.all([aw.conn.closed, bConn.closed]);
          // Restarted at once, well within presence.node_timeout_seconds, under the same id.
          run = await spawnServe(env);
          const again = await openWatched(at(run.url), a.token);
          const snap = await again.inbox.snapshot();
          expect(snap.map((p) => [p.userId, p.show])).toEqual([[b.id, 'offline']]);
          const list = await raw(run.url, 'GET', '/api/v1/presence', {
            headers: { authorization: `Bearer ${a.token}` },
          });
          expect(
            (list.body as { contacts: PresenceData[] }).contacts.map((p) => [p.userId, p.show]),
          ).toEqual([[b.id, 'offline']]);
          again.conn.close();
        } finally {
          await run.crash();
        }
      }, 90_000);
    },
  );
}
