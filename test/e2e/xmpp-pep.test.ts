import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { png } from '../helpers/avatars.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { type RawXmpp, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * A minimal PEP (XEP-0163) over core's profile: avatars (XEP-0084, XEP-0153),
 * nickname (XEP-0172), vCard4 (XEP-0292) meet the web client's avatar and
 * profile; bookmarks (XEP-0402) are kept for their owner, bounded; pre-approval
 * (RFC 6121 3.4) from XMPP approves a later web request at once.
 */
const PASSWORD = 'correct horse battery';
const PUBSUB = 'http://jabber.org/protocol/pubsub';
const EVENT = 'http://jabber.org/protocol/pubsub#event';
const META = 'urn:xmpp:avatar:metadata';
const DATA = 'urn:xmpp:avatar:data';
const NICK = 'http://jabber.org/protocol/nick';
const VCARD4 = 'urn:xmpp:vcard4';
const BOOKMARKS = 'urn:xmpp:bookmarks:1';

const FEATURES = [
  'http://jabber.org/protocol/disco#info',
  'http://jabber.org/protocol/caps',
  `${META}+notify`,
  `${NICK}+notify`,
  `${VCARD4}+notify`,
  `${BOOKMARKS}+notify`,
];
const VER = createHash('sha1')
  .update(
    'client/phone//Test<' +
      [...FEATURES]
        .sort()
        .map((f) => `${f}<`)
        .join(''),
  )
  .digest('base64');

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP PEP and pre-approval (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let tlsPort: number;
    const open: RawXmpp[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, {
        xmpp: {
          port: 0,
          tls_port: 0,
          stanzas_per_second: 10_000,
          stanza_burst: 10_000,
          // Room for an avatar past core's bound, to see core refuse it.
          max_stanza_bytes: 2_000_000,
        },
        limits: { requests_per_minute_per_address: 100_000 },
      });
      ({ tlsPort } = xmppPorts(node) as { tlsPort: number });
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
    });
    const account = async (prefix = 'pp') => {
      const name = uname(prefix);
      const web = node.client();
      const reg = await web.register(name, PASSWORD);
      return { name, web, id: reg.user.id, jid: `${name}@localhost` };
    };
    const contacts = async () => {
      const a = await account('pa');
      const b = await account('pb');
      await b.web.requestContact(a.name);
      await a.web.approveContact(b.name, true);
      return { a, b };
    };
    /**
     * Logs in and sends presence with caps. The door asks the first client with
     * an unknown caps hash what it means (disco#info) and keeps the verified
     * answer for every later stream with that hash: only the first is asked.
     */
    let capsKnown = false;
    const online = async (name: string, resource = 'phone') => {
      const c = await xmppLogin(tlsPort, name, PASSWORD, { resource });
      open.push(c);
      const mark = c.events.length;
      c.send(
        `<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://test.example' ver='${VER}'/></presence>`,
      );
      if (capsKnown) {
        // A ping answered means the presence before it was handled (one stream, in order).
        c.send(`<iq type='get' id='caps-ping'><ping xmlns='urn:xmpp:ping'/></iq>`);
        await c.iqResult('caps-ping');
        return c;
      }
      const q = await c.stanza(
        (el) =>
          el.name === 'iq' &&
          el.attr('type') === 'get' &&
          el.getChild('query', 'http://jabber.org/protocol/disco#info') !== undefined,
        'caps query',
        mark,
      );
      c.send(
        `<iq type='result' id='${q.attr('id')}' to='${q.attr('from')}'><query xmlns='http://jabber.org/protocol/disco#info' node='${q.getChild('query')!.attr('node')}'><identity category='client' type='phone' name='Test'/>${FEATURES.map((f) => `<feature var='${f}'/>`).join('')}</query></iq>`,
      );
      capsKnown = true;
      return c;
    };
    let n = 0;
    const iq = async (c: RawXmpp, type: 'get' | 'set', body: string, to?: string) => {
      const id = `q${++n}`;
      c.send(`<iq type='${type}' id='${id}'${to ? ` to='${to}'` : ''}>${body}</iq>`);
      return c.iqResult(id);
    };
    const publish = (c: RawXmpp, node: string, item: string, options = '') =>
      iq(
        c,
        'set',
        `<pubsub xmlns='${PUBSUB}'><publish node='${node}'>${item}</publish>${options}</pubsub>`,
      );
    const condition = (el: Element) =>
      el.getChild('error')?.elements()[0]?.name ?? `(${el.attr('type')})`;
    const notification = (c: RawXmpp, from: string, node: string, since = 0) =>
      c.stanza(
        (el) =>
          el.name === 'message' &&
          el.attr('from') === from &&
          el.getChild('event', EVENT)?.getChild('items')?.attr('node') === node,
        `${node} from ${from}`,
        since,
      );

    it('an avatar published over XMPP is served by REST and told to a web contact', async () => {
      const { a, b } = await contacts();
      const x = await online(a.name);
      const ws = await b.web.connect();
      const told = ws.next('contact.profile');
      const image = await png('orange', 48);
      const r = await publish(
        x,
        DATA,
        `<item id='${sha1(image)}'><data xmlns='${DATA}'>${image.toString('base64')}</data></item>`,
      );
      expect(r.attr('type')).toBe('result');
      // Stored re-encoded: the id the server answers with is the hash of what it serves.
      const id = r.getChild('pubsub')!.getChild('publish')!.getChild('item')!.attr('id')!;
      expect(id).toMatch(/^[0-9a-f]{40}$/);
      const meta = await publish(
        x,
        META,
        `<item id='${sha1(image)}'><metadata xmlns='${META}'><info id='${sha1(image)}' bytes='${image.length}' type='image/png' width='48' height='48'/></metadata></item>`,
      );
      expect(meta.attr('type')).toBe('result');
      expect(await told).toMatchObject({ userId: a.id, avatar: { hash: id, type: 'image/png' } });
      const served = await b.web.avatar(a.name);
      const bytes = Buffer.from(await served!.arrayBuffer());
      expect(sha1(bytes)).toBe(id);
      expect(await sharp(bytes).metadata()).toMatchObject({ width: 48, height: 48, format: 'png' });
      // The owner's own +notify resource hears of it too, and reads it back by id.
      const own = await notification(x, a.jid, META);
      expect(own.getChild('event')!.getChild('items')!.getChild('item')!.attr('id')).toBe(id);
      const items = await iq(
        x,
        'get',
        `<pubsub xmlns='${PUBSUB}'><items node='${DATA}'><item id='${id}'/></items></pubsub>`,
      );
      const data = items.getChild('pubsub')!.getChild('items')!.getChild('item')!;
      expect(sha1(Buffer.from(data.getChildText('data')!, 'base64'))).toBe(id);
      ws.close();
    });

    it('an avatar uploaded on the web reaches an XMPP contact as PEP and XEP-0153', async () => {
      const { a, b } = await contacts();
      // a is online on XMPP so b learns a's presence; b watches with +notify.
      const ax = await xmppLogin(tlsPort, a.name, PASSWORD, { resource: 'desk' });
      open.push(ax);
      ax.send('<presence/>');
      const bx = await online(b.name);
      await bx.stanza(
        (el) => el.name === 'presence' && el.attr('from') === `${a.jid}/desk`,
        'a online',
      );
      const mark = bx.events.length;
      const info = await a.web.setAvatar(await png('purple'));
      const ev = await notification(bx, a.jid, META, mark);
      const item = ev.getChild('event')!.getChild('items')!.getChild('item')!;
      expect(item.attr('id')).toBe(info.hash);
      expect(item.getChild('metadata', META)!.getChild('info')!.attr('type')).toBe('image/png');
      const p = await bx.stanza(
        (el) =>
          el.name === 'presence' &&
          el.attr('from') === `${a.jid}/desk` &&
          el.getChild('x', 'vcard-temp:x:update')?.getChildText('photo') === info.hash,
        'presence with the photo hash',
        mark,
      );
      expect(p.attr('type')).toBeUndefined();
      // The contact reads the data over PEP and the PHOTO over vcard-temp.
      const got = await iq(
        bx,
        'get',
        `<pubsub xmlns='${PUBSUB}'><items node='${DATA}'/></pubsub>`,
        a.jid,
      );
      const b64 = got
        .getChild('pubsub')!
        .getChild('items')!
        .getChild('item')!
        .getChildText('data')!;
      expect(sha1(Buffer.from(b64, 'base64'))).toBe(info.hash);
      const vc = await iq(bx, 'get', "<vCard xmlns='vcard-temp'/>", a.jid);
      const bin = vc.getChild('vCard')!.getChild('PHOTO')!.getChildText('BINVAL')!;
      expect(sha1(Buffer.from(bin, 'base64'))).toBe(info.hash);
      // A stranger sees neither after the owner leaves the directory.
      const s = await account('ps');
      await a.web.updateProfile({ searchable: false });
      const sx = await xmppLogin(tlsPort, s.name, PASSWORD, { resource: 'x' });
      open.push(sx);
      const hidden = await iq(
        sx,
        'get',
        `<pubsub xmlns='${PUBSUB}'><items node='${DATA}'/></pubsub>`,
        a.jid,
      );
      expect(condition(hidden)).toBe('item-not-found');
      // A later login gets the last item at once.
      const again = await online(b.name, 'tablet');
      await notification(again, a.jid, META);
    });

    it('nickname and vCard4 are the profile; bookmarks round trip and stay private', async () => {
      const { a, b } = await contacts();
      const x = await online(a.name);
      expect(
        (
          await publish(x, NICK, `<item id='current'><nick xmlns='${NICK}'>Ada L.</nick></item>`)
        ).attr('type'),
      ).toBe('result');
      expect((await b.web.profile(a.name)).displayName).toBe('Ada L.');
      const v = await publish(
        x,
        VCARD4,
        `<item id='current'><vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'><fn><text>Ada Lovelace</text></fn><adr><locality>London</locality><country>UK</country></adr><bday><date>1990-12-10</date></bday><note><text>engines</text></note></vcard></item>`,
      );
      expect(v.attr('type')).toBe('result');
      expect(await a.web.updateProfile({})).toMatchObject({
        displayName: 'Ada Lovelace',
        city: 'London',
        country: 'UK',
        birthYear: 1990,
        about: 'engines',
      });
      const bx = await online(b.name);
      const card = await iq(
        bx,
        'get',
        `<pubsub xmlns='${PUBSUB}'><items node='${VCARD4}'/></pubsub>`,
        a.jid,
      );
      const vcard = card.getChild('pubsub')!.getChild('items')!.getChild('item')!.elements()[0]!;
      expect(vcard.getChild('fn')!.getChildText('text')).toBe('Ada Lovelace');
      const nick = await iq(
        bx,
        'get',
        `<pubsub xmlns='${PUBSUB}'><items node='${NICK}'/></pubsub>`,
        a.jid,
      );
      expect(
        nick.getChild('pubsub')!.getChild('items')!.getChild('item')!.getChildText('nick'),
      ).toBe('Ada Lovelace');

      const options = `<publish-options><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#publish-options</value></field><field var='pubsub#persist_items'><value>true</value></field><field var='pubsub#access_model'><value>whitelist</value></field></x></publish-options>`;
      const room = 'room@conference.example.org';
      const bm = await publish(
        x,
        BOOKMARKS,
        `<item id='${room}'><conference xmlns='${BOOKMARKS}' name='The room' autojoin='true'><nick>ada</nick></conference></item>`,
        options,
      );
      expect(bm.attr('type')).toBe('result');
      const list = await iq(
        x,
        'get',
        `<pubsub xmlns='${PUBSUB}'><items node='${BOOKMARKS}'/></pubsub>`,
      );
      const stored = list.getChild('pubsub')!.getChild('items')!.getChildren('item');
      expect(stored.map((i) => i.attr('id'))).toEqual([room]);
      expect(stored[0]!.getChild('conference')!.attr('name')).toBe('The room');
      // An open bookmarks node is refused: they stay the owner's.
      const openOpts = options.replace('whitelist', 'open');
      const refused = await publish(
        x,
        BOOKMARKS,
        `<item id='x@y'><conference xmlns='${BOOKMARKS}'/></item>`,
        openOpts,
      );
      expect(condition(refused)).toBe('conflict');
      expect(refused.getChild('error')!.getChild('precondition-not-met')).toBeDefined();
      const other = await iq(
        bx,
        'get',
        `<pubsub xmlns='${PUBSUB}'><items node='${BOOKMARKS}'/></pubsub>`,
        a.jid,
      );
      expect(condition(other)).toBe('item-not-found');
      const gone = await iq(
        x,
        'set',
        `<pubsub xmlns='${PUBSUB}'><retract node='${BOOKMARKS}'><item id='${room}'/></retract></pubsub>`,
      );
      expect(gone.attr('type')).toBe('result');
      const empty = await iq(
        x,
        'get',
        `<pubsub xmlns='${PUBSUB}'><items node='${BOOKMARKS}'/></pubsub>`,
      );
      expect(empty.getChild('pubsub')!.getChild('items')!.getChildren('item')).toEqual([]);
      // disco#info of the account says PEP.
      const disco = await iq(
        x,
        'get',
        "<query xmlns='http://jabber.org/protocol/disco#info'/>",
        a.jid,
      );
      const q = disco.getChild('query')!;
      expect(q.getChildren('identity').some((i) => i.attr('type') === 'pep')).toBe(true);
      expect(q.getChildren('feature').map((f) => f.attr('var'))).toContain(`${PUBSUB}#publish`);
    });

    it('hostile publishes get errors and change nothing', async () => {
      const a = await account('ph');
      const x = await online(a.name);
      const first = await a.web.setAvatar(await png('teal'));
      const data = (b64: string) => `<item id='x'><data xmlns='${DATA}'>${b64}</data></item>`;
      const big = Buffer.concat([await png('red'), Buffer.alloc(600 * 1024, 1)]);
      expect(condition(await publish(x, DATA, data(big.toString('base64'))))).toBe('bad-request');
      expect(
        condition(await publish(x, DATA, data(Buffer.from('plain text').toString('base64')))),
      ).toBe('not-acceptable');
      const svg = Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'><script>x()</script></svg>");
      expect(condition(await publish(x, DATA, data(svg.toString('base64'))))).toBe(
        'not-acceptable',
      );
      expect(condition(await publish(x, DATA, data('!!not*base64$$')))).toBe('bad-request');
      // Any other node is made by its first publish (core's PEP); one never published is not there.
      expect((await publish(x, 'urn:example:whatever', data('AAAA'))).attr('type')).toBe('result');
      const unknown = await iq(
        x,
        'get',
        `<pubsub xmlns='${PUBSUB}'><items node='urn:example:never'/></pubsub>`,
      );
      expect(condition(unknown)).toBe('item-not-found');
      // Ten thousand items in one publish: refused whole.
      const many = Array.from(
        { length: 10_000 },
        (_, i) => `<item id='r${i}'><conference xmlns='${BOOKMARKS}'/></item>`,
      ).join('');
      const tooMany = await publish(x, BOOKMARKS, many);
      expect(condition(tooMany)).toBe('bad-request');
      // One at a time, the node holds a bounded number.
      let refused: Element | undefined;
      for (let i = 0; i < 300 && !refused; i++) {
        const r = await publish(
          x,
          BOOKMARKS,
          `<item id='r${i}@c.example'><conference xmlns='${BOOKMARKS}'/></item>`,
        );
        if (r.attr('type') === 'error') refused = r;
      }
      expect(refused && condition(refused)).toBe('not-acceptable');
      const list = await iq(
        x,
        'get',
        `<pubsub xmlns='${PUBSUB}'><items node='${BOOKMARKS}'/></pubsub>`,
      );
      expect(list.getChild('pubsub')!.getChild('items')!.getChildren('item').length).toBe(256);
      expect((await a.web.me()).profile.avatar).toBe(first.hash);
    }, 120_000); // hundreds of stanzas through the stanza rate limit: slow on a loaded machine

    it('pre-approval over XMPP: a later web request is approved at once', async () => {
      const a = await account('pq');
      const b = await account('pr');
      const x = await xmppLogin(tlsPort, a.name, PASSWORD, { resource: 'r' });
      open.push(x);
      const features = x.events.length;
      x.send(`<presence type='subscribed' to='${b.jid}'/>`);
      const push = await x.stanza(
        (el) =>
          el.name === 'iq' &&
          el.attr('type') === 'set' &&
          el.getChild('query')?.getChild('item')?.attr('jid') === b.jid,
        'roster push',
        features,
      );
      expect(push.getChild('query')!.getChild('item')!.attr('approved')).toBe('true');
      expect(push.getChild('query')!.getChild('item')!.attr('subscription')).toBe('none');
      // b was told nothing; b's request is approved at once.
      const mine = await b.web.requestContact(a.name);
      expect(mine).toMatchObject({ username: a.name, subscription: 'to', ask: false });
      const roster = await iq(x, 'get', "<query xmlns='jabber:iq:roster'/>");
      const item = roster
        .getChild('query')!
        .getChildren('item')
        .find((i) => i.attr('jid') === b.jid)!;
      expect(item.attr('subscription')).toBe('from');
      expect(item.attr('approved')).toBeUndefined();
    });
  });
}
