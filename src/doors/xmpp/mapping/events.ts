import type { ContactItem } from '../../../core/contacts/service.js';
import { pepItemStanza, privateChangedStanza } from '../pep/events.js';
import type {
  ContactActor,
  CoreEvent,
  DirectMessage,
  MessageEvent,
  MessageRoute,
  NoticeEvent,
} from '../../../core/events.js';
import type { PresenceInfo } from '../../../core/presence/service.js';
import { newId } from '../../../core/ids.js';
import { type Element, xml } from '../codec/element.js';
import { NS } from '../codec/ns.js';
import { XMLNS } from '../xmlns.js';
import { replyFallback } from './fallback.js';
import { chatState, reactionStanzas, retraction } from './message-changes.js';
import type { RosterVersion } from './roster-version.js';
import { blockPush } from './blocking.js';

/**
 * Core's events as stanzas (pure): direct messages as <message type='chat'>
 * with XEP-0359 ids, contacts as roster pushes (RFC 6121 2.1.6) and
 * subscription requests, presence as <presence> from the contact's bare JID;
 * message changes, typing and markers through mapping/message-changes.ts.
 * An event with no XMPP form yet (rooms) gives none; receipts and replies
 * need a lookup first (outbound.ts).
 */
export interface Viewer {
  userId: string;
  domain: string;
  /** The stream's full JID. */
  jid: string;
  /** XEP-0280 enabled: one's own messages sent elsewhere come as `<sent>` carbons. */
  carbons?: boolean;
  /** XEP-0237: the stream asked for the roster by version; pushes carry the new one. */
  roster?: RosterVersion;
  /**
   * Usernames this stream saw one's own request to pending (`ask`): when it is
   * answered, the answer comes as `subscribed` or `unsubscribed` (RFC 6121 3.1.5,
   * 3.2), besides the roster push.
   */
  asking?: Set<string>;
  /** PEP nodes the client hears (`+notify` in its caps, pep/client-caps.ts). */
  notify?: ReadonlySet<string>;
  /**
   * Per username, the subscription this stream last knew (from the roster and
   * pushes): the other person ending one is told as presence (RFC 6121 3.2.3:
   * `unsubscribed`, 3.3.3: `unsubscribe`) besides the roster push.
   */
  subs?: Map<string, ContactItem['subscription']>;
  /**
   * RFC 6121 8.5: how this resource takes a new message from someone else
   * (routing.ts): as addressed to it, as a XEP-0280 `<received>` carbon of a
   * message to another resource, or not at all. Absent: as addressed.
   */
  pick?: (e: MessageEvent | NoticeEvent) => MessagePick;
}

export type MessagePick = 'deliver' | 'carbon' | 'skip';

export const jidOfUser = (username: string, domain: string): string => `${username}@${domain}`;

/** RFC 6121 2.1.2: one roster item. `remove` for an entry that is gone. */
export function rosterItem(c: ContactItem | { username: string; remove: true }, domain: string) {
  if ('remove' in c)
    return xml('item', { jid: jidOfUser(c.username, domain), subscription: 'remove' });
  return xml(
    'item',
    {
      jid: jidOfUser(c.username, domain),
      name: c.alias || undefined,
      subscription: c.subscription,
      ask: c.ask ? 'subscribe' : undefined,
      // RFC 6121 3.4: pre-approved, their request will be approved at once.
      approved:
        c.approved && c.subscription !== 'from' && c.subscription !== 'both' ? 'true' : undefined,
    },
    c.groups.map((g) => xml('group', {}, g)),
  );
}

export function rosterPush(item: Element, v: Viewer, id: string): Element {
  return xml(
    'iq',
    { type: 'set', id, to: v.jid },
    xml('query', { xmlns: XMLNS.roster, ver: v.roster?.apply(item) }, item),
  );
}

/** RFC 6121 4.7.2.1: our shows; `available` is no <show>. */
export function presenceStanza(p: PresenceInfo, v: Viewer): Element | undefined {
  if (p.username === '' || p.userId === v.userId) return undefined;
  const from = jidOfUser(p.username, v.domain);
  if (p.show === 'offline') return xml('presence', { type: 'unavailable', from, to: v.jid });
  return xml(
    'presence',
    { from, to: v.jid },
    p.show !== 'available' && xml('show', {}, p.show),
    p.status !== '' && xml('status', {}, p.status),
  );
}

/** `<delay>` (XEP-0203) for a message delivered later than it was sent. */
export function delay(at: number, domain: string): Element {
  return xml('delay', { xmlns: XMLNS.delay, from: domain, stamp: new Date(at).toISOString() });
}

/** What a reply names (XEP-0461): the parent's author and id, and a quote for a fallback. */
export interface ReplyRef {
  to: string;
  id: string;
  quote?: string;
}

/**
 * A direct message to this viewer. `delayed`: delivered after the fact (offline
 * messages). One's own message sent elsewhere is a XEP-0280 `<sent>` carbon when
 * the stream enabled carbons (live only), else nothing. Another's new message
 * asks for receipts and markers (XEP-0184, XEP-0333): they become core's
 * delivered and read markers. `reply`: the parent it answers (XEP-0461), with
 * the parent quoted for clients without it (XEP-0428).
 */
export function chatMessage(
  m: DirectMessage,
  v: Viewer,
  change: 'new' | 'edited' = 'new',
  delayed = false,
  reply?: ReplyRef,
  route?: MessageRoute,
  pick: MessagePick = 'deliver',
): Element | undefined {
  if (m.sender.username === '' || m.deletedAt !== null || pick === 'skip') return undefined;
  const bare = v.jid.replace(/\/.*$/s, '');
  const own = m.sender.id === v.userId;
  if (own && (!v.carbons || delayed || m.recipient.username === '')) return undefined;
  // RFC 6120 8.1.2.1: from the sending resource when known; `to` as the sender wrote it.
  const sender = jidOfUser(m.sender.username, v.domain);
  const recipient = own ? jidOfUser(m.recipient.username, v.domain) : bare;
  const from = route?.from !== undefined ? `${own ? bare : sender}/${route.from}` : undefined;
  const to = route?.to !== undefined ? `${recipient}/${route.to}` : recipient;
  const edited = change === 'edited';
  const quoted = reply?.quote !== undefined && !edited ? replyFallback(reply.quote) : undefined;
  const inner = xml(
    'message',
    {
      // Inside <forwarded> the message must say it is jabber:client (XEP-0297).
      xmlns: own || pick === 'carbon' ? NS.client : undefined,
      // Live, as the sender's door said it (RFC 6121 5.2.2); from the store a chat.
      type: route?.single ? 'normal' : 'chat',
      from: from ?? (own ? bare : sender),
      to,
      id: edited ? `${m.id}-e${m.editedAt ?? 0}` : m.clientId,
    },
    xml('body', {}, quoted ? quoted.prefix + m.text : m.text),
    // XEP-0308: the correction names the stanza id the original had.
    edited && xml('replace', { xmlns: XMLNS.correct, id: m.clientId }),
    !edited && xml('stanza-id', { xmlns: XMLNS.sid, id: m.id, by: bare }),
    !edited && xml('origin-id', { xmlns: XMLNS.sid, id: m.clientId }),
    delayed && delay(m.createdAt, v.domain),
    !edited && !own && xml('request', { xmlns: XMLNS.receipts }),
    !edited && !own && xml('markable', { xmlns: XMLNS.markers }),
    // XEP-0085 5.1: whoever sends a message is active in the chat (it ends their typing).
    !edited && !own && !delayed && xml('active', { xmlns: XMLNS.chatStates }),
    reply && xml('reply', { xmlns: XMLNS.reply, to: reply.to, id: reply.id }),
    quoted?.mark,
  );
  if (!own && pick === 'deliver') return inner;
  // XEP-0280: one's own message sent elsewhere, or one to another of one's resources.
  return xml(
    'message',
    { from: bare, to: v.jid, type: 'chat' },
    xml(
      own ? 'sent' : 'received',
      { xmlns: XMLNS.carbons },
      xml('forwarded', { xmlns: XMLNS.forward }, inner),
    ),
  );
}

/**
 * The stanzas for one event. `announced`: usernames whose pending request this
 * stream was already shown (a contact update while it is pending must not ask
 * again); the function adds to it.
 */
export function toStanzas(e: CoreEvent, v: Viewer, announced: Set<string>): Element[] {
  switch (e.name) {
    case 'message': {
      if (e.change === 'deleted') return optional(retraction(e.message, v));
      if (e.change === 'reaction') return reactionStanzas(e.message, v, e.by);
      if (e.change === 'edited') return optional(chatMessage(e.message, v, 'edited'));
      return optional(chatMessage(e.message, v, 'new', false, undefined, e.route, v.pick?.(e)));
    }
    case 'typing':
      return optional(chatState(e, v));
    case 'notice':
      return optional(headline(e, v));
    case 'contact.updated': {
      const c = e.contact;
      const out: Element[] = ended(v, c.username, c.subscription, e.actor);
      if (c.inRoster) out.push(rosterPush(rosterItem(c, v.domain), v, `push-${newId()}`));
      else v.roster?.apply(rosterItem({ username: c.username, remove: true }, v.domain));
      if (c.pendingIn && !announced.has(c.username)) {
        announced.add(c.username);
        out.push(subscribeRequest(c, v));
      } else if (!c.pendingIn) announced.delete(c.username);
      if (c.ask) v.asking?.add(c.username);
      else if (v.asking?.delete(c.username)) {
        const to = c.subscription === 'to' || c.subscription === 'both';
        out.unshift(
          xml('presence', {
            type: to ? 'subscribed' : 'unsubscribed',
            from: jidOfUser(c.username, v.domain),
            to: v.jid,
          }),
        );
      }
      return out;
    }
    case 'contact.removed':
      announced.delete(e.username);
      return [
        ...ended(v, e.username, 'none', e.actor),
        rosterPush(
          rosterItem({ username: e.username, remove: true }, v.domain),
          v,
          `push-${newId()}`,
        ),
      ];
    case 'block.added':
    case 'block.removed':
      return [
        blockPush(
          e.name === 'block.added' ? 'block' : 'unblock',
          jidOfUser(e.username, v.domain),
          v.jid,
          `push-${newId()}`,
        ),
      ];
    case 'presence':
      // Online, a contact is told per resource (outbound.ts); offline is all of them.
      return e.show === 'offline' ? optional(presenceStanza(e, v)) : [];
    case 'pep.item':
      return optional(pepItemStanza(e, { ...v, notify: v.notify ?? NONE }));
    case 'private.changed':
      return optional(privateChangedStanza(e, { ...v, notify: v.notify ?? NONE }));
    default:
      return [];
  }
}

const NONE: ReadonlySet<string> = new Set();

const optional = (el: Element | undefined): Element[] => (el ? [el] : []);

/** A notice (never stored) as RFC 6121 5.2.2's `headline`, to the resources `pick` lets have it. */
export function headline(e: NoticeEvent, v: Viewer): Element | undefined {
  if (e.from.username === '' || (v.pick?.(e) ?? 'deliver') !== 'deliver') return undefined;
  // An IRC client's CTCP (irc:ctcp...) means nothing to an XMPP client.
  if (e.id?.startsWith('irc:')) return undefined;
  const sender = jidOfUser(e.from.username, v.domain);
  const bare = v.jid.replace(/\/.*$/s, '');
  return xml(
    'message',
    {
      type: 'headline',
      id: e.id,
      from: e.route?.from !== undefined ? `${sender}/${e.route.from}` : sender,
      to: e.route?.to !== undefined ? `${bare}/${e.route.to}` : bare,
    },
    xml('body', {}, e.text),
  );
}

const sees = (s: string | undefined) => s === 'to' || s === 'both';
const seen = (s: string | undefined) => s === 'from' || s === 'both';

/**
 * RFC 6121 3.2.3 and 3.3.3: the other person took a subscription away: the
 * one you had to them (`unsubscribed` from them) or theirs to you
 * (`unsubscribe` from them). One's own changes are told by the roster push only.
 */
function ended(
  v: Viewer,
  username: string,
  now: ContactItem['subscription'],
  actor: ContactActor | undefined,
): Element[] {
  const subs = v.subs;
  if (!subs) return [];
  const before = subs.get(username);
  if (now === 'none') subs.delete(username);
  else subs.set(username, now);
  if (actor !== 'contact') return [];
  const from = jidOfUser(username, v.domain);
  const out: Element[] = [];
  if (sees(before) && !sees(now))
    out.push(xml('presence', { type: 'unsubscribed', from, to: v.jid }));
  if (seen(before) && !seen(now))
    out.push(xml('presence', { type: 'unsubscribe', from, to: v.jid }));
  return out;
}

/** RFC 6121 3.1.3: someone asks to see this user's presence. */
export function subscribeRequest(c: ContactItem, v: Viewer): Element {
  return xml(
    'presence',
    { type: 'subscribe', from: jidOfUser(c.username, v.domain), to: v.jid },
    c.note !== '' && xml('status', {}, c.note),
  );
}
