import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { type RawXmpp, xmppAuth, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * XEP-0198 stream management and XEP-0352 client state indication over raw
 * XML on real sockets: acks both ways, a TCP connection cut without closing
 * the stream and resumed (stanzas not acknowledged sent again, with delay, and
 * what arrived meanwhile), the old connection replaced, failed resumptions,
 * a session that is not resumed losing nothing (its messages come at the next
 * login), and an inactive client spared presence but not messages.
 */
const PASSWORD = 'correct horse battery';
const SM = 'urn:xmpp:sm:3';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

const isStanza = (el: Element): boolean => ['message', 'presence', 'iq'].includes(el.name);
const body = (text: string) => (el: Element) =>
  el.name === 'message' && el.getChildText('body') === text;

/** The stanzas `c` received from event index `from` up to the first matching `until` (included). */
function handledUpTo(c: RawXmpp, from: number, until: (el: Element) => boolean): number {
  let n = 0;
  for (const e of c.events.slice(from)) {
    if (e.type !== 'stanza' || !isStanza(e.element)) continue;
    n++;
    if (until(e.element)) return n;
  }
  throw new Error('not received');
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP stream management and CSI (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let brief: Awaited<ReturnType<typeof startSingle>>;
    let tlsPort: number;
    const open: RawXmpp[] = [];
    beforeAll(async () => {
      // One session may wait detached at a time: the bound is tested below.
      node = await startSingle(backend, { xmpp: { port: -1, tls_port: 0, max_detached: 1 } });
      tlsPort = xmppPorts(node).tlsPort!;
      // A node whose sessions wait one second to be resumed.
      brief = await startSingle(backend, { xmpp: { port: -1, tls_port: 0, resume_seconds: 1 } });
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
      await brief.dispose();
    });
    const account = async (prefix = 'sm') => {
      const name = uname(prefix);
      const web = node.client();
      await web.register(name, PASSWORD);
      return { name, web };
    };
    const login = async (name: string, resource?: string) => {
      const c = await xmppLogin(tlsPort, name, PASSWORD, resource ? { resource } : {});
      open.push(c);
      return c;
    };
    const auth = async (name: string) => {
      const r = await xmppAuth(tlsPort, name, PASSWORD);
      open.push(r.c);
      return r;
    };
    /** Enables resumption; resolves with the token and the event index after <enabled/>. */
    const enable = async (c: RawXmpp) => {
      const mark = c.events.length;
      c.send(`<enable xmlns='${SM}' resume='true'/>`);
      const enabled = await c.stanza((el) => el.name === 'enabled', '<enabled/>', mark);
      expect(enabled.ns).toBe(SM);
      expect(enabled.attr('resume')).toBe('true');
      expect(Number(enabled.attr('max'))).toBeGreaterThan(0); // resume_seconds
      return {
        token: enabled.attr('id')!,
        at:
          c.events.indexOf(c.events.find((e) => e.type === 'stanza' && e.element === enabled)!) + 1,
      };
    };

    it('advertises sm and csi after login; <r/> and <a/> go both ways', async () => {
      const a = await account();
      const b = await account('smweb');
      const { c, features } = await auth(a.name);
      expect(features.getChild('sm', SM)).toBeDefined();
      expect(features.getChild('csi', 'urn:xmpp:csi:0')).toBeDefined();
      // Before binding, enable is refused.
      const early = c.events.length;
      c.send(`<enable xmlns='${SM}'/>`);
      const f = await c.stanza((el) => el.name === 'failed', '<failed/>', early);
      expect(f.getChild('unexpected-request', STANZAS)).toBeDefined();
      await c.bind();
      const { at } = await enable(c);
      // The server asks for an ack after sending a stanza.
      await b.web.sendMessage(a.name, 'ack me', 'sm-ack-1');
      await c.stanza(body('ack me'), 'the message', at);
      await c.stanza((el) => el.name === 'r' && el.ns === SM, 'the server <r/>', at);
      c.send(`<a xmlns='${SM}' h='${handledUpTo(c, at, body('ack me'))}'/>`);
      // Two stanzas from the client, then our <r/>: h = 2.
      c.send(`<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>`);
      c.send(`<presence/>`);
      const m = c.events.length;
      c.send(`<r xmlns='${SM}'/>`);
      const ack = await c.stanza((el) => el.name === 'a', '<a/>', m);
      expect(ack.attr('h')).toBe('2');
      // Acknowledging more than was sent is a stream error naming both counts.
      c.send(`<a xmlns='${SM}' h='4000000000'/>`);
      const err = await c.streamError();
      expect(err.elements()[0]!.name).toBe('undefined-condition');
      expect(err.getChild('handled-count-too-high', SM)?.attr('h')).toBe('4000000000');
      await c.whenClosed();
    });

    it('resumes a cut connection: unacked and new stanzas come again, with delay; the old connection is replaced', async () => {
      const a = await account();
      const b = await account('smweb');
      const conn = await b.web.connect();
      const c = await login(a.name, 'phone');
      const { token, at } = await enable(c);
      await b.web.sendMessage(a.name, 'one', 'sm-r-1');
      await b.web.sendMessage(a.name, 'two', 'sm-r-2');
      await c.stanza(body('two'), 'two', at);
      const h = handledUpTo(c, at, body('one'));
      // A stanza from the client counts on the server: h = 1 there.
      const got = new Promise<void>((resolve) =>
        conn.on('message', (d) => {
          if ((d as unknown as { message: { text: string } }).message.text === 'from phone')
            resolve();
        }),
      );
      c.send(
        `<message type='chat' to='${b.name}@localhost' id='p-1'><body>from phone</body></message>`,
      );
      await got;
      // The connection drops without </stream> (a phone losing its network).
      c.close();
      await b.web.sendMessage(a.name, 'three', 'sm-r-3');

      const { c: d } = await auth(a.name);
      const mark = d.events.length;
      d.send(`<resume xmlns='${SM}' previd='${token}' h='${h}'/>`);
      const resumed = await d.stanza((el) => el.name === 'resumed', '<resumed/>', mark);
      expect(resumed.attr('previd')).toBe(token);
      expect(resumed.attr('h')).toBe('1');
      const two = await d.stanza(body('two'), 'two again', mark);
      const three = await d.stanza(body('three'), 'three', mark);
      expect(two.getChild('delay', 'urn:xmpp:delay')?.attr('stamp')).toMatch(/^\d{4}-/);
      expect(three.getChild('delay', 'urn:xmpp:delay')).toBeDefined();
      expect(d.events.slice(mark).some((e) => e.type === 'stanza' && body('one')(e.element))).toBe(
        false,
      );
      // The same session: the same full JID answers, and messages flow on.
      const m2 = d.events.length;
      await b.web.sendMessage(a.name, 'four', 'sm-r-4');
      const four = await d.stanza(body('four'), 'four', m2);
      // Addressed as the sender wrote it (the account: RFC 6121 8.5.2).
      expect(four.attr('to')).toBe(`${a.name}@localhost`);
      expect(four.getChild('delay', 'urn:xmpp:delay')).toBeUndefined();
      const r = d.events.length;
      d.send(`<r xmlns='${SM}'/>`);
      expect((await d.stanza((el) => el.name === 'a', '<a/>', r)).attr('h')).toBe('1');

      // Resumed again while d is still connected (the client noticed first): d is dropped.
      const acked = handledUpTo(d, mark, body('four'));
      const { c: e } = await auth(a.name);
      const m3 = e.events.length;
      e.send(`<resume xmlns='${SM}' previd='${token}' h='${(h + acked) % 2 ** 32}'/>`);
      await e.stanza((el) => el.name === 'resumed', '<resumed/> again', m3);
      await d.whenClosed();
      const m4 = e.events.length;
      await b.web.sendMessage(a.name, 'five', 'sm-r-5');
      await e.stanza(body('five'), 'five', m4);
      conn.close();
    });

    it('a failed resumption says why, and the client binds afresh', async () => {
      const a = await account();
      const other = await account();
      const c = await login(other.name);
      const { token } = await enable(c);
      const { c: d } = await auth(a.name);
      for (const [previd, h, condition] of [
        ['no-such-token', '0', 'item-not-found'],
        [token, '0', 'item-not-found'], // someone else's
        ['', '0', 'bad-request'],
        ['x', 'minus one', 'bad-request'],
      ] as const) {
        const mark = d.events.length;
        d.send(`<resume xmlns='${SM}' previd='${previd}' h='${h}'/>`);
        const f = await d.stanza((el) => el.name === 'failed', `failed for ${previd}`, mark);
        expect(f.ns).toBe(SM);
        expect(f.getChild(condition, STANZAS), condition).toBeDefined();
      }
      expect(await d.bind()).toMatch(new RegExp(`^${a.name}@localhost/`));
      // The other account's session was not touched.
      const r = c.events.length;
      c.send(`<r xmlns='${SM}'/>`);
      await c.stanza((el) => el.name === 'a', '<a/>', r);
    });

    it('a session not resumed loses nothing: its messages come at the next login, still unread', async () => {
      const a = await account();
      const b = await account('smweb');
      await b.web.requestContact(a.name);
      await a.web.approveContact(b.name, true);
      const conn = await b.web.connect();
      const c = await login(a.name);
      c.send('<presence/>');
      await enable(c);
      await b.web.sendMessage(a.name, 'never acked', 'sm-l-1');
      await c.stanza(body('never acked'), 'the message');
      const offline = new Promise<void>((resolve) =>
        conn.on('presence', (d) => {
          const p = d as unknown as { username: string; show: string };
          if (p.username === a.name && p.show === 'offline') resolve();
        }),
      );
      c.close();
      // Another session detaching takes the only place (max_detached = 1): a's ends.
      const x = await account();
      const y = await login(x.name);
      await enable(y);
      y.close();
      await offline;
      const d = await login(a.name);
      const again = await d.stanza(body('never acked'), 'the message at the next login');
      expect(again.getChild('delay', 'urn:xmpp:delay')).toBeDefined();
      conn.close();
    });

    it('a session not resumed within resume_seconds ends: offline, and the token no longer works', async () => {
      const port = xmppPorts(brief).tlsPort!;
      const a = uname('smt');
      const b = uname('smt');
      await brief.client().register(a, PASSWORD);
      const web = brief.client();
      await web.register(b, PASSWORD);
      await web.requestContact(a);
      const aw = brief.client();
      await aw.login(a, PASSWORD);
      await aw.approveContact(b, true);
      const conn = await web.connect();
      const c = await xmppLogin(port, a, PASSWORD);
      open.push(c);
      c.send('<presence/>');
      const { token } = await enable(c);
      await web.sendMessage(a, 'before the cut', 'smt-1');
      await c.stanza(body('before the cut'), 'the message');
      const offline = new Promise<void>((resolve) =>
        conn.on('presence', (d) => {
          const p = d as unknown as { username: string; show: string };
          if (p.username === a && p.show === 'offline') resolve();
        }),
      );
      c.close();
      await offline;
      const { c: d } = await xmppAuth(port, a, PASSWORD);
      open.push(d);
      const mark = d.events.length;
      d.send(`<resume xmlns='${SM}' previd='${token}' h='0'/>`);
      const f = await d.stanza((el) => el.name === 'failed', '<failed/>', mark);
      expect(f.getChild('item-not-found', STANZAS)).toBeDefined();
      await d.bind();
      await d.stanza(body('before the cut'), 'the message again, unread', mark);
      conn.close();
    });

    it('an inactive client gets messages at once, presence only on <active/>, the latest per contact', async () => {
      const a = await account();
      const b = await account('smweb');
      await b.web.requestContact(a.name);
      await a.web.approveContact(b.name, true);
      const conn = await b.web.connect();
      const quiet = await login(a.name, 'quiet');
      const awake = await login(a.name, 'awake');
      quiet.send('<presence/>');
      awake.send('<presence/>');
      const online = (el: Element) =>
        el.name === 'presence' &&
        el.attr('from')?.split('/')[0] === `${b.name}@localhost` &&
        !el.attr('type');
      await quiet.stanza(online, 'b online');
      quiet.send("<inactive xmlns='urn:xmpp:csi:0'/>");
      // The <inactive/> is handled before this iq is answered: stanzas are handled in order.
      await quiet.iq('get', "<ping xmlns='urn:xmpp:ping'/>");
      const mark = quiet.events.length;
      const seen = awake.events.length;
      await conn.setPresence('away', 'one');
      await conn.setPresence('dnd', 'two');
      await b.web.sendMessage(a.name, 'still comes', 'csi-1');
      await quiet.stanza(body('still comes'), 'the message while inactive', mark);
      // The awake resource saw the last presence: the quiet one has had it (and held it).
      await awake.stanza((el) => online(el) && el.getChildText('status') === 'two', 'two', seen);
      const fromB = (from: number) =>
        quiet.events.slice(from).filter((e) => e.type === 'stanza' && online(e.element)) as {
          element: Element;
        }[];
      expect(fromB(mark)).toEqual([]);
      const flushed = quiet.events.length;
      quiet.send("<active xmlns='urn:xmpp:csi:0'/>");
      const latest = await quiet.stanza(online, 'the held presence', flushed);
      expect(latest.getChildText('show')).toBe('dnd');
      expect(latest.getChildText('status')).toBe('two');
      await quiet.iq('get', "<ping xmlns='urn:xmpp:ping'/>");
      expect(fromB(flushed).map((e) => e.element.getChildText('status'))).toEqual(['two']);
      conn.close();
    });
  });
}
