import type { DirectMessage, TypingEvent, UserRef } from '../../../core/events.js';
import { type Element, xml } from '../codec/element.js';
import { NS } from '../codec/ns.js';
import { XMLNS } from '../xmlns.js';
import type { Viewer } from './events.js';

/**
 * Core's changes to a direct message, and its typing and markers, as the
 * stanzas of their XEPs (pure). Messages are named by the id the XMPP client
 * knows them by: the client id (the `id` and origin-id they were sent or
 * delivered with). A change one made oneself elsewhere reaches one's other
 * XMPP resources only as a XEP-0280 `<sent>` carbon, when carbons are on.
 */

const bareOf = (v: Viewer): string => v.jid.replace(/\/.*$/s, '');
const jidOfUser = (username: string, domain: string): string => `${username}@${domain}`;

/**
 * A message about a conversation with `peer`: from them to this stream, or (own,
 * from elsewhere) a sent carbon of what this account said to them; undefined
 * when an own change has no carbon to ride on.
 */
export function aboutConversation(
  own: boolean,
  peer: string,
  v: Viewer,
  children: (Element | false | undefined)[],
  attrs: Record<string, string | undefined> = {},
): Element | undefined {
  if (peer === '') return undefined;
  const bare = bareOf(v);
  if (!own)
    return xml(
      'message',
      { type: 'chat', from: jidOfUser(peer, v.domain), to: v.jid, ...attrs },
      ...children,
    );
  if (!v.carbons) return undefined;
  return sentCarbon(
    xml(
      'message',
      { xmlns: NS.client, type: 'chat', from: bare, to: jidOfUser(peer, v.domain), ...attrs },
      ...children,
    ),
    v,
  );
}

/** XEP-0280: one's own stanza sent elsewhere, forwarded to this resource. */
export function sentCarbon(inner: Element, v: Viewer): Element {
  const bare = bareOf(v);
  return xml(
    'message',
    { from: bare, to: v.jid, type: 'chat' },
    xml('sent', { xmlns: XMLNS.carbons }, xml('forwarded', { xmlns: XMLNS.forward }, inner)),
  );
}

/** The other person in a direct message, seen from the viewer. */
export function peerOf(m: DirectMessage, v: Viewer): UserRef {
  return m.sender.id === v.userId ? m.recipient : m.sender;
}

/** Text for clients without XEP-0424. */
export const RETRACTED_FALLBACK = 'This message was deleted.';

/** XEP-0424: the sender took a message back (with a fallback body, XEP-0428). */
export function retraction(m: DirectMessage, v: Viewer): Element | undefined {
  const own = m.sender.id === v.userId;
  return aboutConversation(
    own,
    peerOf(m, v).username,
    v,
    [
      xml('retract', { xmlns: XMLNS.retract, id: m.clientId }),
      xml('fallback', { xmlns: XMLNS.fallback, for: XMLNS.retract }),
      xml('body', {}, RETRACTED_FALLBACK),
      xml('store', { xmlns: XMLNS.hints }),
    ],
    { id: `${m.id}-r` },
  );
}

/**
 * XEP-0444: a person's whole set of reactions to a message (the set replaces
 * what they had). `by`: who changed theirs; unknown (a replay), both people's.
 */
export function reactionStanzas(m: DirectMessage, v: Viewer, by?: UserRef): Element[] {
  const peer = peerOf(m, v);
  const people = by ? [by] : [peer, { id: v.userId, username: '' }];
  const out: Element[] = [];
  for (const p of people) {
    const set = m.reactions.filter((r) => r.userIds.includes(p.id)).map((r) => r.emoji);
    const el = aboutConversation(p.id === v.userId, peer.username, v, [
      xml(
        'reactions',
        { xmlns: XMLNS.reactions, id: m.clientId },
        set.map((e) => xml('reaction', {}, e)),
      ),
      xml('store', { xmlns: XMLNS.hints }),
    ]);
    if (el) out.push(el);
  }
  return out;
}

export type ChatState = 'active' | 'composing' | 'paused' | 'inactive' | 'gone';

/** XEP-0085: typing starts is `composing`, stops is `active`; never stored (XEP-0334). */
export function chatState(e: TypingEvent, v: Viewer, state?: ChatState): Element | undefined {
  if (e.username === '' || e.userId === v.userId) return undefined;
  return xml(
    'message',
    { type: 'chat', from: jidOfUser(e.username, v.domain), to: v.jid },
    xml(state ?? (e.state === 'start' ? 'composing' : 'active'), { xmlns: XMLNS.chatStates }),
    xml('no-store', { xmlns: XMLNS.hints }),
  );
}

export type MarkerKind = 'received' | 'displayed';

/**
 * A delivered or read marker about a message (its client id) in the
 * conversation with `peer`: XEP-0333's marker, and for `received` XEP-0184's
 * receipt too (clients show delivery by either). `own`: this account's marker
 * set elsewhere, as a carbon so this resource can clear its notification.
 */
export function markerStanza(
  kind: MarkerKind,
  peer: string,
  id: string,
  own: boolean,
  v: Viewer,
): Element | undefined {
  return aboutConversation(own, peer, v, [
    kind === 'received' && xml('received', { xmlns: XMLNS.receipts, id }),
    xml(kind, { xmlns: XMLNS.markers, id }),
    xml('store', { xmlns: XMLNS.hints }),
  ]);
}
