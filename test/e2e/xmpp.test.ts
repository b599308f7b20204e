import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { RawXmpp, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * The XMPP door end to end, over raw XML on real sockets: streams, STARTTLS
 * and direct TLS, SASL PLAIN and SCRAM (with channel binding), binding,
 * roster as contacts, subscriptions across doors, presence and chat messages
 * both ways with a web user, offline messages, discovery, and hostile input.
 */
const PASSWORD = 'correct horse battery';
const SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const ROSTER = 'jabber:iq:roster';

const errorCondition = (el: Element): string | undefined =>
  el.getChild('error')?.elements()[0]?.name;

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP door (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let tlsPort: number;
    let port: number;
    const open: RawXmpp[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, { xmpp: { port: 0, tls_port: 0 } });
      ({ port, tlsPort } = xmppPorts(node) as { port: number; tlsPort: number });
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
    });
    const account = async (prefix = 'x') => {
      const name = uname(prefix);
      const web = node.client();
      await web.register(name, PASSWORD);
      return { name, web };
    };
    const login = async (name: string, opts: Parameters<typeof xmppLogin>[3] = {}) => {
      const c = await xmppLogin(tlsPort, name, PASSWORD, opts);
      open.push(c);
      return c;
    };

    it('logs in with PLAIN over direct TLS and binds the asked resource', async () => {
      const { name } = await account();
      const c = await login(name, { resource: 'laptop' });
      expect(c.jid).toBe(`${name}@localhost/laptop`);
      // Optional legacy session establishment answers result.
      const s = await c.iq('set', "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>");
      expect(s.attr('type')).toBe('result');
      // Without a resource one is made up.
      const d = await login(name);
      expect(d.jid).toMatch(new RegExp(`^${name}@localhost/.+`));
      expect(d.jid).not.toBe(c.jid);
    });

    it('logs in with SCRAM-SHA-256; a wrong password is not-authorized', async () => {
      const { name } = await account();
      const c = await login(name, { mechanism: 'SCRAM-SHA-256' });
      expect(c.jid.startsWith(`${name}@localhost/`)).toBe(true);

      const bad = await RawXmpp.tls(tlsPort);
      open.push(bad);
      bad.open();
      await bad.features();
      const r = await bad.plain(name, 'wrong password');
      expect(r.name).toBe('failure');
      expect(r.elements()[0]!.name).toBe('not-authorized');
    });

    it('STARTTLS is required on the plain port, then SCRAM-SHA-256-PLUS binds to the TLS channel', async () => {
      const { name } = await account();
      const c = await RawXmpp.plain(port);
      open.push(c);
      c.open();
      const f = await c.features();
      expect(
        f.getChild('starttls', 'urn:ietf:params:xml:ns:xmpp-tls')?.getChild('required'),
      ).toBeTruthy();
      expect(f.getChild('mechanisms', SASL)).toBeUndefined();
      // SASL before TLS is refused.
      const early = await c.plain(name, PASSWORD);
      expect(early.elements()[0]!.name).toBe('encryption-required');
      c.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      await c.stanza((el) => el.name === 'proceed', 'proceed');
      const secure = await c.startTls();
      const mark = c.events.length;
      c.open();
      const f2 = await c.features(mark);
      const mechs = f2
        .getChild('mechanisms', SASL)!
        .getChildren('mechanism')
        .map((m) => m.text());
      expect(mechs).toContain('SCRAM-SHA-256-PLUS');
      expect(mechs).toContain('PLAIN');
      const binding = secure.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
      const r = await c.scram(name, PASSWORD, binding);
      expect(r.name).toBe('success');
      const m2 = c.events.length;
      c.restart();
      const f3 = await c.features(m2);
      expect(f3.getChild('bind', 'urn:ietf:params:xml:ns:xmpp-bind')).toBeTruthy();
      expect(await c.bind('phone')).toBe(`${name}@localhost/phone`);
    });

    it('answers discovery, ping and version, and service-unavailable for the unknown', async () => {
      const { name } = await account();
      const c = await login(name);
      const info = await c.iq(
        'get',
        "<query xmlns='http://jabber.org/protocol/disco#info'/>",
        'localhost',
      );
      const q = info.getChild('query')!;
      expect(q.getChild('identity')!.attr('category')).toBe('server');
      const features = q.getChildren('feature').map((f) => f.attr('var'));
      expect(features).toContain('urn:xmpp:ping');
      const acct = await c.iq(
        'get',
        "<query xmlns='http://jabber.org/protocol/disco#info'/>",
        `${name}@localhost`,
      );
      expect(acct.getChild('query')!.getChild('identity')!.attr('category')).toBe('account');
      expect((await c.iq('get', "<ping xmlns='urn:xmpp:ping'/>")).attr('type')).toBe('result');
      const v = await c.iq('get', "<query xmlns='jabber:iq:version'/>");
      expect(v.getChild('query')!.getChildText('name')).toBe('Parley');
      const unknown = await c.iq('get', "<query xmlns='urn:example:nothing'/>");
      expect(unknown.attr('type')).toBe('error');
      expect(errorCondition(unknown)).toBe('service-unavailable');
    });

    it('a subscription request from XMPP is approved on the web; the roster follows', async () => {
      const a = await account('xa');
      const b = await account('wb');
      const c = await login(a.name);
      const empty = await c.iq('get', `<query xmlns='${ROSTER}'/>`);
      expect(empty.getChild('query')!.elements()).toHaveLength(0);
      const mark = c.events.length;
      c.send(`<presence type='subscribe' to='${b.name}@localhost'/>`);
      // The roster push shows the pending request.
      await c.stanza(
        (el) =>
          el.name === 'iq' &&
          el.getChild('query', ROSTER)?.getChild('item')?.attr('ask') === 'subscribe',
        'push with ask',
        mark,
      );
      await expect.poll(async () => (await b.web.contacts()).some((k) => k.pendingIn)).toBe(true);
      await b.web.approveContact(a.name, false);
      const pushed = await c.stanza(
        (el) =>
          el.name === 'iq' &&
          el.getChild('query', ROSTER)?.getChild('item')?.attr('subscription') === 'to',
        'push with subscription to',
        mark,
      );
      expect(pushed.getChild('query')!.getChild('item')!.attr('jid')).toBe(`${b.name}@localhost`);
      // The approval itself comes as a subscribed presence from the contact (RFC 6121 3.1.5).
      await c.stanza(
        (el) =>
          el.name === 'presence' &&
          el.attr('type') === 'subscribed' &&
          el.attr('from') === `${b.name}@localhost`,
        'subscribed from the web user',
        mark,
      );
      // Roster set: a name and groups, stored in core.
      const set = await c.iq(
        'set',
        `<query xmlns='${ROSTER}'><item jid='${b.name}@localhost' name='Bee'><group>Friends</group></item></query>`,
      );
      expect(set.attr('type')).toBe('result');
      const got = await c.iq('get', `<query xmlns='${ROSTER}'/>`);
      const item = got.getChild('query')!.getChild('item')!;
      expect(item.attr('name')).toBe('Bee');
      expect(item.getChildText('group')).toBe('Friends');
      expect(item.attr('subscription')).toBe('to');

      // A request the web user denies comes back as unsubscribed (RFC 6121 3.2).
      const d = await account('wd');
      const m2 = c.events.length;
      c.send(`<presence type='subscribe' to='${d.name}@localhost'/>`);
      await expect.poll(async () => (await d.web.contacts()).some((k) => k.pendingIn)).toBe(true);
      await d.web.denyContact(a.name);
      await c.stanza(
        (el) =>
          el.name === 'presence' &&
          el.attr('type') === 'unsubscribed' &&
          el.attr('from') === `${d.name}@localhost`,
        'unsubscribed from the web user',
        m2,
      );
    });

    it('a request from the web reaches XMPP as presence subscribe; subscribed approves it', async () => {
      const a = await account('xa');
      const b = await account('wb');
      const c = await login(a.name);
      c.send('<presence/>');
      const mark = c.events.length;
      await b.web.requestContact(a.name, 'hi there');
      const req = await c.stanza(
        (el) => el.name === 'presence' && el.attr('type') === 'subscribe',
        'subscribe',
        mark,
      );
      expect(req.attr('from')).toBe(`${b.name}@localhost`);
      expect(req.getChildText('status')).toBe('hi there');
      c.send(`<presence type='subscribed' to='${b.name}@localhost'/>`);
      await expect
        .poll(async () => (await b.web.contacts()).find((k) => k.username === a.name)?.subscription)
        .toBe('to');
    });

    it('presence goes both ways between XMPP and the web', async () => {
      const a = await account('xa');
      const b = await account('wb');
      await b.web.requestContact(a.name);
      await a.web.approveContact(b.name, true);
      const conn = await b.web.connect();
      const c = await login(a.name);
      // The web user's presence, from the snapshot or live.
      await c.stanza(
        (el) =>
          el.name === 'presence' &&
          el.attr('from')?.startsWith(`${b.name}@localhost/`) === true &&
          !el.attr('type'),
        'web user online (per resource)',
      );
      const mark = c.events.length;
      await conn.setPresence('dnd', 'busy');
      const dnd = await c.stanza(
        (el) => el.name === 'presence' && el.getChildText('show') === 'dnd',
        'dnd',
        mark,
      );
      expect(dnd.getChildText('status')).toBe('busy');
      // And the XMPP side's presence reaches the web.
      const seen = new Promise<unknown>((resolve) =>
        conn.on('presence', (d) => {
          const p = d as unknown as { username: string; show: string; status: string };
          if (p.username === a.name && p.show === 'away') resolve(p);
        }),
      );
      c.send('<presence><show>away</show><status>lunch</status><priority>5</priority></presence>');
      expect(await seen).toMatchObject({ status: 'lunch' });
      const gone = c.events.length;
      conn.close();
      await c.stanza(
        (el) => el.name === 'presence' && el.attr('type') === 'unavailable',
        'web user offline',
        gone,
      );
    });

    it('chat messages go both ways with a web user, with XEP-0359 ids; errors are stanza errors', async () => {
      const a = await account('xa');
      const b = await account('wb');
      const conn = await b.web.connect();
      const c = await login(a.name);
      const got = new Promise<{ message: { text: string; clientId: string } }>((resolve) =>
        conn.on('message', (d) => resolve(d as never)),
      );
      c.send(
        `<message type='chat' to='${b.name}@localhost' id='m1'><body>hello &amp; welcome</body><origin-id xmlns='urn:xmpp:sid:0' id='origin-1'/></message>`,
      );
      const m = (await got).message;
      expect(m.text).toBe('hello & welcome');
      expect(m.clientId).toBe('origin-1');
      const mark = c.events.length;
      const sent = await b.web.sendMessage(a.name, 'hi <xmpp>', 'w-1');
      const msg = await c.stanza(
        (el) => el.name === 'message' && el.getChildText('body') === 'hi <xmpp>',
        'message from web',
        mark,
      );
      expect(msg.attr('from')).toBe(`${b.name}@localhost`);
      expect(msg.attr('type')).toBe('chat');
      expect(msg.getChild('stanza-id', 'urn:xmpp:sid:0')!.attr('id')).toBe(sent.message.id);
      expect(msg.getChild('origin-id', 'urn:xmpp:sid:0')!.attr('id')).toBe('w-1');
      expect(msg.getChild('delay', 'urn:xmpp:delay')).toBeUndefined();
      // To nobody: an error with the stanza's id.
      const m2 = c.events.length;
      c.send(`<message type='chat' to='nobody-here@localhost' id='m2'><body>x</body></message>`);
      const err = await c.stanza(
        (el) => el.name === 'message' && el.attr('id') === 'm2',
        'error',
        m2,
      );
      expect(err.attr('type')).toBe('error');
      // RFC 6121 8.5.1: no such account is service-unavailable.
      expect(errorCondition(err)).toBe('service-unavailable');
      c.send(
        `<message type='chat' to='someone@elsewhere.example' id='m3'><body>x</body></message>`,
      );
      const err3 = await c.stanza(
        (el) => el.name === 'message' && el.attr('id') === 'm3',
        'error',
        m2,
      );
      expect(errorCondition(err3)).toBe('service-unavailable');
      // A chat state without a body is no message and no error.
      c.send(
        `<message type='chat' to='${b.name}@localhost' id='m4'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>`,
      );
      expect((await c.iq('get', "<ping xmlns='urn:xmpp:ping'/>")).attr('type')).toBe('result');
      expect(c.events.some((e) => e.type === 'stanza' && e.element.attr('id') === 'm4')).toBe(
        false,
      );
    });

    it('with carbons enabled, own messages sent from the web or another resource are <sent> carbons', async () => {
      const a = await account('xa');
      const b = await account('wb');
      const c = await login(a.name, { resource: 'one' });
      const other = await login(a.name, { resource: 'two' });
      const en = await c.iq('set', "<enable xmlns='urn:xmpp:carbons:2'/>");
      expect(en.attr('type')).toBe('result');
      const mark = c.events.length;
      await a.web.sendMessage(b.name, 'sent on the web', 'web-own');
      const carbon = await c.stanza(
        (el) => el.name === 'message' && el.getChild('sent', 'urn:xmpp:carbons:2') !== undefined,
        'sent carbon',
        mark,
      );
      const inner = carbon
        .getChild('sent', 'urn:xmpp:carbons:2')!
        .getChild('forwarded', 'urn:xmpp:forward:0')!
        .getChild('message', 'jabber:client')!;
      expect(inner.attr('to')).toBe(`${b.name}@localhost`);
      expect(inner.getChildText('body')).toBe('sent on the web');
      other.send(
        `<message type='chat' to='${b.name}@localhost' id='o1'><body>from two</body></message>`,
      );
      await c.stanza(
        (el) =>
          el
            .getChild('sent', 'urn:xmpp:carbons:2')
            ?.getChild('forwarded')
            ?.getChild('message')
            ?.getChildText('body') === 'from two',
        'carbon of the other resource',
        mark,
      );
      // The resource without carbons saw neither.
      expect(await other.iq('get', "<ping xmlns='urn:xmpp:ping'/>")).toBeTruthy();
      expect(
        other.events.some((e) => e.type === 'stanza' && e.element.getChild('sent') !== undefined),
      ).toBe(false);
    });

    it('messages that arrived while away come at login, with delay', async () => {
      const a = await account('xa');
      const b = await account('wb');
      await b.web.sendMessage(a.name, 'while you were out', 'w-away');
      const c = await login(a.name);
      const msg = await c.stanza(
        (el) => el.name === 'message' && el.getChildText('body') === 'while you were out',
        'missed message',
      );
      expect(msg.getChild('delay', 'urn:xmpp:delay')!.attr('stamp')).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    const hostile: [string, string, string][] = [
      [
        'billion laughs',
        "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;'>]><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>",
        'restricted-xml',
      ],
      ['garbage', '\u0000\u0001 this is not xml at all >>>', 'not-well-formed'],
      [
        'deep nesting',
        `<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>${'<a>'.repeat(10_000)}`,
        'policy-violation',
      ],
    ];
    for (const [what, input, condition] of hostile)
      it(`hostile input (${what}) gets a stream error and the server keeps serving`, async () => {
        const c = await RawXmpp.tls(tlsPort);
        open.push(c);
        c.send(input);
        const err = await c.streamError();
        expect(err.elements()[0]!.name).toBe(condition);
        await c.whenClosed();
        const { name } = await account();
        await login(name);
      });

    it('a 10 MB stanza after login is refused with policy-violation', async () => {
      const { name } = await account();
      const c = await login(name);
      const chunk = 'x'.repeat(1024 * 1024);
      c.send(`<message to='${name}@localhost'><body>`);
      for (let i = 0; i < 10 && !c.closed; i++) c.send(chunk);
      const err = await c.streamError();
      expect(err.elements()[0]!.name).toBe('policy-violation');
      await c.whenClosed();
      const d = await login(name);
      expect((await d.iq('get', "<ping xmlns='urn:xmpp:ping'/>")).attr('type')).toBe('result');
    });

    it('closes the stream when the client closes it', async () => {
      const { name } = await account();
      const c = await login(name);
      c.send('</stream:stream>');
      await c.wait((e) => e.type === 'close', 'stream close');
      await c.whenClosed();
    });
  });
}
