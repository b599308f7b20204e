import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { type RawXmpp, xmppAuth, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * What the XSF's XMPP Interop Testing suite (SINT, smack-sint-server-extensions)
 * and Smack's integration tests ask of a server's XEPs, over raw XML: each
 * test names the SINT class it follows and sends what that class sends,
 * asserting what it asserts (docs/xmpp.md, "Conformance").
 */
const PASSWORD = 'correct horse battery';
const INFO = 'http://jabber.org/protocol/disco#info';
const ITEMS = 'http://jabber.org/protocol/disco#items';
const CAPS = 'http://jabber.org/protocol/caps';
const CHATSTATES = 'http://jabber.org/protocol/chatstates';
const MAM = 'urn:xmpp:mam:2';
const RSM = 'http://jabber.org/protocol/rsm';

const condition = (el: Element): string | undefined =>
  el.attr('type') === 'error' ? el.getChild('error')?.elements()[0]?.name : undefined;

/** XEP-0115 5.1, written here on its own: the door's caps must verify against it. */
function verOf(q: Element): string {
  const ids = q
    .getChildren('identity', INFO)
    .map(
      (i) =>
        `${i.attr('category')}/${i.attr('type')}/${i.attr('xml:lang') ?? ''}/${i.attr('name') ?? ''}<`,
    )
    .sort();
  const features = q
    .getChildren('feature', INFO)
    .map((f) => `${f.attr('var')}<`)
    .sort();
  return createHash('sha1')
    .update(ids.join('') + features.join(''))
    .digest('base64');
}

const semantic = (q: Element) =>
  JSON.stringify([
    q
      .elements()
      .map((e) => JSON.stringify(e.attrs))
      .sort(),
  ]);

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP XEPs as SINT tests them (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let tlsPort: number;
    const open: RawXmpp[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, {
        xmpp: { port: -1, tls_port: 0, stanzas_per_second: 10_000, stanza_burst: 10_000 },
        messages: { per_second: 1000, burst: 1000 },
        limits: { requests_per_minute_per_address: 100_000 },
      });
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
      return { name, web, jid: `${name}@localhost` };
    };
    const login = async (name: string, resource?: string) => {
      const c = await xmppLogin(tlsPort, name, PASSWORD, resource ? { resource } : {});
      open.push(c);
      return c;
    };
    const befriend = async (
      a: Awaited<ReturnType<typeof account>>,
      b: Awaited<ReturnType<typeof account>>,
    ) => {
      await b.web.requestContact(a.name);
      await a.web.approveContact(b.name, true);
    };
    const nobody = () => `${uname('test-non-existing-bare-jid')}@localhost`;

    it('XEP-0030: the server, and bare JIDs it answers for (ServiceDiscovery*IntegrationTest)', async () => {
      const a = await account('da');
      const b = await account('db');
      const x = await login(a.name);

      // The domain: identities with category and type, features with var, disco#info among them.
      const info = (await x.iq('get', `<query xmlns='${INFO}'/>`, 'localhost')).getChild('query')!;
      const ids = info.getChildren('identity', INFO);
      expect(ids.length).toBeGreaterThan(0);
      for (const i of ids) expect([i.attr('category'), i.attr('type')]).not.toContain(undefined);
      const names = new Map<string, Set<string | undefined>>();
      for (const i of ids) {
        const k = `${i.attr('category')}|${i.attr('type')}|${i.attr('xml:lang')}`;
        names.set(k, (names.get(k) ?? new Set()).add(i.attr('name')));
      }
      expect([...names.values()].every((s) => s.size === 1)).toBe(true);
      const features = info.getChildren('feature', INFO).map((f) => f.attr('var'));
      expect(features).toContain(INFO);
      expect(features).not.toContain(undefined);
      const items = await x.iq('get', `<query xmlns='${ITEMS}'/>`, 'localhost');
      expect(items.attr('type')).toBe('result');
      for (const i of items.getChild('query')!.getChildren('item'))
        expect(i.attr('jid')).toBeDefined();

      // A bare JID with no account: info is service-unavailable, items an empty result.
      for (const q of ['', ` node='a-test-node-x1'`]) {
        expect(condition(await x.iq('get', `<query xmlns='${INFO}'${q}/>`, nobody()))).toBe(
          'service-unavailable',
        );
        const none = await x.iq('get', `<query xmlns='${ITEMS}'${q}/>`, nobody());
        expect(none.attr('type')).toBe('result');
        expect(none.getChild('query')!.elements()).toEqual([]);
      }

      // An account that does not share its presence: answered by the server, for it (from its
      // bare JID), with service-unavailable for info and no resources among the items.
      for (const q of ['', ` node='a-test-node-x2'`]) {
        const r = await x.iq('get', `<query xmlns='${INFO}'${q}/>`, b.jid);
        expect(condition(r)).toBe('service-unavailable');
        expect(r.attr('from')).toBe(b.jid);
      }
      const bx = await login(b.name, 'work');
      bx.send('<presence/>');
      const stranger = await x.iq('get', `<query xmlns='${ITEMS}'/>`, b.jid);
      expect(stranger.attr('type')).toBe('result');
      expect(stranger.attr('from')).toBe(b.jid);
      const jids = stranger
        .getChild('query')!
        .getChildren('item')
        .map((i) => i.attr('jid'));
      expect(jids.filter((j) => j?.includes('/'))).toEqual([]);
      // The request went to nobody's stream: the server answered it.
      const asked = bx.events.some(
        (e) => e.type === 'stanza' && e.element.name === 'iq' && e.element.attr('type') === 'get',
      );
      expect(asked).toBe(false);

      // Once a sees b's presence, b's bare JID answers as an account.
      await befriend(b, a);
      const seen = await x.iq('get', `<query xmlns='${INFO}'/>`, b.jid);
      expect(seen.attr('type')).toBe('result');
      expect(seen.attr('from')).toBe(b.jid);
      expect(
        seen
          .getChild('query')!
          .getChildren('identity')
          .map((i) => `${i.attr('category')}/${i.attr('type')}`),
      ).toContain('account/registered');
      expect(condition(await x.iq('get', `<query xmlns='${INFO}' node='nope'/>`, b.jid))).toBe(
        'item-not-found',
      );
    });

    it('XEP-0054: vCards are answered by the server, the same error for none and nobody (VCardTempIntegrationTest)', async () => {
      const a = await account('va');
      const b = await account('vb');
      const c = await account('vc');
      const x = await login(a.name);
      const cx = await login(c.name);

      // No vCard and no account: an error, the same condition for both.
      const none = await x.iq('get', "<vCard xmlns='vcard-temp'/>", c.jid);
      const nobodys = await x.iq('get', "<vCard xmlns='vcard-temp'/>", nobody());
      expect(condition(none)).toBe('item-not-found');
      expect(condition(nobodys)).toBe(condition(none));
      // Answered by the server, never forwarded to the account's resource.
      cx.send("<iq type='get' id='order'><ping xmlns='urn:xmpp:ping'/></iq>");
      await cx.iqResult('order');
      expect(
        cx.events.some(
          (e) => e.type === 'stanza' && e.element.getChild('vCard', 'vcard-temp') !== undefined,
        ),
      ).toBe(false);

      // Smack's VCard.setFirstName: only N/GIVEN. Published, then it is a's vCard.
      const set = await x.iq('set', "<vCard xmlns='vcard-temp'><N><GIVEN>John</GIVEN></N></vCard>");
      expect(set.attr('type')).toBe('result');
      const own = (await x.iq('get', "<vCard xmlns='vcard-temp'/>")).getChild('vCard')!;
      expect(own.getChildText('FN')).toBe('John');
      const bx = await login(b.name);
      const seen = await bx.iq('get', "<vCard xmlns='vcard-temp'/>", a.jid);
      expect(seen.attr('type')).toBe('result');
      expect(seen.attr('from')).toBe(a.jid);
      // Updating someone else's vCard is an error.
      const other = await x.iq('set', "<vCard xmlns='vcard-temp'><FN>Jake</FN></vCard>", b.jid);
      expect(condition(other)).toBeDefined();
      expect((await b.web.profile(b.name)).displayName).toBe('');

      // XEP-0054 section 8's example, every field: accepted, the mapped ones kept.
      const all =
        "<vCard xmlns='vcard-temp'><FN>Peter Saint-Andre</FN><N><FAMILY>Saint-Andre</FAMILY><GIVEN>Peter</GIVEN><MIDDLE/></N><NICKNAME>stpeter</NICKNAME><URL>http://www.xmpp.org/xsf/people/stpeter.shtml</URL><BDAY>1966-08-06</BDAY><ORG><ORGNAME>XMPP Standards Foundation</ORGNAME><ORGUNIT/></ORG><TITLE>Executive Director</TITLE><ROLE>Patron Saint</ROLE><TEL><WORK/><VOICE/><NUMBER>303-308-3282</NUMBER></TEL><TEL><WORK/><FAX/><NUMBER/></TEL><TEL><WORK/><MSG/><NUMBER/></TEL><ADR><WORK/><EXTADD>Suite 600</EXTADD><STREET>1899 Wynkoop Street</STREET><LOCALITY>Denver</LOCALITY><REGION>CO</REGION><PCODE>80202</PCODE><CTRY>USA</CTRY></ADR><TEL><HOME/><VOICE/><NUMBER>303-555-1212</NUMBER></TEL><TEL><HOME/><FAX/><NUMBER/></TEL><TEL><HOME/><MSG/><NUMBER/></TEL><ADR><HOME/><EXTADD/><STREET/><LOCALITY>Denver</LOCALITY><REGION>CO</REGION><PCODE>80209</PCODE><CTRY>USA</CTRY></ADR><EMAIL><INTERNET/><PREF/><USERID>stpeter@jabber.org</USERID></EMAIL><JABBERID>stpeter@jabber.org</JABBERID><DESC>Check out my blog at https://stpeter.im/</DESC></vCard>";
      expect((await x.iq('set', all)).attr('type')).toBe('result');
      expect(await a.web.updateProfile({})).toMatchObject({
        displayName: 'Peter Saint-Andre',
        city: 'Denver',
        country: 'USA',
        birthYear: 1966,
        about: 'Check out my blog at https://stpeter.im/',
      });
    });

    it('XEP-0092, XEP-0199, XEP-0115 of the server (VersionServer, PingServer, EntityCapabilities)', async () => {
      const a = await account('sa');
      const x = await login(a.name);
      const v = (await x.iq('get', "<query xmlns='jabber:iq:version'/>", 'localhost')).getChild(
        'query',
      )!;
      expect(v.getChildText('name')).toBeTruthy();
      expect(v.getChildText('version')).toBeTruthy();
      // Ping: to one's bare JID, to the domain, with no to.
      for (const to of [a.jid, 'localhost', undefined])
        expect((await x.iq('get', "<ping xmlns='urn:xmpp:ping'/>", to)).attr('type')).toBe(
          'result',
        );
      const server = (await x.iq('get', `<query xmlns='${INFO}'/>`, 'localhost')).getChild(
        'query',
      )!;
      expect(server.getChildren('feature').map((f) => f.attr('var'))).toContain('urn:xmpp:ping');

      // Caps in the stream features: hash (sha-1), node and ver, the ver verifying against
      // disco#info of node#ver, which mirrors the node asked.
      const { c, features } = await xmppAuth(tlsPort, a.name, PASSWORD);
      open.push(c);
      const caps = features.getChild('c', CAPS)!;
      expect(caps.attr('hash')).toBe('sha-1');
      expect(caps.attr('node')).toBeTruthy();
      const at = `${caps.attr('node')}#${caps.attr('ver')}`;
      const answer = (
        await x.iq('get', `<query xmlns='${INFO}' node='${at}'/>`, 'localhost')
      ).getChild('query')!;
      expect(answer.attr('node')).toBe(at);
      expect(verOf(answer)).toBe(caps.attr('ver'));
    });

    it('XEP-0352: a client state shows nowhere (CsiIntegrationTest)', async () => {
      const a = await account('ca');
      const b = await account('cb');
      const one = await login(a.name, 'one');
      const two = await login(b.name, 'two');
      one.send('<presence/>');
      two.send('<presence/>');
      const check = async () => {
        const info = async () =>
          semantic((await two.iq('get', `<query xmlns='${INFO}'/>`, one.jid)).getChild('query')!);
        const items = async () => {
          const r = await two.iq('get', `<query xmlns='${ITEMS}'/>`, one.jid);
          expect(r.attr('type')).toBe('result');
          return semantic(r.getChild('query')!);
        };
        const before = [await info(), await items()];
        one.send("<inactive xmlns='urn:xmpp:csi:0'/>");
        // One stream, in order: a ping answered means the state was taken.
        expect((await one.iq('get', "<ping xmlns='urn:xmpp:ping'/>")).attr('type')).toBe('result');
        expect([await info(), await items()]).toEqual(before);
        one.send("<active xmlns='urn:xmpp:csi:0'/>");
        expect((await one.iq('get', "<ping xmlns='urn:xmpp:ping'/>")).attr('type')).toBe('result');
      };
      await check();
      await befriend(a, b);
      await check();
    });

    it('XEP-0085: composing, then a message that says active (ChatStateIntegrationTest)', async () => {
      const a = await account('ha');
      const b = await account('hb');
      await befriend(a, b);
      const one = await login(a.name);
      const two = await login(b.name);
      two.send('<presence/>');
      const mark = two.events.length;
      one.send(`<message type='chat' to='${b.jid}'><composing xmlns='${CHATSTATES}'/></message>`);
      await two.stanza(
        (el) => el.name === 'message' && el.getChild('composing', CHATSTATES) !== undefined,
        'composing',
        mark,
      );
      one.send(
        `<message type='chat' to='${b.jid}' id='hi-1'><body>Hi!</body><active xmlns='${CHATSTATES}'/></message>`,
      );
      const hi = await two.stanza((el) => el.getChildText('body') === 'Hi!', 'Hi!', mark);
      expect(hi.getChild('active', CHATSTATES)).toBeDefined();
    });

    it('XEP-0055: the search service found by disco, its form, a search (UserSearchManagerIntegrationTest)', async () => {
      const a = await account('ua');
      const x = await login(a.name);
      const server = (await x.iq('get', `<query xmlns='${INFO}'/>`, 'localhost')).getChild(
        'query',
      )!;
      expect(server.getChildren('feature').map((f) => f.attr('var'))).toContain('jabber:iq:search');
      const form = (await x.iq('get', "<query xmlns='jabber:iq:search'/>", 'localhost'))
        .getChild('query')!
        .getChild('x', 'jabber:x:data')!;
      const required = form
        .getChildren('field')
        .filter((f) => f.getChild('required') !== undefined)
        .map((f) => f.attr('var')!);
      const fields = required
        .map((v) => `<field var='${v}'><value>sinttest</value></field>`)
        .join('');
      const r = await x.iq(
        'set',
        `<query xmlns='jabber:iq:search'><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>jabber:iq:search</value></field>${fields}</x></query>`,
        'localhost',
      );
      expect(r.attr('type')).toBe('result');
      expect(r.getChild('query')!.getChild('x', 'jabber:x:data')!.attr('type')).toBe('result');
    });

    it('XEP-0313: a message without a type is archived under its id; pages of ten (MamIntegrationTest)', async () => {
      const a = await account('ma');
      const b = await account('mb');
      await befriend(a, b);
      const one = await login(a.name);
      const two = await login(b.name);
      const prefs = await two.iq(
        'set',
        `<prefs xmlns='${MAM}' default='always'><always/><never/></prefs>`,
      );
      expect(prefs.attr('type')).toBe('result');
      let q = 0;
      const mam = async (body: string) => {
        const qid = `q${++q}`;
        const mark = two.events.length;
        const fin = await two.iq(
          'set',
          `<query xmlns='${MAM}' queryid='${qid}'><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>${MAM}</value></field><field var='with'><value>${a.jid}</value></field></x>${body}</query>`,
        );
        const results = two.events
          .slice(mark)
          .flatMap((e) => (e.type === 'stanza' ? [e.element] : []))
          .filter((el) => el.getChild('result', MAM)?.attr('queryid') === qid);
        return {
          fin: fin.getChild('fin', MAM)!,
          ids: results.map((el) => el.getChild('result', MAM)!.attr('id')!),
          messages: results.map((el) =>
            el.getChild('result', MAM)!.getChild('forwarded')!.getChild('message')!,
          ),
        };
      };
      const text = `Test MAM message (${uname('run')})`;
      one.send(`<message to='${b.jid}' id='mam-sint-1'><body>${text}</body></message>`);
      await two.stanza((el) => el.getChildText('body') === text, 'the message');
      const last = await mam(`<set xmlns='${RSM}'><max>1</max><before/></set>`);
      expect(last.messages).toHaveLength(1);
      const m = last.messages[0]!;
      expect(m.attr('id')).toBe('mam-sint-1');
      expect(m.getChildText('body')).toBe(text);
      // Parley keeps no resources with messages: both sides are bare JIDs (SINT expects the
      // sender's full JID; docs/xmpp.md, "Conformance").
      expect(m.attr('from')).toBe(a.jid);
      expect(m.attr('to')).toBe(b.jid);

      const after = last.ids[0]!;
      const bodies = Array.from({ length: 30 }, (_, i) => `MAM Page Test ${i + 1}`);
      for (const body of bodies) one.send(`<message to='${b.jid}'><body>${body}</body></message>`);
      await two.stanza((el) => el.getChildText('body') === bodies[29], 'the last one');
      const seen: string[] = [];
      let page = await mam(`<set xmlns='${RSM}'><max>10</max><after>${after}</after></set>`);
      for (let i = 0; i < 3; i++) {
        expect(page.messages).toHaveLength(10);
        expect(page.fin.attr('complete') === 'true').toBe(i === 2);
        seen.push(...page.messages.map((x) => x.getChildText('body')!));
        const next = page.fin.getChild('set', RSM)!.getChildText('last')!;
        if (i < 2)
          page = await mam(`<set xmlns='${RSM}'><max>10</max><after>${next}</after></set>`);
      }
      expect(seen).toEqual(bodies);
    });
  });
}
