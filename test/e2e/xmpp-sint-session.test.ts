import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { RawXmpp, xmppAuth, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * What the XMPP Interop Testing suite (SINT) checks about streams, logging in
 * and binding, over raw XML: ResourceBindingIntegrationTest (a stanza before
 * binding ends the stream with not-authorized), Smack's LoginIntegrationTest (a
 * wrong password is SASL not-authorized), RFC 6120 7.7.2.2 (a resource taken
 * over: the old stream gets <conflict/>), StreamManagementLowLevelIntegrationTest
 * (enable before login and a resume nobody knows are <failed/>, <r/> is
 * answered, ids differ), and the stream header's `from` after login (4.7.1).
 */
const PASSWORD = 'correct horse battery';
const SM = 'urn:xmpp:sm:3';
const SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

const streamCondition = (el: Element): string | undefined => el.elements()[0]?.name;

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP SINT: streams, login, binding (${backend.name})`, () => {
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
    const account = async (prefix = 'ss') => {
      const name = uname(prefix);
      await node.client().register(name, PASSWORD);
      return name;
    };
    const connect = async () => {
      const c = await RawXmpp.tls(tlsPort);
      open.push(c);
      c.open();
      await c.features();
      return c;
    };
    const login = async (name: string, resource?: string) => {
      const c = await xmppLogin(tlsPort, name, PASSWORD, resource ? { resource } : {});
      open.push(c);
      return c;
    };

    it('a message before logging in, or before binding, ends the stream with not-authorized', async () => {
      const c = await connect();
      c.send(`<message to='nobody-${uname()}@localhost'><body>hi</body></message>`);
      expect(streamCondition(await c.streamError())).toBe('not-authorized');
      await c.whenClosed();
      const name = await account();
      const { c: d } = await xmppAuth(tlsPort, name, PASSWORD);
      open.push(d);
      d.send(`<message to='nobody-${uname()}@localhost'><body>hi</body></message>`);
      expect(streamCondition(await d.streamError())).toBe('not-authorized');
      await d.whenClosed();
    });

    it('a wrong password is a SASL failure with not-authorized; the stream stays open', async () => {
      const name = await account();
      const c = await connect();
      const r = await c.plain(name, 'not the password');
      expect(r.name).toBe('failure');
      expect(r.getChild('not-authorized', SASL)).toBeDefined();
      const ok = await c.plain(name, PASSWORD);
      expect(ok.name).toBe('success');
      // Smack's testInvalidLogin: 24 random characters, mixed case, no such account.
      const nobody = await connect();
      const stranger = `NoSuch${uname('')}UserAtAllXyZ`.slice(0, 24);
      const n = await nobody.plain(stranger, 'invalidPassword');
      expect(n.getChild('not-authorized', SASL)).toBeDefined();
      const s = await nobody.scram(stranger, 'invalidPassword');
      expect(s.name).toBe('failure');
      expect(s.getChild('not-authorized', SASL)).toBeDefined();
      expect(c.closed).toBe(false);
    });

    it('binds a resource the server makes up, or the one asked for', async () => {
      const name = await account();
      const made = await login(name);
      expect(made.jid).toMatch(new RegExp(`^${name}@localhost/.+`));
      const asked = await login(name, 'Balcony');
      expect(asked.jid).toBe(`${name}@localhost/Balcony`);
      expect(made.jid).not.toBe(asked.jid);
    });

    it('a resource bound again takes it over: the old stream ends with <conflict/>', async () => {
      const name = await account();
      const old = await login(name, 'desk');
      old.send('<presence/>');
      const fresh = await login(name, 'desk');
      expect(fresh.jid).toBe(`${name}@localhost/desk`);
      expect(streamCondition(await old.streamError())).toBe('conflict');
      await old.whenClosed();
      // The new stream works under that name.
      const r = await fresh.iq('get', "<ping xmlns='urn:xmpp:ping'/>");
      expect(r.attr('type')).toBe('result');
      expect(fresh.closed).toBe(false);
    });

    it('stream management: enable before login fails, <r/> is answered, ids differ, unknown resume fails', async () => {
      const early = await connect();
      const mark = early.events.length;
      early.send(`<enable xmlns='${SM}'/>`);
      const f = await early.stanza((el) => el.name === 'failed' && el.ns === SM, 'failed', mark);
      expect(f.getChild('unexpected-request', STANZAS)).toBeDefined();
      expect(early.closed).toBe(false);

      const name = await account();
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const c = await login(name);
        const m = c.events.length;
        c.send(`<enable xmlns='${SM}' resume='true'/>`);
        const en = await c.stanza((el) => el.name === 'enabled', 'enabled', m);
        expect(en.attr('id')).toBeTruthy();
        ids.push(en.attr('id')!);
        const r = c.events.length;
        c.send(`<iq type='get' id='sm-p'><ping xmlns='urn:xmpp:ping'/></iq><r xmlns='${SM}'/>`);
        const a = await c.stanza((el) => el.name === 'a' && el.ns === SM, '<a/>', r);
        expect(a.attr('h')).toBe('1');
      }
      expect(new Set(ids).size).toBe(2);

      const { c } = await xmppAuth(tlsPort, name, PASSWORD);
      open.push(c);
      const m = c.events.length;
      c.send(`<resume xmlns='${SM}' previd='never-issued-${uname()}' h='0'/>`);
      const failed = await c.stanza((el) => el.name === 'failed' && el.ns === SM, 'failed', m);
      expect(failed.getChild('item-not-found', STANZAS)).toBeDefined();
      // The client binds instead.
      await c.bind();
      expect(c.jid).toContain(`${name}@localhost/`);
    });

    it("a restarted stream's `from` must be the account: else invalid-from", async () => {
      const name = await account();
      const other = await account();
      const c = await connect();
      expect((await c.plain(name, PASSWORD)).name).toBe('success');
      c.restart('localhost', `${other}@localhost`);
      expect(streamCondition(await c.streamError())).toBe('invalid-from');
      await c.whenClosed();
      // Its own bare JID is fine.
      const d = await connect();
      expect((await d.plain(name, PASSWORD)).name).toBe('success');
      const mark = d.events.length;
      d.restart('localhost', `${name}@localhost`);
      const features = await d.features(mark);
      expect(features.getChild('bind', 'urn:ietf:params:xml:ns:xmpp-bind')).toBeDefined();
    });
  });
}
