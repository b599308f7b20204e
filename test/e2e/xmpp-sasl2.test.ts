import { createHash, createHmac, pbkdf2Sync, randomBytes, randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { RawXmpp, xmppPorts } from '../helpers/xmpp.js';

/**
 * XEP-0388 SASL2 with XEP-0386 Bind 2 and XEP-0484 FAST over raw XML on direct
 * TLS, on every backend: a one-request login that binds and enables stream
 * management and carbons with no restart; SCRAM through challenge and response;
 * a FAST token asked for, then used to reconnect in one round trip (with and
 * without channel binding), its count protecting against replays; the token as
 * a device the web lists and signs out (ending the stream), and refused after a
 * password change; XEP-0198 resumption inline; hostile requests answered with a
 * <failure> and nothing else changed.
 */
const PASSWORD = 'correct horse battery';
const SASL2 = 'urn:xmpp:sasl:2';
const BIND2 = 'urn:xmpp:bind:0';
const FAST = 'urn:xmpp:fast:0';
const SM = 'urn:xmpp:sm:3';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const ht = (token: string, label: string, cb: Buffer = Buffer.alloc(0)) =>
  createHmac('sha256', token).update(label).update(cb).digest();

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP SASL2, Bind 2 and FAST (${backend.name})`, () => {
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

    const account = async (prefix = 's2') => {
      const name = uname(prefix);
      const web = node.client();
      await web.register(name, PASSWORD);
      return { name, web };
    };
    /** A stream on direct TLS up to its first features. */
    const connect = async () => {
      const c = await RawXmpp.tls(tlsPort);
      open.push(c);
      c.open();
      const features = await c.features();
      return { c, features };
    };
    /** The next SASL2 outcome (or challenge) from event `mark` on. */
    const outcome = (c: RawXmpp, mark: number, names = ['success', 'failure']) =>
      c.stanza((el) => el.ns === SASL2 && names.includes(el.name), 'SASL2 outcome', mark);
    const authenticate = async (c: RawXmpp, mechanism: string, initial: string, inner = '') => {
      const mark = c.events.length;
      c.send(
        `<authenticate xmlns='${SASL2}' mechanism='${mechanism}'><initial-response>${initial}</initial-response>${inner}</authenticate>`,
      );
      return outcome(c, mark);
    };
    const plain = (name: string) => b64(`\0${name}\0${PASSWORD}`);
    const ua = (id: string) =>
      `<user-agent id='${id}'><software>TestXMPP</software><device>Bench</device></user-agent>`;
    /** Features sent right after <success> (no restart). */
    const featuresAfter = (c: RawXmpp, success: Element) =>
      c.features(c.events.findIndex((e) => e.type === 'stanza' && e.element === success) + 1);

    it('offers SASL2 with Bind 2, inline SM and FAST beside SASL', async () => {
      const { features } = await connect();
      const auth = features.getChild('authentication', SASL2)!;
      expect(auth.getChildren('mechanism', SASL2).map((m) => m.text())).toEqual(
        features
          .getChild('mechanisms', 'urn:ietf:params:xml:ns:xmpp-sasl')!
          .getChildren('mechanism')
          .map((m) => m.text()),
      );
      const inline = auth.getChild('inline', SASL2)!;
      const bind = inline.getChild('bind', BIND2)!;
      expect(
        bind
          .getChild('inline', BIND2)!
          .getChildren('feature', BIND2)
          .map((f) => f.attr('var')),
      ).toEqual(['urn:xmpp:carbons:2', 'urn:xmpp:csi:0', SM]);
      expect(inline.getChild('sm', SM)).toBeDefined();
      const fast = inline.getChild('fast', FAST)!;
      expect(fast.getChildren('mechanism', FAST).map((m) => m.text())).toContain('HT-SHA-256-NONE');
    });

    it('logs in, binds from the tag and enables SM and carbons in one request, no restart', async () => {
      const { name } = await account();
      const { c } = await connect();
      const ok = await authenticate(
        c,
        'PLAIN',
        plain(name),
        `${ua(randomUUID())}<bind xmlns='${BIND2}'><tag>TestXMPP</tag><enable xmlns='urn:xmpp:carbons:2'/><enable xmlns='${SM}' resume='true'/></bind>`,
      );
      expect(ok.name).toBe('success');
      const jid = ok.getChildText('authorization-identifier', SASL2)!;
      expect(jid.startsWith(`${name}@localhost/TestXMPP.`)).toBe(true);
      const enabled = ok.getChild('bound', BIND2)!.getChild('enabled', SM)!;
      expect(enabled.attr('resume')).toBe('true');
      const features = await featuresAfter(c, ok);
      expect(features.getChild('bind', 'urn:ietf:params:xml:ns:xmpp-bind')).toBeUndefined();
      expect(features.getChild('sm', SM)).toBeUndefined();
      // The stream is live: an iq is answered, a message from the web arrives (and is counted).
      // The archive's state at binding: empty for a new account.
      const meta = ok.getChild('bound', BIND2)!.getChild('metadata', 'urn:xmpp:mam:2')!;
      expect(meta.elements()).toEqual([]);
      const pong = await c.iq('get', `<ping xmlns='urn:xmpp:ping'/>`);
      expect(pong.attr('type')).toBe('result');
      const other = await account('s2o');
      await other.web.sendMessage(name, 'over SASL2', 's2-1');
      await c.stanza(
        (el) => el.name === 'message' && el.getChildText('body') === 'over SASL2',
        'DM',
      );
      const mark = c.events.length;
      c.send(`<r xmlns='${SM}'/>`);
      const a = await c.stanza((el) => el.name === 'a' && el.ns === SM, '<a/>', mark);
      expect(Number(a.attr('h'))).toBe(1); // the ping
    });

    it('a new bind from the same client ends its earlier session and keeps its resource', async () => {
      const { name } = await account();
      const id = randomUUID();
      const inner = `${ua(id)}<bind xmlns='${BIND2}'><tag>Phone</tag></bind>`;
      const first = await connect();
      const one = await authenticate(first.c, 'PLAIN', plain(name), inner);
      const second = await connect();
      const two = await authenticate(second.c, 'PLAIN', plain(name), inner);
      expect(two.getChildText('authorization-identifier', SASL2)).toBe(
        one.getChildText('authorization-identifier', SASL2),
      );
      // RFC 6120 7.7.2.2: the replaced stream ends with <conflict/>.
      expect((await first.c.streamError()).elements()[0]!.name).toBe('conflict');
      await first.c.whenClosed();
      // Another client (another id) gets a resource of its own.
      const third = await connect();
      const three = await authenticate(
        third.c,
        'PLAIN',
        plain(name),
        inner.replace(id, randomUUID()),
      );
      expect(three.getChildText('authorization-identifier', SASL2)).not.toBe(
        one.getChildText('authorization-identifier', SASL2),
      );
      expect(second.c.closed).toBe(false);
    });

    it('SCRAM-SHA-256 through challenge and response, the server signature in additional-data', async () => {
      const { name } = await account();
      const { c } = await connect();
      const gs2 = 'n,,';
      const bare = `n=${name},r=${randomBytes(18).toString('base64')}`;
      const mark = c.events.length;
      c.send(
        `<authenticate xmlns='${SASL2}' mechanism='SCRAM-SHA-256'><initial-response>${b64(gs2 + bare)}</initial-response></authenticate>`,
      );
      const ch = await outcome(c, mark, ['challenge', 'failure']);
      expect(ch.name).toBe('challenge');
      const sf = Buffer.from(ch.text(), 'base64').toString();
      const a = Object.fromEntries(sf.split(',').map((x) => [x[0], x.slice(2)]));
      const salted = pbkdf2Sync(PASSWORD, Buffer.from(a.s!, 'base64'), Number(a.i), 32, 'sha256');
      const clientKey = createHmac('sha256', salted).update('Client Key').digest();
      const storedKey = createHash('sha256').update(clientKey).digest();
      const withoutProof = `c=${b64(gs2)},r=${a.r}`;
      const authMessage = `${bare},${sf},${withoutProof}`;
      const sig = createHmac('sha256', storedKey).update(authMessage).digest();
      const proof = Buffer.from(clientKey.map((x, i) => x ^ sig[i]!)).toString('base64');
      const mark2 = c.events.length;
      c.send(`<response xmlns='${SASL2}'>${b64(`${withoutProof},p=${proof}`)}</response>`);
      const ok = await outcome(c, mark2);
      expect(ok.name).toBe('success');
      const serverKey = createHmac('sha256', salted).update('Server Key').digest();
      const want = createHmac('sha256', serverKey).update(authMessage).digest('base64');
      expect(Buffer.from(ok.getChildText('additional-data', SASL2)!, 'base64').toString()).toBe(
        `v=${want}`,
      );
      expect(ok.getChildText('authorization-identifier', SASL2)).toBe(`${name}@localhost`);
      // Not bound: the features offer binding, on the same stream.
      const features = await featuresAfter(c, ok);
      expect(features.getChild('bind', 'urn:ietf:params:xml:ns:xmpp-bind')).toBeDefined();
      await c.bind('legacy');
      expect(c.jid).toBe(`${name}@localhost/legacy`);
    });

    /** A password login asking for a token; resolves with it. */
    const tokenFor = async (
      name: string,
      clientId: string,
      mechanism = 'HT-SHA-256-NONE',
      password = PASSWORD,
    ) => {
      const { c } = await connect();
      const ok = await authenticate(
        c,
        'PLAIN',
        b64(`\0${name}\0${password}`),
        `${ua(clientId)}<request-token xmlns='${FAST}' mechanism='${mechanism}'/>`,
      );
      expect(ok.name).toBe('success');
      const t = ok.getChild('token', FAST)!;
      expect(Date.parse(t.attr('expiry')!)).toBeGreaterThan(Date.now() + 13 * 86400_000);
      return { c, token: t.attr('token')! };
    };
    const fastLogin = async (
      name: string,
      clientId: string,
      token: string,
      opts: { count?: number; mechanism?: string; cb?: (s: TLSSocket) => Buffer } = {},
    ) => {
      const { c } = await connect();
      const cb = opts.cb ? opts.cb(c.socket as TLSSocket) : Buffer.alloc(0);
      const initial = b64(Buffer.concat([Buffer.from(`${name}\0`), ht(token, 'Initiator', cb)]));
      const r = await authenticate(
        c,
        opts.mechanism ?? 'HT-SHA-256-NONE',
        initial,
        `${ua(clientId)}<bind xmlns='${BIND2}'><tag>Fast</tag></bind><fast xmlns='${FAST}'${
          opts.count !== undefined ? ` count='${opts.count}'` : ''
        }/>`,
      );
      return { c, r, cb };
    };

    it('a FAST token reconnects in one round trip; a replayed count and a wrong token are refused', async () => {
      const { name, web } = await account();
      const clientId = randomUUID();
      const { token } = await tokenFor(name, clientId);
      const { r } = await fastLogin(name, clientId, token, { count: 1 });
      expect(r.name).toBe('success');
      expect(
        Buffer.from(r.getChildText('additional-data', SASL2)!, 'base64').equals(
          ht(token, 'Responder'),
        ),
      ).toBe(true);
      expect(r.getChildText('authorization-identifier', SASL2)).toMatch(
        new RegExp(`^${name}@localhost/Fast\\.`),
      );
      // The device is listed, named after the user agent.
      const { sessions } = await web.sessions();
      expect(sessions.map((s) => s.device)).toContain('TestXMPP (Bench)');

      const replay = await fastLogin(name, clientId, token, { count: 1 });
      expect(replay.r.name).toBe('failure');
      expect(replay.r.getChild('not-authorized', 'urn:ietf:params:xml:ns:xmpp-sasl')).toBeDefined();
      expect((await fastLogin(name, clientId, token, { count: 2 })).r.name).toBe('success');
      expect((await fastLogin(name, clientId, `${token}x`, { count: 3 })).r.name).toBe('failure');
      expect((await fastLogin(name, randomUUID(), token, { count: 4 })).r.name).toBe('failure');
      // Bound to its mechanism: -ENDP with the same token fails even with the right binding.
      const endp = await fastLogin(name, clientId, token, {
        count: 5,
        mechanism: 'HT-SHA-256-ENDP',
        cb: (s) => createHash('sha256').update(s.getPeerCertificate().raw).digest(),
      });
      expect(endp.r.name).toBe('failure');
    });

    it('with channel binding (tls-exporter): the proof covers this connection', async () => {
      const { name } = await account();
      const clientId = randomUUID();
      const { token } = await tokenFor(name, clientId, 'HT-SHA-256-EXPR');
      const exporter = (s: TLSSocket) =>
        s.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
      const { r, cb } = await fastLogin(name, clientId, token, {
        mechanism: 'HT-SHA-256-EXPR',
        cb: exporter,
      });
      expect(r.name).toBe('success');
      expect(
        Buffer.from(r.getChildText('additional-data', SASL2)!, 'base64').equals(
          ht(token, 'Responder', cb),
        ),
      ).toBe(true);
      // Another connection's binding does not pass.
      const stale = await fastLogin(name, clientId, token, {
        mechanism: 'HT-SHA-256-EXPR',
        cb: () => cb,
      });
      expect(stale.r.name).toBe('failure');
    });

    it('signing the device out ends its stream and its token; a password change voids tokens', async () => {
      const { name, web } = await account();
      const clientId = randomUUID();
      const { token } = await tokenFor(name, clientId);
      const live = await fastLogin(name, clientId, token);
      expect(live.r.name).toBe('success');
      const { sessions } = await web.sessions();
      const device = sessions.find((s) => s.device === 'TestXMPP (Bench)')!;
      await web.revokeSession(device.id);
      await live.c.streamError();
      await live.c.whenClosed();
      expect((await fastLogin(name, clientId, token)).r.name).toBe('failure');

      const second = randomUUID();
      const { token: t2 } = await tokenFor(name, second);
      await web.changePassword(PASSWORD, `${PASSWORD} 2`);
      const after = await fastLogin(name, second, t2);
      expect(after.r.name).toBe('failure');

      // "Sign out all other devices" from the web ends a token's device and its stream too.
      const third = randomUUID();
      const t3 = await tokenFor(name, third, 'HT-SHA-256-NONE', `${PASSWORD} 2`);
      const stream = await fastLogin(name, third, t3.token);
      expect(stream.r.name).toBe('success');
      expect(await web.revokeOtherSessions()).toBeGreaterThanOrEqual(1);
      await stream.c.whenClosed();
      expect((await fastLogin(name, third, t3.token)).r.name).toBe('failure');
    });

    it('XEP-0198 resumption inline: the session and what it missed come back', async () => {
      const { name } = await account();
      const other = await account('s2r');
      const { c } = await connect();
      const ok = await authenticate(
        c,
        'PLAIN',
        plain(name),
        `<bind xmlns='${BIND2}'><enable xmlns='${SM}' resume='true'/></bind>`,
      );
      const previd = ok.getChild('bound', BIND2)!.getChild('enabled', SM)!.attr('id')!;
      const jid = ok.getChildText('authorization-identifier', SASL2)!;
      await other.web.sendMessage(name, 'while away', 's2-2');
      await c.stanza((el) => el.getChildText('body') === 'while away', 'DM');
      c.close(); // never acknowledged
      const back = await connect();
      const r = await authenticate(
        back.c,
        'PLAIN',
        plain(name),
        `<resume xmlns='${SM}' previd='${previd}' h='0'/><bind xmlns='${BIND2}'/>`,
      );
      expect(r.name).toBe('success');
      expect(r.getChild('resumed', SM)?.attr('previd')).toBe(previd);
      expect(r.getChild('bound', BIND2)).toBeUndefined();
      expect(r.getChildText('authorization-identifier', SASL2)).toBe(jid);
      const again = await back.c.stanza(
        (el) => el.getChildText('body') === 'while away',
        'resent',
        back.c.events.indexOf(back.c.events.find((e) => e.type === 'stanza' && e.element === r)!),
      );
      expect(again.getChild('delay', 'urn:xmpp:delay')).toBeDefined();
      // An unknown previd fails inline and binds a new session instead.
      const fresh = await connect();
      const r2 = await authenticate(
        fresh.c,
        'PLAIN',
        plain(name),
        `<resume xmlns='${SM}' previd='nope' h='0'/><bind xmlns='${BIND2}'/>`,
      );
      expect(r2.getChild('failed', SM)).toBeDefined();
      // Its archive's end is the message that came meanwhile.
      const end = r2
        .getChild('bound', BIND2)!
        .getChild('metadata', 'urn:xmpp:mam:2')!
        .getChild('end', 'urn:xmpp:mam:2');
      expect(end?.attr('id')).toBeTruthy();
      expect(end?.attr('id')).toBe(again.getChild('stanza-id', 'urn:xmpp:sid:0')?.attr('id'));
    });

    it('over WebSocket: SASL2 and Bind 2 work, FAST only without channel binding', async () => {
      const { name } = await account();
      const clientId = randomUUID();
      const c = await RawXmpp.ws(node.wsUrl.replace('/api/v1/ws', '/xmpp-websocket'));
      open.push(c);
      c.open();
      const features = await c.features();
      const fast = features
        .getChild('authentication', SASL2)!
        .getChild('inline', SASL2)!
        .getChild('fast', FAST)!;
      expect(fast.getChildren('mechanism', FAST).map((m) => m.text())).toEqual(['HT-SHA-256-NONE']);
      const ok = await authenticate(
        c,
        'PLAIN',
        plain(name),
        `${ua(clientId)}<bind xmlns='${BIND2}'><tag>Web</tag></bind><request-token xmlns='${FAST}' mechanism='HT-SHA-256-NONE'/>`,
      );
      expect(ok.getChildText('authorization-identifier', SASL2)).toMatch(/\/Web\./);
      const token = ok.getChild('token', FAST)!.attr('token')!;
      expect((await fastLogin(name, clientId, token)).r.name).toBe('success');
    });

    it('hostile SASL2 requests get a <failure>, change nothing, and the server goes on', async () => {
      const { name } = await account();
      const clientId = randomUUID();
      const { token } = await tokenFor(name, clientId);
      const cases: [string, string][] = [
        [
          `<authenticate xmlns='${SASL2}'><initial-response>${plain(name)}</initial-response></authenticate>`,
          'invalid-mechanism',
        ],
        [`<authenticate xmlns='${SASL2}' mechanism='X-UNKNOWN'/>`, 'invalid-mechanism'],
        [
          `<authenticate xmlns='${SASL2}' mechanism='PLAIN'><initial-response>${'QUFB'.repeat(4000)}</initial-response></authenticate>`,
          'malformed-request',
        ],
        [
          `<authenticate xmlns='${SASL2}' mechanism='PLAIN'><initial-response>%%%</initial-response></authenticate>`,
          'malformed-request',
        ],
        [`<response xmlns='${SASL2}'>${plain(name)}</response>`, 'malformed-request'],
        [
          `<authenticate xmlns='${SASL2}' mechanism='PLAIN'><initial-response>${plain(name)}</initial-response><request-token xmlns='${FAST}' mechanism='HT-SHA-256-NONE'/></authenticate>`,
          'malformed-request',
        ],
        [
          `<authenticate xmlns='${SASL2}' mechanism='PLAIN'><initial-response>${plain(name)}</initial-response>${ua('x')}<request-token xmlns='${FAST}' mechanism='HT-MD5'/></authenticate>`,
          'malformed-request',
        ],
        [
          `<authenticate xmlns='${SASL2}' mechanism='HT-SHA-256-NONE'><initial-response>${b64(`${name}\0${'x'.repeat(32)}`)}</initial-response>${ua(clientId)}<fast xmlns='${FAST}' count='abc'/></authenticate>`,
          'malformed-request',
        ],
        [
          `<authenticate xmlns='${SASL2}' mechanism='HT-SHA-256-NONE'><initial-response>${b64('no-nul-here')}</initial-response>${ua(clientId)}<fast xmlns='${FAST}'/></authenticate>`,
          'malformed-request',
        ],
        [
          `<authenticate xmlns='${SASL2}' mechanism='HT-SHA-256-NONE'><initial-response>${b64(`${name}\0${'x'.repeat(32)}`)}</initial-response><fast xmlns='${FAST}'/></authenticate>`,
          'malformed-request',
        ],
        [
          `<authenticate xmlns='${SASL2}' mechanism='PLAIN'><initial-response>${b64(`\0${name}\0wrong`)}</initial-response></authenticate>`,
          'not-authorized',
        ],
      ];
      for (const [i, [xmlText, condition]] of cases.entries()) {
        // At most four failures per stream: the fifth ends it (tested in the SASL suite).
        const { c } = i % 4 === 0 || !open.at(-1) ? await connect() : { c: open.at(-1)! };
        const mark = c.events.length;
        c.send(xmlText);
        const f = await outcome(c, mark);
        expect(f.name, xmlText.slice(0, 120)).toBe('failure');
        expect(
          f.getChild(condition, 'urn:ietf:params:xml:ns:xmpp-sasl'),
          xmlText.slice(0, 120),
        ).toBeDefined();
      }
      // Nothing changed: the token still works, and a normal login too.
      expect((await fastLogin(name, clientId, token)).r.name).toBe('success');
      const { c } = await connect();
      expect((await authenticate(c, 'PLAIN', plain(name))).name).toBe('success');
      // Once logged in, another <authenticate> is a stream error (XEP-0388).
      c.send(
        `<authenticate xmlns='${SASL2}' mechanism='PLAIN'><initial-response>${plain(name)}</initial-response></authenticate>`,
      );
      const err = await c.streamError();
      expect(err.getChild('unsupported-stanza-type')).toBeDefined();
    });
  });
}
