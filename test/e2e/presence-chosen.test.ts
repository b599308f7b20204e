import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { expectError, json, raw } from '../helpers/http.js';
import { ircLogin, ircPort, type RawIrc } from '../helpers/irc.js';
import { type Inbox, openWatched, type PresenceData } from '../helpers/presence.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * The account's chosen status (docs/protocol.md 5.26a): kept on the server, the
 * same on every device, given to each connection as it arrives, capping what any
 * connection shows; IRC's AWAY is one connection's and ends back on the choice.
 */
const PASSWORD = 'correct horse battery';

interface User {
  name: string;
  id: string;
  token: string;
  client: ParleyClient;
}

interface Chosen {
  show: string;
  status: string;
  at: number;
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`chosen presence (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    const open: ParleyConnection[] = [];
    const irc: RawIrc[] = [];

    beforeAll(async () => {
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 1_000_000 } });
    });
    afterEach(() => {
      for (const c of open.splice(0)) c.close();
      for (const c of irc.splice(0)) c.close();
    });
    afterAll(async () => {
      await node?.dispose();
    });

    async function user(prefix: string): Promise<User> {
      const client = node.client();
      const name = uname(prefix);
      const reg = await client.register(name, PASSWORD);
      return { name, id: reg.user.id, token: reg.token, client };
    }

    /** `watcher` sees `target`'s presence (and the other way round). */
    async function friends(watcher: User, target: User): Promise<void> {
      await watcher.client.requestContact(target.name);
      await target.client.approveContact(watcher.name);
    }

    async function connect(u: User) {
      const w = await openWatched(node, u.token);
      open.push(w.conn);
      return w;
    }

    async function chosenOn(inbox: Inbox): Promise<Chosen> {
      return (await inbox.take(
        (e) => e.name === 'presence.chosen',
        'presence.chosen',
      )) as unknown as Chosen;
    }

    /** The newest presence `inbox` holds about `userId` once everything sent so far arrived. */
    async function latest(inbox: Inbox, userId: string): Promise<PresenceData | undefined> {
      await inbox.drain();
      return inbox.presenceAbout(userId).at(-1);
    }

    async function waitShow(inbox: Inbox, userId: string, show: string, status?: string) {
      for (;;) {
        const p = await inbox.presence(userId);
        if (p.show === show && (status === undefined || p.status === status)) return p;
      }
    }

    it('a choice is the same on every device, restored on connect, and told to watchers', async () => {
      const a = await user('ca');
      const b = await user('cb');
      await friends(b, a);
      const bw = await connect(b);
      const phone = await connect(a);
      const laptop = await connect(a);
      // Never chosen: the default, which a client starts with, so nothing is sent.
      await phone.inbox.drain();
      expect(phone.inbox.events.filter((e) => e.name === 'presence.chosen')).toEqual([]);

      const r = await laptop.conn.request<{ chosen: Chosen; presence: PresenceData }>(
        'presence.choose',
        { show: 'dnd', status: ' At\tlunch ' },
      );
      expect(r.chosen).toEqual({ show: 'dnd', status: 'At lunch', at: expect.any(Number) });
      expect(r.presence).toMatchObject({ show: 'dnd', status: 'At lunch' });
      // The other device is told; the one that chose has the reply.
      expect(await chosenOn(phone.inbox)).toEqual(r.chosen);
      await laptop.inbox.drain();
      expect(laptop.inbox.events.filter((e) => e.name === 'presence.chosen')).toEqual([]);
      await waitShow(bw.inbox, a.id, 'dnd', 'At lunch');

      // A new device (a reload) starts on the choice, and shows it, not "available".
      phone.conn.close();
      laptop.conn.close();
      await Promise.all([phone.conn.closed, laptop.conn.closed]);
      await waitShow(bw.inbox, a.id, 'offline');
      const again = await connect(a);
      expect(await chosenOn(again.inbox)).toEqual(r.chosen);
      expect(await waitShow(bw.inbox, a.id, 'dnd')).toMatchObject({ status: 'At lunch' });

      // Over REST too, for a device without a live connection.
      const got = await raw(node.url, 'GET', '/api/v1/me/presence', {
        headers: { authorization: `Bearer ${a.token}` },
      });
      expect(got.status).toBe(200);
      expect(got.body).toEqual({ chosen: r.chosen });
      const put = await raw(
        node.url,
        'PUT',
        '/api/v1/me/presence',
        json({ show: 'available' }, { authorization: `Bearer ${a.token}` }),
      );
      expect(put.status, put.text).toBe(200);
      expect(await chosenOn(again.inbox)).toMatchObject({ show: 'available', status: '' });
      await waitShow(bw.inbox, a.id, 'available', '');
    });

    it('Invisible chosen on one device holds while another device opens', async () => {
      const a = await user('ia');
      const b = await user('ib');
      await friends(b, a);
      const bw = await connect(b);
      const one = await connect(a);
      await waitShow(bw.inbox, a.id, 'available');
      await one.conn.request('presence.choose', { show: 'invisible', status: 'gone fishing' });
      const off = await waitShow(bw.inbox, a.id, 'offline');
      expect(off.status).toBe('');

      const two = await connect(a);
      expect(await chosenOn(two.inbox)).toMatchObject({ show: 'invisible' });
      // A connection's own show is capped too: it cannot bring the account back.
      const set = await two.conn.request<{ presence: PresenceData }>('presence.set', {
        show: 'available',
      });
      expect(set.presence.show).toBe('offline');
      expect((await latest(bw.inbox, a.id))?.show).toBe('offline');
      const list = await b.client.presence();
      expect(list.find((p) => p.userId === a.id)?.show).toBe('offline');
      // And a message to them waits as for someone offline: nobody sees them.
      one.conn.close();
      await one.conn.closed;
      expect((await latest(bw.inbox, a.id))?.show).toBe('offline');
    });

    it('caps a connection that set its own show, and gives its own text when it is lower', async () => {
      const a = await user('pa');
      const b = await user('pb');
      await friends(b, a);
      const bw = await connect(b);
      const web = await connect(a);
      await web.conn.request('presence.choose', { show: 'away', status: 'At lunch' });
      await waitShow(bw.inbox, a.id, 'away', 'At lunch');
      // Another client (an XMPP resource would) says available: the choice caps it.
      const other = await connect(a);
      const up = await other.conn.request<{ presence: PresenceData }>('presence.set', {
        show: 'available',
        status: 'on my phone',
      });
      expect(up.presence).toMatchObject({ show: 'away', status: 'At lunch' });
      // Less available than the choice: its own show and text stand.
      const xa = await other.conn.request<{ presence: PresenceData }>('presence.set', {
        show: 'xa',
        status: 'on holiday',
      });
      expect(xa.presence).toMatchObject({ show: 'away', status: 'At lunch' });
      web.conn.close();
      await web.conn.closed;
      await waitShow(bw.inbox, a.id, 'xa', 'on holiday');
    });

    it("IRC AWAY is that connection's; AWAY without text goes back to the choice", async () => {
      const a = await user('ra');
      const b = await user('rb');
      await friends(b, a);
      const bw = await connect(b);
      const c = await ircLogin(ircPort(node), a.name, PASSWORD);
      irc.push(c);
      await waitShow(bw.inbox, a.id, 'available');
      c.send('AWAY :out for a walk');
      await c.command('306', 'RPL_NOWAWAY');
      await waitShow(bw.inbox, a.id, 'away', 'out for a walk');
      c.send('AWAY');
      await c.command('305', 'RPL_UNAWAY');
      await waitShow(bw.inbox, a.id, 'available', '');
      // The account's choice (made on the web) applies to the IRC connection too.
      await a.client.choosePresence('dnd', 'Recording');
      await waitShow(bw.inbox, a.id, 'dnd', 'Recording');
      // Invisible hides it, and AWAY cannot show it again.
      await a.client.choosePresence('invisible');
      await waitShow(bw.inbox, a.id, 'offline');
      const since = c.lines.length;
      c.send('AWAY :brb');
      await c.command('306', 'RPL_NOWAWAY', since);
      expect((await latest(bw.inbox, a.id))?.show).toBe('offline');
    });

    it('refuses a bad show or status and changes nothing', async () => {
      const a = await user('ba');
      const auth = { authorization: `Bearer ${a.token}` };
      for (const [body, field] of [
        [{ show: 'offline' }, 'show'],
        [{ show: 'AWAY' }, 'show'],
        [{ show: 'away', status: 'x'.repeat(201) }, 'status'],
        [{ show: 'away', status: null }, 'status'],
        [{ status: 'hi' }, 'show'],
        [{ show: 7 }, 'show'],
      ] as const)
        expectError(
          await raw(node.url, 'PUT', '/api/v1/me/presence', json(body, auth)),
          400,
          'bad-request',
          field,
        );
      expect(await a.client.chosenPresence()).toEqual({ show: 'available', status: '', at: 0 });
      const max = 'é'.repeat(200);
      expect((await a.client.choosePresence('xa', max)).chosen.status).toBe(max);
    });
  });
}
