import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { type RawXmpp, xmppLogin, xmppPorts } from '../helpers/xmpp.js';
import { announce } from '../helpers/xmpp-caps.js';

/**
 * PEP (XEP-0163) for any node, as Smack's Geolocation-, Mood- and
 * UserTuneIntegrationTest and SINT's PubSubSection5_* (applied to PEP on the
 * account's bare JID) use it: a node made by its first publish, told to
 * contacts whose caps say `+notify`, its last item sent when a client starts
 * to listen; who reads it is its access model; retract and delete are told;
 * disco lists the nodes. Also vCard4 notifications on any profile change
 * (XEP-0292) and bookmarks pushed to one's other resources (XEP-0402).
 */
const PASSWORD = 'correct horse battery';
const PUBSUB = 'http://jabber.org/protocol/pubsub';
const OWNER = 'http://jabber.org/protocol/pubsub#owner';
const EVENT = 'http://jabber.org/protocol/pubsub#event';
const GEOLOC = 'http://jabber.org/protocol/geoloc';
const MOOD = 'http://jabber.org/protocol/mood';
const TUNE = 'http://jabber.org/protocol/tune';
const VCARD4 = 'urn:xmpp:vcard4';
const BOOKMARKS = 'urn:xmpp:bookmarks:1';
const INFO = 'http://jabber.org/protocol/disco#info';
const ITEMS = 'http://jabber.org/protocol/disco#items';

const condition = (el: Element): string | undefined =>
  el.attr('type') === 'error' ? el.getChild('error')?.elements()[0]?.name : undefined;

/** Smack's GeoLocation with every field, as GeolocationIntegrationTest publishes it. */
const geoloc = (text: string) =>
  `<geoloc xmlns='${GEOLOC}'><accuracy>23.0</accuracy><alt>1000.0</alt><altaccuracy>10.0</altaccuracy><area>Delhi</area><bearing>10.0</bearing><building>Small Building</building><country>India</country><countrycode>IN</countrycode><description>My Description</description><floor>top</floor><lat>25.098345</lat><locality>awesome</locality><lon>77.992034</lon><postalcode>110085</postalcode><region>North</region><room>small</room><speed>250.0</speed><street>Wall Street</street><text>${text}</text><timestamp>2004-02-19T00:00:00.000+00:00</timestamp><tzo>+5:30</tzo><uri>http://xmpp.org</uri></geoloc>`;
const mood = (m: string) => `<mood xmlns='${MOOD}'><${m}/></mood>`;
const tune = (title: string) => `<tune xmlns='${TUNE}'><title>${title}</title></tune>`;

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP PEP for any node, as SINT uses it (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let tlsPort: number;
    const open: RawXmpp[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, {
        xmpp: { port: -1, tls_port: 0, stanzas_per_second: 10_000, stanza_burst: 10_000 },
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
    const contacts = async () => {
      const a = await account('pa');
      const b = await account('pb');
      await b.web.requestContact(a.name);
      await a.web.approveContact(b.name, true);
      return { a, b };
    };
    const online = async (name: string, nodes: string[], resource = 'phone') => {
      const c = await xmppLogin(tlsPort, name, PASSWORD, { resource });
      open.push(c);
      await announce(c, nodes);
      return c;
    };
    const publish = (c: RawXmpp, n: string, payload: string, extra = '', id = '') =>
      c.iq(
        'set',
        `<pubsub xmlns='${PUBSUB}'><publish node='${n}'><item${id ? ` id='${id}'` : ''}>${payload}</item></publish>${extra}</pubsub>`,
      );
    const access = (model: string) =>
      `<publish-options><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#publish-options</value></field><field var='pubsub#access_model'><value>${model}</value></field></x></publish-options>`;
    const items = (c: RawXmpp, to: string, n: string) =>
      c.iq('get', `<pubsub xmlns='${PUBSUB}'><items node='${n}'/></pubsub>`, to);
    const event = (el: Element) => el.getChild('event', EVENT)?.elements()[0];
    const told = (c: RawXmpp, from: string, n: string, since = 0) =>
      c.stanza(
        (el) =>
          el.name === 'message' &&
          el.attr('type') === 'headline' &&
          el.attr('from') === from &&
          event(el)?.attr('node') === n,
        `${n} from ${from}`,
        since,
      );

    it('geolocation, mood and tune reach contacts who listen, and the publisher (Geolocation/Mood/UserTuneIntegrationTest)', async () => {
      const { a, b } = await contacts();
      const ax = await online(a.name, [GEOLOC]);
      const bx = await online(b.name, [GEOLOC, TUNE], 'laptop');
      const mark = bx.events.length;
      const own = ax.events.length;
      const r = await publish(ax, GEOLOC, geoloc('Unit Testing GeoLocation'));
      expect(r.attr('type')).toBe('result');
      const g = await told(bx, a.jid, GEOLOC, mark);
      const item = event(g)!.getChild('item')!;
      expect(item.attr('id')).toBeTruthy();
      const payload = item.getChild('geoloc', GEOLOC)!;
      expect(payload.getChildText('lat')).toBe('25.098345');
      expect(payload.getChildText('text')).toBe('Unit Testing GeoLocation');
      // The publisher's own resource hears it too (Smack's publishAndWait waits for that echo).
      await told(ax, a.jid, GEOLOC, own);

      // A node b does not listen to is not told; the next one it does arrives after it.
      expect((await publish(ax, MOOD, mood('satisfied'))).attr('type')).toBe('result');
      expect((await publish(ax, TUNE, tune('Song'))).attr('type')).toBe('result');
      const t = await told(bx, a.jid, TUNE, mark);
      const upTo = bx.events.findIndex((e) => e.type === 'stanza' && e.element === t);
      expect(
        bx.events
          .slice(mark, upTo)
          .some((e) => e.type === 'stanza' && event(e.element)?.attr('node') === MOOD),
      ).toBe(false);

      // testNotificationAfterFilterChange: b starts to listen to mood, and gets the last one.
      expect((await publish(ax, MOOD, mood('cautious'))).attr('type')).toBe('result');
      const before = bx.events.length;
      await announce(bx, [GEOLOC, TUNE, MOOD]);
      const m = await told(bx, a.jid, MOOD, before);
      expect(
        event(m)!.getChild('item')!.getChild('mood', MOOD)!.getChild('cautious'),
      ).toBeDefined();
    });

    it('who reads a node is its access model; retract and delete are told; disco lists nodes (PubSubSection5_*)', async () => {
      const { a, b } = await contacts();
      const c = await account('pc');
      const ax = await online(a.name, []);
      const bx = await online(b.name, [GEOLOC]);
      const cx = await online(c.name, [GEOLOC]);
      expect((await publish(ax, GEOLOC, geoloc('here'), '', 'g1')).attr('type')).toBe('result');
      expect(
        (await publish(ax, 'urn:example:open', '<x xmlns="urn:example"/>', access('open'))).attr(
          'type',
        ),
      ).toBe('result');
      expect(
        (
          await publish(ax, 'urn:example:mine', '<x xmlns="urn:example"/>', access('whitelist'))
        ).attr('type'),
      ).toBe('result');

      const got = await items(bx, a.jid, GEOLOC);
      expect(got.getChild('pubsub')!.getChild('items')!.getChild('item')!.attr('id')).toBe('g1');
      expect(condition(await items(cx, a.jid, GEOLOC))).toBe('item-not-found');
      expect((await items(cx, a.jid, 'urn:example:open')).attr('type')).toBe('result');
      expect(condition(await items(bx, a.jid, 'urn:example:mine'))).toBe('item-not-found');
      expect((await items(ax, a.jid, 'urn:example:mine')).attr('type')).toBe('result');

      // 5.1 on the account: a pubsub (pep) identity, the pubsub and #publish features.
      const own = (await ax.iq('get', `<query xmlns='${INFO}'/>`, a.jid)).getChild('query')!;
      expect(
        own.getChildren('identity').map((i) => `${i.attr('category')}/${i.attr('type')}`),
      ).toContain('pubsub/pep');
      expect(own.getChildren('feature').map((f) => f.attr('var'))).toEqual(
        expect.arrayContaining([PUBSUB, `${PUBSUB}#publish`, `${PUBSUB}#auto-create`]),
      );
      // Discovery: the nodes each may read (JID+node addressing), a node's identity and items.
      const nodesOf = async (x: RawXmpp) =>
        (await x.iq('get', `<query xmlns='${ITEMS}'/>`, a.jid))
          .getChild('query')!
          .getChildren('item')
          .map((i) => i.attr('node'));
      expect(await nodesOf(ax)).toEqual(
        expect.arrayContaining([GEOLOC, 'urn:example:open', 'urn:example:mine']),
      );
      expect(await nodesOf(bx)).toEqual([GEOLOC, 'urn:example:open'].sort());
      expect(await nodesOf(cx)).toEqual(['urn:example:open']);
      const info = (
        await bx.iq('get', `<query xmlns='${INFO}' node='${GEOLOC}'/>`, a.jid)
      ).getChild('query')!;
      expect(
        info.getChildren('identity').map((i) => `${i.attr('category')}/${i.attr('type')}`),
      ).toEqual(['pubsub/leaf']);
      expect(info.attr('node')).toBe(GEOLOC);
      const its = (await bx.iq('get', `<query xmlns='${ITEMS}' node='${GEOLOC}'/>`, a.jid))
        .getChild('query')!
        .getChildren('item');
      expect(its.map((i) => [i.attr('name'), i.attr('node')])).toEqual([['g1', undefined]]);

      // Retract, then delete: each told to who listens.
      let mark = bx.events.length;
      const gone = await ax.iq(
        'set',
        `<pubsub xmlns='${PUBSUB}'><retract node='${GEOLOC}' notify='true'><item id='g1'/></retract></pubsub>`,
      );
      expect(gone.attr('type')).toBe('result');
      const r = await told(bx, a.jid, GEOLOC, mark);
      expect(event(r)!.getChild('retract')!.attr('id')).toBe('g1');
      mark = bx.events.length;
      const del = await ax.iq(
        'set',
        `<pubsub xmlns='${OWNER}'><delete node='${GEOLOC}'/></pubsub>`,
      );
      expect(del.attr('type')).toBe('result');
      const d = await told(bx, a.jid, GEOLOC, mark);
      expect(event(d)!.name).toBe('delete');
      expect(condition(await items(bx, a.jid, GEOLOC))).toBe('item-not-found');
      expect(
        condition(
          await ax.iq('set', `<pubsub xmlns='${OWNER}'><delete node='${GEOLOC}'/></pubsub>`),
        ),
      ).toBe('item-not-found');
    });

    it('hostile publishes get errors and change nothing', async () => {
      const a = await account('ph');
      const ax = await online(a.name, []);
      const payload = '<x xmlns="urn:example"/>';
      expect(condition(await publish(ax, 'n'.repeat(300), payload))).toBe('not-acceptable');
      expect(
        condition(
          await publish(ax, 'urn:example:big', `<x xmlns="urn:example">${'y'.repeat(70_000)}</x>`),
        ),
      ).toBe('not-acceptable');
      const unmet = await publish(ax, 'urn:example:auth', payload, access('authorize'));
      expect(condition(unmet)).toBe('conflict');
      expect(unmet.getChild('error')!.getChild('precondition-not-met')).toBeDefined();
      const two = await ax.iq(
        'set',
        `<pubsub xmlns='${PUBSUB}'><publish node='urn:example:two'><item>${payload}</item><item>${payload}</item></publish></pubsub>`,
      );
      expect(condition(two)).toBe('bad-request');
      expect(
        condition(
          await ax.iq(
            'set',
            `<pubsub xmlns='${PUBSUB}'><retract node='urn:example:none'><item id='x'/></retract></pubsub>`,
          ),
        ),
      ).toBe('item-not-found');
      expect(
        condition(
          await ax.iq('set', `<pubsub xmlns='${OWNER}'><delete node='${VCARD4}'/></pubsub>`),
        ),
      ).toBe('not-allowed');
      // Nothing was made.
      const nodes = (await ax.iq('get', `<query xmlns='${ITEMS}'/>`, a.jid))
        .getChild('query')!
        .getChildren('item')
        .map((i) => i.attr('node'));
      expect(nodes.filter((n) => n?.startsWith('urn:example') || n?.startsWith('nnn'))).toEqual([]);
    });

    it('vCard4 is told when any profile field changes, not only the name (XEP-0292)', async () => {
      const { a, b } = await contacts();
      const bx = await online(b.name, [VCARD4]);
      const mark = bx.events.length;
      await a.web.updateProfile({ city: 'Paris', about: 'hello' });
      const v = await told(bx, a.jid, VCARD4, mark);
      const card = event(v)!.getChild('item')!.elements()[0]!;
      expect(card.getChild('adr')!.getChildText('locality')).toBe('Paris');
      expect(card.getChild('note')!.getChildText('text')).toBe('hello');
    });

    it('a bookmark change reaches the owner’s other resources, never a contact (XEP-0402)', async () => {
      const { a, b } = await contacts();
      const one = await online(a.name, [BOOKMARKS], 'one');
      const two = await online(a.name, [BOOKMARKS], 'two');
      const bx = await online(b.name, [BOOKMARKS]);
      const mark = two.events.length;
      const room = 'room@conference.example.org';
      const r = await publish(
        one,
        BOOKMARKS,
        `<conference xmlns='${BOOKMARKS}' name='The room' autojoin='true'/>`,
        access('whitelist'),
        room,
      );
      expect(r.attr('type')).toBe('result');
      const pushed = await told(two, a.jid, BOOKMARKS, mark);
      const item = event(pushed)!.getChild('item')!;
      expect(item.attr('id')).toBe(room);
      expect(item.getChild('conference', BOOKMARKS)!.attr('name')).toBe('The room');
      const retracted = two.events.length;
      await one.iq(
        'set',
        `<pubsub xmlns='${PUBSUB}'><retract node='${BOOKMARKS}'><item id='${room}'/></retract></pubsub>`,
      );
      const rt = await told(two, a.jid, BOOKMARKS, retracted);
      expect(event(rt)!.getChild('retract')!.attr('id')).toBe(room);
      // The contact heard nothing of it: a ping after both changes comes back first.
      expect((await bx.iq('get', "<ping xmlns='urn:xmpp:ping'/>")).attr('type')).toBe('result');
      expect(
        bx.events.some((e) => e.type === 'stanza' && event(e.element)?.attr('node') === BOOKMARKS),
      ).toBe(false);
    });
  });
}
