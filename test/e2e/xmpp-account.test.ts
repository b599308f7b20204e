import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { RawXmpp, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * The account's own extensions of the XMPP door over raw XML, against the web
 * client on the same account: roster versioning (XEP-0237), blocking
 * (XEP-0191), last activity (XEP-0012) and entity time (XEP-0202).
 */
const PASSWORD = 'correct horse battery';
const ROSTER = 'jabber:iq:roster';
const BLOCKING = 'urn:xmpp:blocking';

const errorCondition = (el: Element): string | undefined =>
  el.getChild('error')?.elements()[0]?.name;

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP account extensions (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let tlsPort: number;
    const open: RawXmpp[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, { xmpp: { port: -1, tls_port: 0 } });
      tlsPort = xmppPorts(node).tlsPort!;
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
    });
    const account = async (prefix: string) => {
      const name = uname(prefix);
      const web = node.client();
      await web.register(name, PASSWORD);
      return { name, web };
    };
    const login = async (name: string) => {
      const c = await xmppLogin(tlsPort, name, PASSWORD);
      open.push(c);
      return c;
    };

    it('roster versions: current is an empty result, pushes carry the new version', async () => {
      const a = await account('va');
      const b = await account('vb');
      await a.web.requestContact(b.name);
      const c = await login(a.name);
      const first = await c.iq('get', `<query xmlns='${ROSTER}' ver=''/>`);
      const q = first.getChild('query', ROSTER)!;
      const v1 = q.attr('ver')!;
      expect(v1).toBeTruthy();
      expect(q.getChildren('item').map((i) => i.attr('jid'))).toEqual([`${b.name}@localhost`]);
      // The same version again: nothing to send.
      const same = await c.iq('get', `<query xmlns='${ROSTER}' ver='${v1}'/>`);
      expect(same.attr('type')).toBe('result');
      expect(same.elements()).toHaveLength(0);
      // A change on the web is pushed with the version a fresh get gives.
      const mark = c.events.length;
      await a.web.updateContact(b.name, { alias: 'Bee' });
      const push = await c.stanza(
        (el) => el.name === 'iq' && el.attr('type') === 'set' && !!el.getChild('query', ROSTER),
        'roster push',
        mark,
      );
      const v2 = push.getChild('query', ROSTER)!.attr('ver')!;
      expect(v2).toBeTruthy();
      expect(v2).not.toBe(v1);
      const d = await login(a.name);
      expect((await d.iq('get', `<query xmlns='${ROSTER}' ver='${v2}'/>`)).elements()).toHaveLength(
        0,
      );
      const stale = await d.iq('get', `<query xmlns='${ROSTER}' ver='${v1}'/>`);
      expect(stale.getChild('query', ROSTER)!.attr('ver')).toBe(v2);
      expect(stale.getChild('query', ROSTER)!.getChild('item')!.attr('name')).toBe('Bee');
      // Removal: the push's version is the empty roster's.
      const m2 = c.events.length;
      await a.web.removeContact(b.name);
      const gone = await c.stanza(
        (el) =>
          el.name === 'iq' &&
          el.getChild('query', ROSTER)?.getChild('item')?.attr('subscription') === 'remove',
        'remove push',
        m2,
      );
      const v3 = gone.getChild('query', ROSTER)!.attr('ver')!;
      const empty = await d.iq('get', `<query xmlns='${ROSTER}' ver='${v2}'/>`);
      expect(empty.getChild('query', ROSTER)!.attr('ver')).toBe(v3);
      expect(empty.getChild('query', ROSTER)!.elements()).toHaveLength(0);
      // Without a version the roster comes without one.
      const plain = await d.iq('get', `<query xmlns='${ROSTER}'/>`);
      expect(plain.getChild('query', ROSTER)!.attr('ver')).toBeUndefined();
    });

    it('blocking is core blocks: list, block, unblock, unblock-all, pushes both ways', async () => {
      const a = await account('ba');
      const b = await account('bb');
      const d = await account('bd');
      const c = await login(a.name);
      const other = await login(a.name);
      const info = await c.iq(
        'get',
        "<query xmlns='http://jabber.org/protocol/disco#info'/>",
        'localhost',
      );
      expect(
        info
          .getChild('query')!
          .getChildren('feature')
          .map((f) => f.attr('var')),
      ).toContain(BLOCKING);
      const list = async () =>
        (await c.iq('get', `<blocklist xmlns='${BLOCKING}'/>`))
          .getChild('blocklist', BLOCKING)!
          .getChildren('item')
          .map((i) => i.attr('jid'))
          .sort();
      expect(await list()).toEqual([]);
      // A block from XMPP: on the web, and pushed to the other resource.
      const mark = other.events.length;
      const r = await c.iq(
        'set',
        `<block xmlns='${BLOCKING}'><item jid='${b.name}@localhost'/><item jid='${d.name}@localhost'/></block>`,
      );
      expect(r.attr('type')).toBe('result');
      expect((await a.web.blocked()).map((x) => x.username).sort()).toEqual(
        [b.name, d.name].sort(),
      );
      const push = await other.stanza(
        (el) =>
          el.name === 'iq' &&
          el.getChild('block', BLOCKING)?.getChild('item')?.attr('jid') === `${b.name}@localhost`,
        'block push',
        mark,
      );
      expect(push.attr('type')).toBe('set');
      // Their messages no longer arrive; a message to them is refused as the XEP says.
      const m2 = c.events.length;
      c.send(`<message type='chat' to='${b.name}@localhost' id='tob'><body>hi</body></message>`);
      const refused = await c.stanza(
        (el) => el.name === 'message' && el.attr('id') === 'tob',
        'refused message',
        m2,
      );
      expect(refused.attr('type')).toBe('error');
      expect(errorCondition(refused)).toBe('not-acceptable');
      expect(
        refused.getChild('error')!.getChild('blocked', 'urn:xmpp:blocking:errors'),
      ).toBeTruthy();
      expect((await b.web.history(a.name)).messages).toHaveLength(0);
      // An unblock made on the web is pushed as an unblock.
      const m3 = c.events.length;
      await a.web.unblock(b.name);
      await c.stanza(
        (el) =>
          el.name === 'iq' &&
          el.getChild('unblock', BLOCKING)?.getChild('item')?.attr('jid') === `${b.name}@localhost`,
        'unblock push',
        m3,
      );
      expect(await list()).toEqual([`${d.name}@localhost`]);
      c.send(
        `<message type='chat' to='${b.name}@localhost' id='tob2'><body>hello again</body></message>`,
      );
      await expect.poll(async () => (await b.web.history(a.name)).messages.length).toBe(1);
      // A block made on the web is in the list; unblock-all clears it.
      await a.web.block(b.name);
      expect(await list()).toEqual([`${b.name}@localhost`, `${d.name}@localhost`].sort());
      expect((await c.iq('set', `<unblock xmlns='${BLOCKING}'/>`)).attr('type')).toBe('result');
      expect(await list()).toEqual([]);
      expect(await a.web.blocked()).toEqual([]);
      // Unblocking someone not blocked is fine.
      expect(
        (
          await c.iq(
            'set',
            `<unblock xmlns='${BLOCKING}'><item jid='${b.name}@localhost'/></unblock>`,
          )
        ).attr('type'),
      ).toBe('result');
    });

    it('refuses blocks it cannot keep', async () => {
      const a = await account('bx');
      const c = await login(a.name);
      const block = (items: string) => c.iq('set', `<block xmlns='${BLOCKING}'>${items}</block>`);
      expect(errorCondition(await block(''))).toBe('bad-request');
      expect(errorCondition(await block("<item jid='someone@elsewhere.example'/>"))).toBe(
        'not-acceptable',
      );
      expect(errorCondition(await block("<item jid='x@localhost/res'/>"))).toBe('not-acceptable');
      expect(errorCondition(await block("<item jid='nobody-here-at-all@localhost'/>"))).toBe(
        'item-not-found',
      );
      expect(errorCondition(await block('<item/>'))).toBe('not-acceptable');
      const many = Array.from({ length: 101 }, (_, i) => `<item jid='u${i}@localhost'/>`).join('');
      expect(errorCondition(await block(many))).toBe('not-acceptable');
      expect(await a.web.blocked()).toEqual([]);
    });

    it('last activity of contacts honours presence consent and the last-seen switch', async () => {
      const a = await account('la');
      const b = await account('lb');
      const stranger = await account('ls');
      await a.web.requestContact(b.name);
      await b.web.approveContact(a.name, true);
      const c = await login(a.name);
      const last = (to: string) => c.iq('get', "<query xmlns='jabber:iq:last'/>", to);
      // b online on the web: 0 seconds.
      const conn = await b.web.connect();
      await expect
        .poll(async () => (await last(`${b.name}@localhost`)).getChild('query')?.attr('seconds'))
        .toBe('0');
      // Offline (a is told): the seconds since they were last seen.
      const mark = c.events.length;
      conn.close();
      await c.stanza(
        (el) =>
          el.name === 'presence' &&
          el.attr('type') === 'unavailable' &&
          el.attr('from') === `${b.name}@localhost`,
        'b offline',
        mark,
      );
      const off = await last(`${b.name}@localhost`);
      expect(off.attr('type')).toBe('result');
      expect(off.getChild('query')!.attr('seconds')).toMatch(/^\d+$/);
      // b hides when they were last seen: forbidden.
      await b.web.updatePrivacy({ showLastSeen: false });
      expect(errorCondition(await last(`${b.name}@localhost`))).toBe('forbidden');
      // Someone whose presence a may not see: forbidden, online or not.
      const sconn = await stranger.web.connect();
      expect(errorCondition(await last(`${stranger.name}@localhost`))).toBe('forbidden');
      sconn.close();
      // The server's uptime, and one's own account.
      expect(
        Number((await last('localhost')).getChild('query')!.attr('seconds')),
      ).toBeGreaterThanOrEqual(0);
      expect((await last(`${a.name}@localhost`)).getChild('query')!.attr('seconds')).toBe('0');
      // A full JID is not answered by the server.
      expect(errorCondition(await last(`${b.name}@localhost/res`))).toBe('service-unavailable');
    });

    it('entity time of the server', async () => {
      const a = await account('ta');
      const c = await login(a.name);
      const before = Date.now() - 1000;
      const r = await c.iq('get', "<time xmlns='urn:xmpp:time'/>", 'localhost');
      const t = r.getChild('time', 'urn:xmpp:time')!;
      expect(t.getChildText('tzo')).toBe('+00:00');
      const utc = Date.parse(t.getChildText('utc')!);
      expect(utc).toBeGreaterThanOrEqual(before);
      const info = await c.iq(
        'get',
        "<query xmlns='http://jabber.org/protocol/disco#info'/>",
        'localhost',
      );
      const features = info
        .getChild('query')!
        .getChildren('feature')
        .map((f) => f.attr('var'));
      expect(features).toEqual(expect.arrayContaining(['urn:xmpp:time', 'jabber:iq:last']));
    });

    it('private XML storage keeps elements per account, bounded', async () => {
      const a = await account('pa');
      const b = await account('pb');
      const c = await login(a.name);
      const PRIV = 'jabber:iq:private';
      const bookmarks = `<storage xmlns='storage:bookmarks'><conference jid='room@conference.localhost' name='R &amp; D' autojoin='true'><nick>me</nick></conference></storage>`;
      expect((await c.iq('set', `<query xmlns='${PRIV}'>${bookmarks}</query>`)).attr('type')).toBe(
        'result',
      );
      const d = await login(a.name);
      const got = await d.iq(
        'get',
        `<query xmlns='${PRIV}'><storage xmlns='storage:bookmarks'/></query>`,
      );
      const conf = got
        .getChild('query', PRIV)!
        .getChild('storage', 'storage:bookmarks')!
        .getChild('conference')!;
      expect(conf.attr('name')).toBe('R & D');
      expect(conf.getChildText('nick')).toBe('me');
      // Nothing stored: the empty element; another account reads its own.
      const none = await d.iq(
        'get',
        `<query xmlns='${PRIV}'><prefs xmlns='urn:example:prefs'/></query>`,
      );
      expect(
        none.getChild('query', PRIV)!.getChild('prefs', 'urn:example:prefs')!.elements(),
      ).toHaveLength(0);
      const other = await login(b.name);
      const theirs = await other.iq(
        'get',
        `<query xmlns='${PRIV}'><storage xmlns='storage:bookmarks'/></query>`,
      );
      expect(theirs.getChild('query', PRIV)!.getChild('storage')!.elements()).toHaveLength(0);
      // Reserved namespaces, nothing, or too much are refused.
      for (const bad of [
        `<query xmlns='${PRIV}'><x xmlns='jabber:client'/></query>`,
        `<query xmlns='${PRIV}'/>`,
        `<query xmlns='${PRIV}'><big xmlns='urn:example:big'>${'x'.repeat(70_000)}</big></query>`,
      ])
        expect(errorCondition(await c.iq('set', bad))).toBe('not-acceptable');
      expect(
        errorCondition(
          await c.iq('get', `<query xmlns='${PRIV}'><a xmlns='urn:a'/><b xmlns='urn:b'/></query>`),
        ),
      ).toBe('not-acceptable');
    });

    it('offers roster versioning as a stream feature', async () => {
      const a = await account('vf');
      const c = await RawXmpp.tls(tlsPort);
      open.push(c);
      c.open();
      await c.features();
      expect((await c.plain(a.name, PASSWORD)).name).toBe('success');
      const mark = c.events.length;
      c.restart();
      const f = await c.features(mark);
      expect(f.getChild('ver', 'urn:xmpp:features:rosterver')).toBeTruthy();
    });
  });
}
