import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';
import { type RawXmpp, xmppLogin, xmppPorts } from '../helpers/xmpp.js';

/**
 * Presence subscriptions (RFC 6121 3, appendix A) as the XMPP Interop Testing
 * suite checks them (SubscriptionIntegrationTest, LowLevelSubscriptionIntegrationTest,
 * Smack's RosterIntegrationTest): a request reaches the contact online, or at
 * login when it was sent while they were away; the requester's roster push
 * says `ask`; an approval comes from the contact's bare JID even when sent to
 * a full JID, with a push of `from` to the contact and their presence to the
 * user; a redundant or pre-approved request is answered `subscribed` at once;
 * the other side's unsubscribe and unsubscribed are told as presence.
 */
const PASSWORD = 'correct horse battery';
const ROSTER = 'jabber:iq:roster';

const pres = (type: string | undefined, from: string) => (el: Element) =>
  el.name === 'presence' && el.attr('type') === type && el.attr('from')?.split('/')[0] === from;
const push = (jid: string, check: (item: Element) => boolean) => (el: Element) => {
  const item = el.getChild('query', ROSTER)?.getChild('item');
  return el.name === 'iq' && el.attr('type') === 'set' && item?.attr('jid') === jid && check(item);
};

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`XMPP SINT: subscriptions (${backend.name})`, () => {
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
    const account = async (prefix = 'sb') => {
      const name = uname(prefix);
      await node.client().register(name, PASSWORD);
      return { name, jid: `${name}@localhost` };
    };
    /** Logs in, reads the roster (an interested resource) and sends initial presence. */
    const online = async (name: string) => {
      const c = await xmppLogin(tlsPort, name, PASSWORD);
      open.push(c);
      expect((await c.iq('get', `<query xmlns='${ROSTER}'/>`)).attr('type')).toBe('result');
      c.send('<presence/>');
      return c;
    };

    it('a request sent while the contact was away reaches them at login, with its status', async () => {
      const a = await account();
      const b = await account();
      const ca = await online(a.name);
      ca.send(`<presence type='subscribe' to='${b.jid}'><status>it is a</status></presence>`);
      await ca.stanza(
        push(b.jid, (i) => i.attr('ask') === 'subscribe'),
        'ask push',
      );
      const cb = await online(b.name);
      const req = await cb.stanza(pres('subscribe', a.jid), 'the waiting request');
      expect(req.attr('from')).toBe(a.jid);
      expect(req.getChildText('status')).toBe('it is a');
    });

    it('request, push with ask, approval to a full JID stamped with the bare JID, pushes and presence', async () => {
      const a = await account();
      const b = await account();
      const ca = await online(a.name);
      const cb = await online(b.name);
      ca.send(`<presence type='subscribe' to='${b.jid}'/>`);
      const asked = await ca.stanza(
        push(b.jid, (i) => i.attr('ask') === 'subscribe'),
        'ask push',
      );
      expect(asked.getChild('query', ROSTER)!.getChild('item')!.attr('subscription')).toBe('none');
      await cb.stanza(pres('subscribe', a.jid), 'the request');
      const mark = ca.events.length;
      const markB = cb.events.length;
      cb.send(`<presence type='subscribed' to='${ca.jid}'/>`);
      const ok = await ca.stanza(pres('subscribed', b.jid), 'subscribed', mark);
      expect(ok.attr('from')).toBe(b.jid);
      await ca.stanza(
        push(b.jid, (i) => i.attr('subscription') === 'to' && i.attr('ask') === undefined),
        'to push',
        mark,
      );
      await cb.stanza(
        push(a.jid, (i) => i.attr('subscription') === 'from'),
        'from push',
        markB,
      );
      // RFC 6121 3.1.5: the contact's current presence follows.
      await ca.stanza(
        (el) =>
          el.name === 'presence' && el.attr('from') === cb.jid && el.attr('type') === undefined,
        "b's presence",
        mark,
      );
      // A redundant request is answered subscribed at once (3.1.3).
      const again = ca.events.length;
      ca.send(`<presence type='subscribe' to='${b.jid}'/>`);
      await ca.stanza(pres('subscribed', b.jid), 'auto-reply', again);
    });

    it('pre-approval: the later request is approved at once', async () => {
      const a = await account();
      const b = await account();
      const ca = await online(a.name);
      const cb = await online(b.name);
      const m = cb.events.length;
      cb.send(`<presence type='subscribed' to='${a.jid}'/>`);
      await cb.stanza(
        push(a.jid, (i) => i.attr('approved') === 'true'),
        'pre-approved push',
        m,
      );
      const mark = ca.events.length;
      ca.send(`<presence type='subscribe' to='${b.jid}'/>`);
      await ca.stanza(pres('subscribed', b.jid), 'subscribed', mark);
      await ca.stanza(
        push(b.jid, (i) => i.attr('subscription') === 'to'),
        'to push',
        mark,
      );
      expect(
        cb.events.slice(m).some((e) => e.type === 'stanza' && pres('subscribe', a.jid)(e.element)),
      ).toBe(false);
    });

    it("the contact's unsubscribed and the user's unsubscribe are told to the other side", async () => {
      const a = await account();
      const b = await account();
      const ca = await online(a.name);
      const cb = await online(b.name);
      ca.send(`<presence type='subscribe' to='${b.jid}'/>`);
      await cb.stanza(pres('subscribe', a.jid), 'request');
      cb.send(`<presence type='subscribed' to='${a.jid}'/>`);
      cb.send(`<presence type='subscribe' to='${a.jid}'/>`);
      await ca.stanza(pres('subscribe', b.jid), 'request back');
      ca.send(`<presence type='subscribed' to='${b.jid}'/>`);
      await ca.stanza(
        push(b.jid, (i) => i.attr('subscription') === 'both'),
        'both',
      );
      await cb.stanza(
        push(a.jid, (i) => i.attr('subscription') === 'both'),
        'both',
      );
      // b takes back a's subscription: a hears `unsubscribed` and b goes offline for a.
      let mark = ca.events.length;
      cb.send(`<presence type='unsubscribed' to='${a.jid}'/>`);
      await ca.stanza(pres('unsubscribed', b.jid), 'unsubscribed', mark);
      await ca.stanza(
        push(b.jid, (i) => i.attr('subscription') === 'from'),
        'from push',
        mark,
      );
      // a stops seeing b... and b stops seeing a: b hears `unsubscribe`.
      mark = cb.events.length;
      ca.send(`<presence type='unsubscribed' to='${b.jid}'/>`);
      await cb.stanza(pres('unsubscribed', a.jid), 'unsubscribed', mark);
      await cb.stanza(
        push(a.jid, (i) => i.attr('subscription') === 'none'),
        'none push',
        mark,
      );
      // Unsubscribe with nothing to end: silence, no error.
      const quiet = ca.events.length;
      ca.send(`<presence type='unsubscribe' to='${b.jid}' id='u0'/>`);
      await ca.iq('get', "<ping xmlns='urn:xmpp:ping'/>");
      expect(
        ca.events.slice(quiet).some((e) => e.type === 'stanza' && e.element.attr('id') === 'u0'),
      ).toBe(false);
    });

    it("the user's unsubscribe reaches the contact as unsubscribe", async () => {
      const a = await account();
      const b = await account();
      const ca = await online(a.name);
      const cb = await online(b.name);
      ca.send(`<presence type='subscribe' to='${b.jid}'/>`);
      await cb.stanza(pres('subscribe', a.jid), 'request');
      cb.send(`<presence type='subscribed' to='${a.jid}'/>`);
      await cb.stanza(
        push(a.jid, (i) => i.attr('subscription') === 'from'),
        'from',
      );
      const mark = cb.events.length;
      ca.send(`<presence type='unsubscribe' to='${b.jid}'/>`);
      await cb.stanza(pres('unsubscribe', a.jid), 'unsubscribe', mark);
      await cb.stanza(
        push(a.jid, (i) => i.attr('subscription') === 'none'),
        'none push',
        mark,
      );
      // a's own change is a push only.
      await ca.stanza(
        push(b.jid, (i) => i.attr('subscription') === 'none'),
        'none push',
      );
      expect(
        ca.events.some((e) => e.type === 'stanza' && pres('unsubscribed', b.jid)(e.element)),
      ).toBe(false);
    });
  });
}
