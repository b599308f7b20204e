import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { type RawXmpp, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * Presence per resource through the XMPP door (RFC 6121 4): each session of a
 * contact is a full JID with its show, status and priority, and unavailable
 * per resource; one's own resources see each other; directed presence (told
 * unavailable at the end, blocks apply); probes answered with consent.
 */
const PASSWORD = 'correct horse battery';

const isPresence = (from: string, type?: string) => (el: Element) =>
  el.name === 'presence' && el.attr('from') === from && el.attr('type') === type;

const CAPS = 'http://jabber.org/protocol/caps';
const DISCO = 'http://jabber.org/protocol/disco#info';

/** XEP-0115 5.1 over a disco#info answer (no forms, as Parley sends none). */
function verOf(query: Element): string {
  const ids = query
    .getChildren('identity')
    .map(
      (i) =>
        `${i.attr('category')}/${i.attr('type')}/${i.attr('xml:lang') ?? ''}/${i.attr('name') ?? ''}<`,
    )
    .sort();
  const fs = query
    .getChildren('feature')
    .map((f) => `${f.attr('var')}<`)
    .sort();
  return createHash('sha1')
    .update(ids.join('') + fs.join(''))
    .digest('base64');
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP presence per resource (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let tlsPort: number;
    const open: RawXmpp[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, { xmpp: { port: 0, tls_port: 0 } });
      ({ tlsPort } = xmppPorts(node) as { tlsPort: number });
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
    });
    const account = async (prefix = 'x') => {
      const name = uname(prefix);
      const web = node.client();
      await web.register(name, PASSWORD);
      return { name, web, jid: `${name}@localhost` };
    };
    const login = async (name: string, resource: string) => {
      const c = await xmppLogin(tlsPort, name, PASSWORD, { resource });
      open.push(c);
      return c;
    };
    /** b sees a's presence (and the reverse). */
    const contacts = async () => {
      const a = await account('xa');
      const b = await account('xb');
      await b.web.requestContact(a.name);
      await a.web.approveContact(b.name, true);
      return { a, b };
    };

    it('each resource is a full JID with show, status and priority; unavailable per resource', async () => {
      const { a, b } = await contacts();
      const watcher = await login(b.name, 'desk');
      watcher.send('<presence/>');
      const phone = await login(a.name, 'phone');
      phone.send(
        '<presence><show>away</show><status>on the go</status><priority>5</priority></presence>',
      );
      const laptop = await login(a.name, 'laptop');
      laptop.send('<presence/>');
      const p = await watcher.stanza(
        (el) => isPresence(`${a.jid}/phone`)(el) && el.getChildText('show') === 'away',
        'phone away',
      );
      expect(p.getChildText('status')).toBe('on the go');
      expect(p.getChildText('priority')).toBe('5');
      await watcher.stanza(isPresence(`${a.jid}/laptop`), 'laptop available');
      // One's own resources see each other.
      await phone.stanza(isPresence(`${a.jid}/laptop`), 'own other resource');
      const mark = watcher.events.length;
      laptop.close();
      await watcher.stanza(isPresence(`${a.jid}/laptop`, 'unavailable'), 'laptop gone', mark);
      await phone.stanza(isPresence(`${a.jid}/laptop`, 'unavailable'), 'own laptop gone');
      // The phone is still there: no unavailable for the whole account yet.
      expect(
        watcher.events
          .slice(mark)
          .some((e) => e.type === 'stanza' && isPresence(a.jid, 'unavailable')(e.element)),
      ).toBe(false);
      phone.close();
      await watcher.stanza(isPresence(`${a.jid}/phone`, 'unavailable'), 'phone gone', mark);
      await watcher.stanza(isPresence(a.jid, 'unavailable'), 'account offline', mark);
    });

    it('a watcher logging in gets every resource already online', async () => {
      const { a, b } = await contacts();
      const one = await login(a.name, 'one');
      one.send('<presence><show>dnd</show></presence>');
      const two = await login(a.name, 'two');
      two.send('<presence/>');
      await one.stanza(isPresence(`${a.jid}/two`), 'own two');
      const watcher = await login(b.name, 'w');
      watcher.send('<presence/>');
      const dnd = await watcher.stanza(isPresence(`${a.jid}/one`), 'one');
      expect(dnd.getChildText('show')).toBe('dnd');
      await watcher.stanza(isPresence(`${a.jid}/two`), 'two');
    });

    it('directed presence reaches someone not in the roster, unavailable at logout; not if they blocked you', async () => {
      const a = await account('xa');
      const c = await account('xc');
      const d = await account('xd');
      const other = await login(c.name, 'home');
      const sender = await login(a.name, 'pc');
      sender.send(`<presence to='${c.jid}'/>`);
      await other.stanza(isPresence(`${a.jid}/pc`), 'directed presence');
      await d.web.block(a.name);
      const blocked = await login(d.name, 'home');
      sender.send(`<presence to='${d.jid}'/>`);
      // Stanzas are handled in order: once the ping is answered, the presence was passed on or not.
      await sender.iq('get', "<ping xmlns='urn:xmpp:ping'/>");
      await blocked.iq('get', "<ping xmlns='urn:xmpp:ping'/>");
      const fromA = (e: RawXmpp['events'][number]) =>
        e.type === 'stanza' &&
        e.element.name === 'presence' &&
        e.element.attr('from')?.startsWith(a.jid) === true;
      expect(blocked.events.some(fromA)).toBe(false);
      // Unblocked, the same presence arrives: the test could have seen it.
      await d.web.unblock(a.name);
      sender.send(`<presence to='${d.jid}'/>`);
      await blocked.stanza(isPresence(`${a.jid}/pc`), 'directed after unblock');
      const mark = other.events.length;
      sender.close();
      await other.stanza(isPresence(`${a.jid}/pc`, 'unavailable'), 'directed unavailable', mark);
      await blocked.stanza(isPresence(`${a.jid}/pc`, 'unavailable'), 'directed unavailable too');
    });

    it('caps (XEP-0115): the server in the stream features, each resource in its presence, each hash the disco answer', async () => {
      const { a, b } = await contacts();
      const watcher = await login(b.name, 'caps');
      const feat = watcher.events.findLast(
        (e) => e.type === 'stanza' && e.element.name === 'features',
      );
      const c = (feat as { element: Element }).element.getChild('c', CAPS)!;
      const info = await watcher.iq(
        'get',
        `<query xmlns='${DISCO}' node='${c.attr('node')}#${c.attr('ver')}'/>`,
        'localhost',
      );
      expect(info.attr('type')).toBe('result');
      expect(verOf(info.getChild('query')!)).toBe(c.attr('ver'));
      watcher.send('<presence/>');
      const other = await login(a.name, 'res');
      other.send('<presence/>');
      const p = await watcher.stanza(isPresence(`${a.jid}/res`), 'presence with caps');
      const pc = p.getChild('c', CAPS)!;
      const rinfo = await watcher.iq(
        'get',
        `<query xmlns='${DISCO}' node='${pc.attr('node')}#${pc.attr('ver')}'/>`,
        `${a.jid}/res`,
      );
      const q = rinfo.getChild('query')!;
      expect(verOf(q)).toBe(pc.attr('ver'));
      const features = q.getChildren('feature').map((f) => f.attr('var'));
      for (const f of [
        'urn:xmpp:chat-markers:0',
        'urn:xmpp:reactions:0',
        'urn:xmpp:message-retract:1',
      ])
        expect(features).toContain(f);
      // A node no hash names is not found.
      const bad = await watcher.iq('get', `<query xmlns='${DISCO}' node='x#y'/>`, `${a.jid}/res`);
      expect(bad.attr('type')).toBe('error');
    });

    it('probes are answered with consent: resources, unavailable, or unsubscribed', async () => {
      const { a, b } = await contacts();
      const stranger = await account('xs');
      const asker = await login(b.name, 'q');
      const offline = asker.events.length;
      asker.send(`<presence type='probe' to='${a.jid}'/>`);
      await asker.stanza(isPresence(a.jid, 'unavailable'), 'offline answer', offline);
      const target = await login(a.name, 'r');
      target.send('<presence><status>here</status></presence>');
      await asker.stanza(
        (el) => isPresence(`${a.jid}/r`)(el) && el.getChildText('status') === 'here',
        'told live',
      );
      const m = asker.events.length;
      asker.send(`<presence type='probe' to='${a.jid}'/>`);
      // The answer carries the status (on PostgreSQL a statusless copy of the resource can
      // come first: noted for the next session).
      const p = await asker.stanza(
        (el) => isPresence(`${a.jid}/r`)(el) && el.getChildText('status') === 'here',
        'probe answer',
        m,
      );
      expect(p.attr('type')).toBeUndefined();
      const s = await login(stranger.name, 's');
      s.send(`<presence type='probe' to='${a.jid}'/>`);
      await s.stanza(isPresence(a.jid, 'unsubscribed'), 'refused');
      expect(
        s.events.some((e) => e.type === 'stanza' && e.element.attr('from') === `${a.jid}/r`),
      ).toBe(false);
    });
  });
}
