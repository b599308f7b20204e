import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { type RawXmpp, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * RFC 6121 8.5 (server rules for stanzas to local accounts) as the XMPP
 * Interop Testing suite checks them (RFC6121Section8_5_*): no such account
 * (8.5.1), a bare JID with resources of several priorities (8.5.2.1: chat and
 * normal to the non-negative ones, never a negative one; groupchat refused;
 * error dropped; iq answered by the server), a full JID (8.5.3: that resource
 * only, carbons aside; a resource not connected falls back to the bare JID
 * rules; an iq gets service-unavailable). A resource's own presence comes back
 * to it (4.2.2), which SINT waits for before each test. Delivered messages keep
 * the sender's id, come from its full JID and keep the `to` it wrote.
 */
const PASSWORD = 'correct horse battery';
const CARBONS = 'urn:xmpp:carbons:2';

const errorCondition = (el: Element): string | undefined =>
  el.getChild('error')?.elements()[0]?.name;
const withId = (id: string) => (el: Element) => el.attr('id') === id;
const got = (c: RawXmpp, id: string): boolean =>
  c.events.some((e) => e.type === 'stanza' && e.element.attr('id') === id);

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP SINT: RFC 6121 8.5 routing (${backend.name})`, () => {
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
    const account = async (prefix = 'sr') => {
      const name = uname(prefix);
      await node.client().register(name, PASSWORD);
      return name;
    };
    /** Logs in and sets a priority, waiting for its own presence back (RFC 6121 4.2.2). */
    const resource = async (name: string, priority: number, res = `r${uname('')}`) => {
      const c = await xmppLogin(tlsPort, name, PASSWORD, { resource: res });
      open.push(c);
      const id = `pr-${uname('')}`;
      const mark = c.events.length;
      c.send(
        `<presence id='${id}'><status>here</status><priority>${priority}</priority></presence>`,
      );
      const echo = await c.stanza(withId(id), 'own presence back', mark);
      expect(echo.name).toBe('presence');
      expect(echo.attr('from')).toBe(c.jid);
      expect(echo.getChildText('priority')).toBe(String(priority));
      expect(echo.getChildText('status')).toBe('here');
      return c;
    };
    /** `c` got the stanza `id` before `stop` (same sender, so in order). */
    const stopAt = async (c: RawXmpp, stop: string) => c.stanza(withId(stop), stop);

    it('8.5.1: no such account: message and iq get service-unavailable, a probe unsubscribed, a subscribe nothing', async () => {
      const a = await resource(await account(), 0);
      for (const to of [`nobody${uname('')}@localhost`, `nobody${uname('')}@localhost/res`]) {
        const m = a.events.length;
        a.send(`<message type='chat' to='${to}' id='nx-m'><body>hello?</body></message>`);
        const err = await a.stanza(
          (el) => el.name === 'message' && el.attr('id') === 'nx-m',
          'error',
          m,
        );
        expect(err.attr('type')).toBe('error');
        expect(errorCondition(err)).toBe('service-unavailable');
        const iq = await a.iq('get', "<query xmlns='jabber:iq:version'/>", to);
        expect(iq.attr('type')).toBe('error');
        expect(errorCondition(iq)).toBe('service-unavailable');
      }
      const nobody = `nobody${uname('')}@localhost`;
      const m = a.events.length;
      a.send(`<presence type='probe' to='${nobody}' id='nx-p'/>`);
      const p = await a.stanza(
        (el) => el.name === 'presence' && el.attr('from') === nobody,
        'probe answer',
        m,
      );
      expect(p.attr('type')).toBe('unsubscribed');
      // A subscription request to nobody is dropped without a word; an error message neither.
      const s = a.events.length;
      a.send(`<presence type='subscribe' to='${nobody}' id='nx-s'/>`);
      a.send(`<message type='error' to='${nobody}' id='nx-e'><body>x</body></message>`);
      await a.iq('get', "<ping xmlns='urn:xmpp:ping'/>");
      expect(
        a.events
          .slice(s)
          .some(
            (e) => e.type === 'stanza' && ['nx-s', 'nx-e'].includes(e.element.attr('id') ?? ''),
          ),
      ).toBe(false);
    });

    it('8.5.2.1.1: chat and normal to a bare JID reach the non-negative resources, never a negative one', async () => {
      const sender = await resource(await account(), 0);
      const bob = await account();
      const high = await resource(bob, 2);
      const zero = await resource(bob, 0);
      const negative = await resource(bob, -1);
      const bare = `${bob}@localhost`;
      for (const type of ['chat', 'normal']) {
        const id = `bare-${type}`;
        sender.send(
          `<message type='${type}' to='${bare}' id='${id}'><body>to ${type}</body></message>`,
        );
        for (const c of [high, zero]) {
          const m = await c.stanza(withId(id), `${id} at ${c.jid}`);
          expect(m.attr('from')).toBe(sender.jid);
          expect(m.attr('to')).toBe(bare);
          expect(m.attr('type')).toBe(type);
          expect(m.getChildText('body')).toBe(`to ${type}`);
        }
      }
      // The negative resource is still reachable at its full JID, and got neither before.
      sender.send(
        `<message type='chat' to='${negative.jid}' id='stop-neg'><body>stop</body></message>`,
      );
      const stop = await stopAt(negative, 'stop-neg');
      expect(stop.attr('to')).toBe(negative.jid);
      expect(got(negative, 'bare-chat') || got(negative, 'bare-normal')).toBe(false);
    });

    it('headlines (never stored): to the non-negative resources of a bare JID, to one full JID, else to nobody', async () => {
      const sender = await resource(await account(), 0);
      const bob = await account();
      const one = await resource(bob, 1);
      const two = await resource(bob, 0);
      const negative = await resource(bob, -1);
      const bare = `${bob}@localhost`;
      const m = sender.events.length;
      sender.send(`<message type='headline' to='${bare}' id='hl-bare'><body>news</body></message>`);
      for (const c of [one, two]) {
        const h = await c.stanza(withId('hl-bare'), `headline at ${c.jid}`);
        expect(h.attr('type')).toBe('headline');
        expect(h.attr('from')).toBe(sender.jid);
        expect(h.attr('to')).toBe(bare);
        expect(h.getChildText('body')).toBe('news');
      }
      sender.send(
        `<message type='headline' to='${negative.jid}' id='hl-full'><body>you</body></message>`,
      );
      const full = await negative.stanza(withId('hl-full'), 'headline to the full JID');
      expect(full.attr('to')).toBe(negative.jid);
      // To a resource that is not there: nobody, and no error; a normal message likewise.
      const gone = `${bare}/not-online-${uname('')}`;
      sender.send(`<message type='headline' to='${gone}' id='hl-gone'><body>lost</body></message>`);
      sender.send(
        `<message type='normal' to='${gone}' id='nm-gone'><body>lost too</body></message>`,
      );
      sender.send(
        `<message type='chat' to='${negative.jid}' id='hl-stop'><body>stop</body></message>`,
      );
      await stopAt(negative, 'hl-stop');
      sender.send(`<message type='chat' to='${bare}' id='hl-stop2'><body>stop</body></message>`);
      for (const c of [one, two]) await stopAt(c, 'hl-stop2');
      expect(got(negative, 'hl-bare')).toBe(false);
      for (const c of [one, two]) {
        expect(got(c, 'hl-full') || got(c, 'hl-gone') || got(c, 'nm-gone')).toBe(false);
      }
      expect(got(negative, 'hl-gone') || got(negative, 'nm-gone')).toBe(false);
      expect(
        sender.events
          .slice(m)
          .some((e) => e.type === 'stanza' && e.element.attr('type') === 'error'),
      ).toBe(false);
      // Nothing of it was stored: the web sees no message but the chats.
      const web = node.client();
      await web.login(bob, PASSWORD);
      const texts = (await web.history(sender.jid.split('@')[0]!)).messages.map((x) => x.text);
      expect(texts).not.toContain('news');
      expect(texts).not.toContain('you');
      expect(texts).toContain('lost too');
    });

    it('directed presence (8.5.2.1.2, 8.5.3.1, 8.5.3.2.2): a bare JID reaches every resource, a full JID one, else none', async () => {
      const sender = await resource(await account(), 0);
      const bob = await account();
      const one = await resource(bob, 1);
      const two = await resource(bob, -1);
      const bare = `${bob}@localhost`;
      sender.send(`<presence to='${bare}' id='dp-bare'><status>hi all</status></presence>`);
      for (const c of [one, two]) {
        const p = await c.stanza(withId('dp-bare'), `directed at ${c.jid}`);
        expect(p.attr('from')).toBe(sender.jid);
        expect(p.attr('to')).toBe(bare);
        // It carries the session's presence (its status 'here'), not the stanza's own.
        expect(p.getChildText('status')).toBe('here');
      }
      sender.send(`<presence to='${two.jid}' id='dp-full'/>`);
      const full = await two.stanza(withId('dp-full'), 'directed at the full JID');
      expect(full.attr('to')).toBe(two.jid);
      sender.send(`<presence to='${bare}/not-online-${uname('')}' id='dp-gone'/>`);
      sender.send(`<presence type='unavailable' to='${bare}' id='dp-stop'/>`);
      for (const c of [one, two]) {
        const p = await c.stanza(withId('dp-stop'), 'unavailable');
        expect(p.attr('type')).toBe('unavailable');
      }
      expect(got(one, 'dp-full') || got(one, 'dp-gone') || got(two, 'dp-gone')).toBe(false);
    });

    it('8.5.2.1.1: groupchat to a bare JID is refused, error is dropped; neither is delivered', async () => {
      const sender = await resource(await account(), 0);
      const bob = await account();
      const r = await resource(bob, 1);
      const bare = `${bob}@localhost`;
      const m = sender.events.length;
      sender.send(`<message type='groupchat' to='${bare}' id='gc'><body>room?</body></message>`);
      const err = await sender.stanza(withId('gc'), 'groupchat error', m);
      expect(err.attr('type')).toBe('error');
      expect(errorCondition(err)).toBe('service-unavailable');
      sender.send(`<message type='error' to='${bare}' id='er'><body>err</body></message>`);
      sender.send(`<message type='chat' to='${bare}' id='gc-stop'><body>stop</body></message>`);
      await stopAt(r, 'gc-stop');
      expect(got(r, 'gc') || got(r, 'er')).toBe(false);
      expect(
        sender.events.slice(m).filter((e) => e.type === 'stanza' && e.element.attr('id') === 'er'),
      ).toEqual([]);
    });

    it('8.5.2.1.3: an iq to a bare JID is answered by the server, never delivered', async () => {
      const sender = await resource(await account(), 0);
      const bob = await account();
      const r = await resource(bob, 1);
      const bare = `${bob}@localhost`;
      for (const type of ['get', 'set'] as const) {
        const unknown = await sender.iq(
          type,
          "<test xmlns='urn:xmpp-interop:test:0'>x</test>",
          bare,
        );
        expect(unknown.attr('type')).toBe('error');
        expect(errorCondition(unknown)).toBe('service-unavailable');
        expect(unknown.attr('from')).toBe(bare);
        // RFC 6121 2.1.5: another account's roster is forbidden.
        const roster = await sender.iq(type, "<query xmlns='jabber:iq:roster'/>", bare);
        expect(errorCondition(roster)).toBe('forbidden');
      }
      const ping = await r.iq('get', "<ping xmlns='urn:xmpp:ping'/>");
      expect(ping.attr('type')).toBe('result');
      expect(
        r.events.some(
          (e) =>
            e.type === 'stanza' &&
            e.element.name === 'iq' &&
            e.element.attr('type') !== 'result' &&
            e.element.getChild('test'),
        ),
      ).toBe(false);
    });

    it('8.5.3.1: a message to a full JID reaches that resource only (others with carbons as <received>)', async () => {
      const sender = await resource(await account(), 0);
      const bob = await account();
      const target = await resource(bob, -5);
      const plain = await resource(bob, 5);
      const carbons = await resource(bob, 5);
      expect((await carbons.iq('set', `<enable xmlns='${CARBONS}'/>`)).attr('type')).toBe('result');
      sender.send(
        `<message type='chat' to='${target.jid}' id='full-1'><body>just you</body></message>`,
      );
      const m = await target.stanza(withId('full-1'), 'to the full JID');
      expect(m.attr('to')).toBe(target.jid);
      expect(m.attr('from')).toBe(sender.jid);
      const carbon = await carbons.stanza(
        (el) => el.name === 'message' && el.getChild('received', CARBONS) !== undefined,
        'received carbon',
      );
      expect(carbon.attr('from')).toBe(`${bob}@localhost`);
      const inner = carbon
        .getChild('received', CARBONS)!
        .getChild('forwarded')!
        .getChild('message')!;
      expect(inner.attr('id')).toBe('full-1');
      expect(inner.attr('to')).toBe(target.jid);
      sender.send(
        `<message type='chat' to='${bob}@localhost' id='full-stop'><body>stop</body></message>`,
      );
      await stopAt(plain, 'full-stop');
      expect(got(plain, 'full-1')).toBe(false);
    });

    it('8.5.3.2: a resource that is not connected: messages follow the bare JID rules, iqs get service-unavailable', async () => {
      const sender = await resource(await account(), 0);
      const bob = await account();
      const pos = await resource(bob, 1);
      const neg = await resource(bob, -1);
      const gone = `${bob}@localhost/not-online-${uname('')}`;
      sender.send(`<message type='chat' to='${gone}' id='gone-1'><body>anyone?</body></message>`);
      const m = await pos.stanza(withId('gone-1'), 'bare rules');
      expect(m.attr('to')).toBe(gone);
      sender.send(
        `<message type='chat' to='${neg.jid}' id='gone-stop'><body>stop</body></message>`,
      );
      await stopAt(neg, 'gone-stop');
      expect(got(neg, 'gone-1')).toBe(false);
      // Iqs are not routed between clients (docs/xmpp.md, Conformance): a connected
      // resource's full JID is answered as a resource that is not there.
      for (const to of [gone, pos.jid]) {
        const iq = await sender.iq('get', "<test xmlns='urn:xmpp-interop:test:0'>x</test>", to);
        expect(errorCondition(iq)).toBe('service-unavailable');
      }
    });
  });
}
