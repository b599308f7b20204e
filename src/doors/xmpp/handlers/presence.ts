import { type Element, xml } from '../codec/element.js';
import { tryParseJid, usernameOf } from '../codec/jid.js';
import type { XmppConnection } from '../connection.js';
import { stanzaCondition } from '../mapping/errors.js';
import { subscribeRequest } from '../mapping/events.js';
import { directed, endDirected, probe } from './directed.js';
import { capsFromPresence } from '../pep/client-caps.js';
import { sendLastItems } from '../pep/notify.js';

/**
 * <presence> from the client (RFC 6121 3 and 4). Without a type and without
 * `to`: this resource's presence (show, status, priority) through
 * core.presence.set; `unavailable`: invisible until the stream ends (core then
 * forgets the session). Subscription types map one to one onto core's
 * consent: subscribe = request, subscribed = approve (one direction),
 * unsubscribe = cancel, unsubscribed = deny. Directed presence and probes:
 * directed.ts.
 */

const SHOW: Readonly<Record<string, string>> = {
  chat: 'available',
  away: 'away',
  xa: 'xa',
  dnd: 'dnd',
};

export async function presence(c: XmppConnection, el: Element): Promise<void> {
  const type = el.attr('type');
  const to = el.attr('to');
  if (type === undefined || type === 'unavailable') {
    if (to !== undefined) return directed(c, el, type === 'unavailable');
    return own(c, el, type === 'unavailable');
  }
  if (type === 'probe') return probe(c, el);
  if (
    type === 'subscribe' ||
    type === 'subscribed' ||
    type === 'unsubscribe' ||
    type === 'unsubscribed'
  )
    return subscription(c, el, type);
  // error: nothing to do.
}

async function own(c: XmppConnection, el: Element, unavailable: boolean): Promise<void> {
  const session = c.session!;
  const showText = el.getChildText('show')?.trim() ?? '';
  const show = unavailable ? 'invisible' : (SHOW[showText] ?? 'available');
  const status = el.getChildText('status');
  const p = el.getChildText('priority')?.trim();
  let priority: number | undefined;
  if (p !== undefined && /^[+-]?\d{1,4}$/.test(p))
    priority = Math.max(-128, Math.min(127, Number(p)));
  // XEP-0153: contacts' avatar hashes, known before their presence is written here.
  if (!unavailable && !c.available) await readPhotos(c);
  try {
    await c.core.presence.set(session, show, status?.trim() ?? '', priority);
  } catch (err) {
    const e = stanzaCondition(err);
    if (e.internal) c.log.error({ err }, 'xmpp: presence failed');
    return c.error(el, e.condition, e.text);
  }
  // RFC 6121 4.7.2.3: a presence without <priority> has priority 0.
  if (!unavailable) c.priority = priority ?? 0;
  if (unavailable) {
    c.available = false;
    await endDirected(c);
    return;
  }
  // RFC 6121 4.2.2, 4.4.2: the resource that sent it is among the user's resources told.
  c.write(echo(c, el));
  // XEP-0163: what it wants notified, from its caps; the last items once that is known.
  // Caps that add nodes (at login, or later: a client that starts to listen) bring their last items.
  const added = capsFromPresence(c, el);
  if (added && added.size > 0)
    await sendLastItems(c, added).catch((err: unknown) => {
      c.log.debug({ err }, 'xmpp: last PEP items not sent');
    });
  if (c.available) return;
  c.available = true;
  // RFC 6121 3.1.3: requests that waited while the account was away.
  try {
    const contacts = await c.core.contacts.list(c.auth!.user.id);
    for (const k of contacts)
      if (k.pendingIn && !c.announced.has(k.username)) {
        c.announced.add(k.username);
        c.write(subscribeRequest(k, c.viewer()));
      }
  } catch (err) {
    c.log.debug({ err }, 'xmpp: pending requests not read');
  }
}

/** One's own presence back to the resource that sent it, from its full JID (same id). */
function echo(c: XmppConnection, el: Element): Element {
  const jid = c.jid!.toString();
  return xml(
    'presence',
    { id: el.attr('id'), from: jid, to: jid },
    // Children declared under a prefix of the stanza itself would lose it: left out.
    el.elements().filter((x) => x.prefix === ''),
  );
}

async function readPhotos(c: XmppConnection): Promise<void> {
  try {
    for (const k of await c.core.contacts.list(c.auth!.user.id))
      c.photos.set(k.userId, k.avatar ?? '');
  } catch (err) {
    c.log.debug({ err }, 'xmpp: avatar hashes not read');
  }
}

async function subscription(
  c: XmppConnection,
  el: Element,
  type: 'subscribe' | 'subscribed' | 'unsubscribe' | 'unsubscribed',
): Promise<void> {
  const jid = tryParseJid(el.attr('to') ?? '');
  const username = jid ? usernameOf(jid, c.domain) : undefined;
  if (!jid || username === undefined)
    return c.error(el, 'item-not-found', `only accounts of ${c.domain} can be contacts`);
  const me = c.auth!.user.id;
  try {
    switch (type) {
      case 'subscribe': {
        const k = await c.core.contacts.request(me, username, el.getChildText('status'));
        // RFC 6121 3.1.3 (already subscribed), 3.4 (pre-approved): approved at once, so the
        // contact's server answers `subscribed` on the contact's behalf.
        if (k.subscription === 'to' || k.subscription === 'both')
          c.write(
            xml('presence', {
              type: 'subscribed',
              from: `${username}@${c.domain}`,
              to: c.jid!.toString(),
            }),
          );
        return;
      }
      case 'subscribed':
        // Their waiting request approved, or without one a pre-approval (RFC 6121 3.4).
        await c.core.contacts.allow(me, username);
        return;
      case 'unsubscribe':
        await c.core.contacts.cancel(me, username);
        return;
      case 'unsubscribed':
        await c.core.contacts.deny(me, username);
        return;
    }
  } catch (err) {
    const e = stanzaCondition(err);
    if (e.internal) c.log.error({ err }, 'xmpp: subscription failed');
    // RFC 6121 8.5.1: presence to an account that does not exist is silently dropped, and so
    // is a subscription change with nothing to change (3.1.5, 3.2.4, 3.3; appendix A).
    if (e.condition === 'item-not-found' || e.condition === 'bad-request') return;
    c.error(el, e.condition, e.text);
  }
}
