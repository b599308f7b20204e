import { type Element, xml } from '../codec/element.js';
import { tryParseJid, usernameOf } from '../codec/jid.js';
import type { XmppConnection } from '../connection.js';
import { jidOfUser } from '../mapping/events.js';
import { resourcePresences } from '../mapping/resources.js';

/**
 * Presence to one entity (RFC 6121 4.6) and presence probes (4.3). Directed
 * presence goes through core (`presence.direct`: blocks apply) carrying the
 * session's presence; the people it went to are told `unavailable` when the
 * resource goes unavailable or the stream ends (4.6.3). A probe is answered
 * only with consent: the contact's resources, or `unavailable` when none is
 * online, to someone who may see them; `unsubscribed` to anyone else.
 */

/** People one stream directs presence at, at most. */
export const MAX_DIRECTED = 100;

export async function directed(
  c: XmppConnection,
  el: Element,
  unavailable: boolean,
): Promise<void> {
  const jid = tryParseJid(el.attr('to') ?? '');
  const username = jid ? usernameOf(jid, c.domain) : undefined;
  if (!jid || username === undefined)
    return c.error(el, 'item-not-found', `presence reaches only accounts of ${c.domain}`);
  const told = c.directedTo;
  if (!unavailable && told && !told.has(username) && told.size >= MAX_DIRECTED)
    return c.error(el, 'resource-constraint', `presence to at most ${MAX_DIRECTED} others`);
  try {
    // RFC 6121 8.5: to a full JID, only that resource (outbound.ts); the stanza's id kept.
    const id = el.attr('id');
    const to = await c.core.presence.direct(c.session!, username, !unavailable, {
      ...(jid.resource !== undefined ? { route: { to: jid.resource } } : {}),
      ...(id !== undefined ? { id } : {}),
    });
    if (to === undefined || unavailable) c.directedTo?.delete(username);
    else (c.directedTo ??= new Set()).add(username);
  } catch (err) {
    c.log.debug({ err }, 'xmpp: directed presence not passed on');
  }
}

/** RFC 6121 4.6.3: those directed at hear that the resource is gone. */
export async function endDirected(c: XmppConnection): Promise<void> {
  const session = c.session;
  if (!session) return;
  const list = [...(c.directedTo ?? [])];
  c.directedTo = undefined;
  for (const username of list)
    await c.core.presence.direct(session, username, false).catch(() => undefined);
}

export async function probe(c: XmppConnection, el: Element): Promise<void> {
  const jid = tryParseJid(el.attr('to') ?? '');
  const username = jid ? usernameOf(jid, c.domain) : undefined;
  if (!jid || username === undefined) return;
  const me = c.auth!.user;
  const bare = jidOfUser(username, c.domain);
  const v = c.viewer();
  let userId: string | undefined = username === me.username ? me.id : undefined;
  if (userId === undefined) {
    const k = (await c.core.contacts.list(me.id)).find((x) => x.username === username);
    if (k && (k.subscription === 'to' || k.subscription === 'both')) userId = k.userId;
  }
  if (userId === undefined) {
    c.write(xml('presence', { type: 'unsubscribed', from: bare, to: v.jid }));
    return;
  }
  const resources = await c.core.presence.resources(me.id, userId);
  const out = resourcePresences(username, resources, v);
  if (out.length === 0) out.push(xml('presence', { type: 'unavailable', from: bare, to: v.jid }));
  for (const p of out) c.write(p);
}
