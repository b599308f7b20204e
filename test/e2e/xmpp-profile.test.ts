import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { png } from '../helpers/avatars.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { type RawXmpp, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * The profile through the XMPP door: vcard-temp (XEP-0054) reads and writes
 * the same profile the web edits, anyone's vCard is read through their bare
 * JID with the web's privacy and blocks, and Jabber Search (XEP-0055) is the
 * people directory, with data forms and the legacy fields. Bad input is a
 * stanza error and changes nothing.
 */
const PASSWORD = 'correct horse battery';
const VCARD = 'vcard-temp';
const SEARCH = 'jabber:iq:search';
const DATA = 'jabber:x:data';

const condition = (el: Element): string | undefined => el.getChild('error')?.elements()[0]?.name;
const formValues = (x: Element | undefined) =>
  (x?.getChildren('item', DATA) ?? []).map((item) =>
    Object.fromEntries(
      item
        .getChildren('field', DATA)
        .map((f) => [f.attr('var'), f.getChildText('value', DATA) ?? '']),
    ),
  );

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP profile and directory (${backend.name})`, () => {
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
    const account = async (prefix = 'v') => {
      const name = uname(prefix);
      const web = node.client();
      await web.register(name, PASSWORD);
      const x = await xmppLogin(tlsPort, name, PASSWORD);
      open.push(x);
      return { name, web, x };
    };

    it('a vCard set from XMPP is the web profile, and a web change is in the vCard', async () => {
      const { x, web } = await account();
      const set = await x.iq(
        'set',
        `<vCard xmlns='${VCARD}'><FN>Ada &amp; Co</FN><ADR><LOCALITY>Lyon</LOCALITY><CTRY>France</CTRY></ADR><BDAY>1990-04-02</BDAY><DESC>Hi there</DESC></vCard>`,
      );
      expect(set.attr('type')).toBe('result');
      const me = await web.me();
      expect(me.profile).toMatchObject({
        displayName: 'Ada & Co',
        city: 'Lyon',
        country: 'France',
        birthYear: 1990,
        about: 'Hi there',
      });

      await web.updateProfile({ city: 'Paris', about: '' });
      const got = await x.iq('get', `<vCard xmlns='${VCARD}'/>`);
      const v = got.getChild('vCard', VCARD)!;
      expect(v.getChildText('FN', VCARD)).toBe('Ada & Co');
      expect(v.getChild('ADR', VCARD)?.getChildText('LOCALITY', VCARD)).toBe('Paris');
      expect(v.getChildText('BDAY', VCARD)).toBe('1990');
      expect(v.getChild('DESC', VCARD)).toBeUndefined();

      // A set holding only a PHOTO leaves the profile's fields; a PHOTO that is no image is
      // refused (XEP-0153 avatars: test/e2e/xmpp-pep.test.ts), a real one is the avatar.
      const bogus = await x.iq(
        'set',
        `<vCard xmlns='${VCARD}'><PHOTO><TYPE>image/png</TYPE><BINVAL>AAAA</BINVAL></PHOTO></vCard>`,
      );
      expect(bogus.attr('type')).toBe('error');
      expect((await web.me()).profile.avatar).toBeNull();
      const image = (await png('olive')).toString('base64');
      const photo = await x.iq(
        'set',
        `<vCard xmlns='${VCARD}'><PHOTO><TYPE>image/png</TYPE><BINVAL>${image}</BINVAL></PHOTO></vCard>`,
      );
      expect(photo.attr('type')).toBe('result');
      const now = (await web.me()).profile;
      expect(now.city).toBe('Paris');
      expect(now.avatar).toMatch(/^[0-9a-f]{40}$/);
    });

    it('bad vCards are refused and change nothing', async () => {
      const { x, web } = await account();
      await web.updateProfile({ displayName: 'Keep me', city: 'Oslo' });
      const bad = [
        `<vCard xmlns='${VCARD}'><FN>${'x'.repeat(65)}</FN></vCard>`,
        `<vCard xmlns='${VCARD}'><FN>ok</FN><BDAY>last spring</BDAY></vCard>`,
        `<vCard xmlns='${VCARD}'><FN>ok</FN><BDAY>1850-01-01</BDAY></vCard>`,
      ];
      for (const payload of bad) {
        const r = await x.iq('set', payload);
        expect(r.attr('type'), payload).toBe('error');
        expect(condition(r), payload).toBe('bad-request');
      }
      const other = await account();
      const r = await x.iq(
        'set',
        `<vCard xmlns='${VCARD}'><FN>mine</FN></vCard>`,
        `${other.name}@localhost`,
      );
      // Only one's own vCard is written: a set to someone else is not answered for them.
      expect(condition(r)).toBe('service-unavailable');
      expect((await web.me()).profile).toMatchObject({ displayName: 'Keep me', city: 'Oslo' });
      expect((await other.web.me()).profile.displayName).toBe('');
    });

    it("another account's vCard follows the web's privacy and blocks", async () => {
      const a = await account();
      const b = await account();
      await b.web.updateProfile({ displayName: 'Bea', city: 'Rome', birthYear: 1985 });
      const seen = await a.x.iq('get', `<vCard xmlns='${VCARD}'/>`, `${b.name}@localhost`);
      const v = seen.getChild('vCard', VCARD)!;
      expect(v.getChildText('FN', VCARD)).toBe('Bea');
      expect(v.getChild('ADR', VCARD)?.getChildText('LOCALITY', VCARD)).toBe('Rome');
      expect(v.getChildText('JABBERID', VCARD)).toBe(`${b.name}@localhost`);

      // Out of the directory: strangers see the name only.
      await b.web.updateProfile({ searchable: false });
      const hidden = (
        await a.x.iq('get', `<vCard xmlns='${VCARD}'/>`, `${b.name}@localhost`)
      ).getChild('vCard', VCARD)!;
      expect(hidden.getChildText('FN', VCARD)).toBe('Bea');
      expect(hidden.getChild('ADR', VCARD)).toBeUndefined();
      expect(hidden.getChild('BDAY', VCARD)).toBeUndefined();

      // Blocked: as if there were nobody.
      await b.web.block(a.name);
      const blocked = await a.x.iq('get', `<vCard xmlns='${VCARD}'/>`, `${b.name}@localhost`);
      expect(condition(blocked)).toBe('item-not-found');
      const nobody = await a.x.iq('get', `<vCard xmlns='${VCARD}'/>`, `nobody-${b.name}@localhost`);
      expect(condition(nobody)).toBe('item-not-found');
      // Someone else's roster is theirs alone (RFC 6121 2.1.5/2.3.3: forbidden).
      const roster = await a.x.iq(
        'get',
        `<query xmlns='jabber:iq:roster'/>`,
        `${b.name}@localhost`,
      );
      expect(condition(roster)).toBe('forbidden');
    });

    it('Jabber Search is the people directory, with forms and the legacy fields', async () => {
      const city = `Town${Date.now() % 100000}`;
      const a = await account('sa');
      const b = await account('sb');
      const c = await account('sc');
      await b.web.updateProfile({ displayName: 'Bruno', city, birthYear: 1980 });
      await c.web.updateProfile({ displayName: 'Carla', city, birthYear: 2000 });

      const info = await a.x.iq(
        'get',
        `<query xmlns='http://jabber.org/protocol/disco#info'/>`,
        'localhost',
      );
      const features = info
        .getChild('query')!
        .getChildren('feature')
        .map((f) => f.attr('var'));
      expect(features).toEqual(expect.arrayContaining([VCARD, SEARCH]));

      const form = await a.x.iq('get', `<query xmlns='${SEARCH}'/>`, 'localhost');
      const fields = form
        .getChild('query', SEARCH)!
        .getChild('x', DATA)!
        .getChildren('field', DATA)
        .map((f) => f.attr('var'));
      expect(fields).toEqual(
        expect.arrayContaining(['username', 'name', 'city', 'ageMin', 'ageMax']),
      );

      const submit = (fieldsXml: string) =>
        a.x.iq(
          'set',
          `<query xmlns='${SEARCH}'><x xmlns='${DATA}' type='submit'><field var='FORM_TYPE'><value>${SEARCH}</value></field>${fieldsXml}</x></query>`,
          'localhost',
        );
      const inCity = formValues(
        (await submit(`<field var='city'><value>${city}</value></field>`))
          .getChild('query', SEARCH)!
          .getChild('x', DATA),
      );
      expect(inCity.map((r) => r.jid).sort()).toEqual(
        [`${b.name}@localhost`, `${c.name}@localhost`].sort(),
      );
      const older = formValues(
        (
          await submit(
            `<field var='city'><value>${city}</value></field><field var='ageMin'><value>40</value></field>`,
          )
        )
          .getChild('query', SEARCH)!
          .getChild('x', DATA),
      );
      expect(older.map((r) => r.name)).toEqual(['Bruno']);

      // Legacy: nick is the beginning of a username.
      const legacy = await a.x.iq(
        'set',
        `<query xmlns='${SEARCH}'><nick>${c.name}</nick></query>`,
        'localhost',
      );
      const items = legacy.getChild('query', SEARCH)!.getChildren('item', SEARCH);
      expect(items.map((i) => i.attr('jid'))).toEqual([`${c.name}@localhost`]);
      expect(items[0]!.getChildText('first', SEARCH)).toBe('Carla');

      // Whoever blocked the searcher is not found.
      await c.web.block(a.name);
      const afterBlock = formValues(
        (await submit(`<field var='city'><value>${city}</value></field>`))
          .getChild('query', SEARCH)!
          .getChild('x', DATA),
      );
      expect(afterBlock.map((r) => r.jid)).toEqual([`${b.name}@localhost`]);

      // Hostile and empty queries.
      expect(condition(await submit(`<field var='ageMin'><value>-1</value></field>`))).toBe(
        'bad-request',
      );
      expect(condition(await submit(`<field var='password'><value>x</value></field>`))).toBe(
        'bad-request',
      );
      // Nothing filled in: the first page of the directory, as on the web (XEP-0055 asks for no field).
      expect((await submit('')).attr('type')).toBe('result');
      expect(
        condition(await submit(`<field var='city'><value>${'c'.repeat(500)}</value></field>`)),
      ).toBe('bad-request');
    });
  });
}
