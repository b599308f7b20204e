import type {
  CoreEvent,
  DirectMessage,
  MarkerEvent,
  PresenceResourceEvent,
  ReceiptEvent,
  TypingEvent,
} from '../../core/events.js';
import { type Element, xml } from './codec/element.js';
import type { XmppConnection } from './connection.js';
import {
  chatMessage,
  jidOfUser,
  presenceStanza,
  type ReplyRef,
  toStanzas,
  type Viewer,
} from './mapping/events.js';
import { resourcePresence, resourcePresences } from './mapping/resources.js';
import { profileStanzas, withPhoto } from './pep/notify.js';
import { chatState, type MarkerKind, markerStanza, peerOf } from './mapping/message-changes.js';

/**
 * Core events whose stanzas need a lookup first. Core's markers are positions
 * in a conversation; XMPP's name a message (XEP-0184, XEP-0333), so the door
 * reads which message a position stands for. A reply names its parent by id;
 * XEP-0461 wants the parent's author and the id the client knows (and a quote
 * for a fallback). Everything else maps without one (mapping/events.ts).
 */

/** Messages read back from a marker's position to find the one it stands for. */
const MARKER_LOOKBACK = 20;
/** Conversations whose last told marker a stream remembers (so a marker is told once). */
export const MARKERS_REMEMBERED = 1000;

export function needsLookup(e: CoreEvent): boolean {
  switch (e.name) {
    // Presence keeps the stream's record of resources told, and may read core's.
    case 'receipt':
    case 'marker':
    case 'presence':
    case 'presence.snapshot':
    case 'presence.resource':
      return true;
    // PEP notifications depend on this stream's +notify and may read the profile.
    case 'contact.profile':
      return true;
    case 'message':
      return e.change === 'new' && e.message.replyTo !== null;
    default:
      return false;
  }
}

export async function stanzasFor(c: XmppConnection, e: CoreEvent): Promise<Element[]> {
  if (e.name === 'presence' || e.name === 'presence.snapshot' || e.name === 'presence.resource')
    return presenceStanzas(c, e);
  if (e.name === 'receipt') return receiptStanzas(c, e);
  if (e.name === 'contact.profile') return profileStanzas(c, e);
  if (e.name === 'marker') return ownMarkerStanzas(c, e);
  if (e.name === 'message' && e.change === 'new' && e.message.replyTo !== null) {
    const v = c.viewer();
    const reply = await replyRef(c, e.message);
    const el = chatMessage(e.message, v, 'new', false, reply, e.route, v.pick?.(e));
    return el ? [el] : [];
  }
  return toStanzas(e, c.viewer(), c.announced);
}

/** The parent a message answers, as XEP-0461 names it (undefined when it cannot be seen). */
export async function replyRef(c: XmppConnection, m: DirectMessage): Promise<ReplyRef | undefined> {
  if (m.replyTo === null) return undefined;
  const me = c.auth!.user.id;
  const parent = await c.core.messages.find(me, peerOf(m, c.viewer()).username, m.replyTo);
  if (!parent || parent.sender.username === '') return undefined;
  return {
    to: jidOfUser(parent.sender.username, c.domain),
    id: parent.clientId,
    ...(parent.deletedAt === null ? { quote: parent.text } : {}),
  };
}

/**
 * The latest message at or before `seq` in the conversation with `peerId`
 * sent by `senderId` (within a short look back), by the id the client knows.
 */
async function messageAt(
  c: XmppConnection,
  peerId: string,
  seq: number,
  senderId: string,
): Promise<string | undefined> {
  if (seq <= 0) return undefined;
  const page = await c.core.history.read(
    c.auth!.user.id,
    { kind: 'direct', peerId },
    { kind: 'before', anchor: { seq: seq + 1 } },
    MARKER_LOOKBACK,
  );
  for (let i = page.messages.length - 1; i >= 0; i--) {
    const m = page.messages[i]!;
    if (m.sender.id === senderId && m.deletedAt === null) return m.clientId;
  }
  return undefined;
}

/** What a stream last told per conversation, so each advance is told once. */
function told(c: XmppConnection, key: string): { delivered: number; read: number } {
  const all = (c.markersTold ??= new Map());
  let t = all.get(key);
  if (!t) {
    if (all.size >= MARKERS_REMEMBERED) {
      const oldest = all.keys().next().value;
      if (oldest !== undefined) all.delete(oldest);
    }
    t = { delivered: 0, read: 0 };
    all.set(key, t);
  }
  return t;
}

/** The other person's markers moved: delivery and display of our messages to them. */
async function receiptStanzas(c: XmppConnection, e: ReceiptEvent): Promise<Element[]> {
  const me = c.auth!.user.id;
  return markers(c, `${e.conversationId}>`, e.userId, e.username, e, me, false);
}

/** Our own markers moved on another device: our other resources clear their notifications. */
async function ownMarkerStanzas(c: XmppConnection, e: MarkerEvent): Promise<Element[]> {
  if (!c.carbons) return [];
  const peer = e.with;
  return markers(c, `${e.conversationId}<`, peer.userId, peer.username, e, peer.userId, true);
}

async function markers(
  c: XmppConnection,
  key: string,
  peerId: string,
  peerName: string,
  at: { delivered: number; read: number },
  senderId: string,
  own: boolean,
): Promise<Element[]> {
  const t = told(c, key);
  const out: Element[] = [];
  const tell = async (kind: MarkerKind, seq: number) => {
    const id = await messageAt(c, peerId, seq, senderId);
    const el = id !== undefined ? markerStanza(kind, peerName, id, own, c.viewer()) : undefined;
    if (el) out.push(el);
  };
  // Displayed says received too: a separate receipt only for what is delivered beyond it.
  if (at.delivered > t.delivered && at.delivered > at.read) await tell('received', at.delivered);
  if (at.read > t.read) await tell('displayed', at.read);
  t.delivered = Math.max(t.delivered, at.delivered);
  t.read = Math.max(t.read, at.read);
  return out;
}

/**
 * XEP-0085: core's typing lapses by itself (`expiresInMs`); an XMPP client
 * shows `composing` until told otherwise, so a lapse not renewed becomes
 * `paused`. One timer per person typing, replaced at each of their events.
 */
export function typingLapse(c: XmppConnection, e: TypingEvent): void {
  const prev = c.typingTimers?.get(e.userId);
  if (prev) clearTimeout(prev);
  c.typingTimers?.delete(e.userId);
  if (e.state !== 'start' || e.expiresInMs <= 0) return;
  const timers = (c.typingTimers ??= new Map());
  if (timers.size >= MARKERS_REMEMBERED) return;
  const t = setTimeout(() => {
    c.typingTimers?.delete(e.userId);
    c.write(chatState(e, c.viewer(), 'paused'));
  }, e.expiresInMs);
  t.unref();
  timers.set(e.userId, t);
}

/** Contacts whose resources a stream keeps track of at most. */
export const RESOURCES_REMEMBERED = 10_000;

/**
 * Presence per resource. A contact seen online for the first time (at login, or
 * once allowed to) is read from core, one presence per resource; from then on
 * core's `presence.resource` events keep it current, and the contact going
 * offline is one unavailable from the bare JID (all their resources).
 */
/**
 * Directed presence (RFC 6121 4.6) as the sender addressed it: to a bare JID every
 * resource, to a full JID that resource only, to a resource not connected nobody
 * (8.5.3.2.2); its id and `to` kept.
 */
function directedPresence(c: XmppConnection, e: PresenceResourceEvent, v: Viewer): Element[] {
  const to = e.route?.to;
  const me = c.jid?.resource;
  if (to !== undefined && to !== me) return [];
  const el = resourcePresence(e, v);
  if (!el) return [];
  const bare = v.jid.replace(/\/.*$/s, '');
  return [
    withPhoto(
      xml(
        'presence',
        { ...el.attrs, id: e.id, to: to !== undefined ? v.jid : bare },
        ...el.children,
      ),
      c.photos.get(e.userId),
    ),
  ];
}

export async function presenceStanzas(
  c: XmppConnection,
  e: Extract<CoreEvent, { name: 'presence' | 'presence.snapshot' | 'presence.resource' }>,
): Promise<Element[]> {
  const v = c.viewer();
  if (e.name === 'presence.resource') {
    if (e.userId !== v.userId && !e.directed) {
      const told = c.resourcesTold?.get(e.userId);
      // Older than what a lookup already told (it read the store after this was sent): stale.
      if (e.show !== 'offline' && (told?.get(e.resource) ?? 0) > e.at) return [];
      if (e.show === 'offline') told?.delete(e.resource);
      else if (told) told.set(e.resource, e.at);
      else if ((c.resourcesTold?.size ?? 0) < RESOURCES_REMEMBERED)
        (c.resourcesTold ??= new Map()).set(e.userId, new Map([[e.resource, e.at]]));
    }
    if (e.directed) return directedPresence(c, e, v);
    const el = resourcePresence(e, v);
    return el ? [withPhoto(el, c.photos.get(e.userId))] : [];
  }
  const list = e.name === 'presence' ? [e] : e.contacts;
  const out: Element[] = [];
  for (const p of list) {
    if (p.show === 'offline' || p.username === '') {
      c.resourcesTold?.delete(p.userId);
      const el = presenceStanza(p, v);
      if (el) out.push(el);
      continue;
    }
    if (c.resourcesTold?.has(p.userId)) continue;
    const resources = await c.core.presence.resources(v.userId, p.userId);
    if ((c.resourcesTold?.size ?? 0) < RESOURCES_REMEMBERED)
      (c.resourcesTold ??= new Map()).set(
        p.userId,
        new Map(resources.map((r) => [r.resource, r.since])),
      );
    const photo = c.photos.get(p.userId);
    for (const el of resourcePresences(p.username, resources, v)) out.push(withPhoto(el, photo));
  }
  return out;
}
