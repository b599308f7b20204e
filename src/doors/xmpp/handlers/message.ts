import { isParleyError } from '../../../core/errors.js';
import { MAX_CLIENT_ID } from '../../../core/messages/service.js';
import type { Element } from '../codec/element.js';
import { tryParseJid, usernameOf } from '../codec/jid.js';
import type { XmppConnection } from '../connection.js';
import { stanzaCondition } from '../mapping/errors.js';
import { chatMessage } from '../mapping/events.js';
import { XMLNS } from '../xmlns.js';
import { blockedError } from './blocking.js';
import { missedDirectMessages } from '../../../core/conversations/missed.js';
import { stripFallback } from '../mapping/fallback.js';
import { replyRef } from '../outbound.js';
import { signals } from './markers.js';
import { correction, reactions, retraction, retractRef } from './message-changes.js';

/**
 * <message> from the client: a chat (or normal) message with a <body> to an
 * account of this domain, bare or full JID, is a Parley direct message through
 * core's one send, durable before anyone is told. Its client id is the
 * XEP-0359 origin-id, else the stanza id, else made up by core: a resent stanza
 * is stored once. A reply (XEP-0461) names its parent, its quoted fallback
 * (XEP-0428) left out of the text. A correction, retraction or reactions change
 * a message already sent (message-changes.ts); receipts, markers and chat
 * states move markers and typing (markers.ts). Errors come back as stanza
 * errors; groupchat waits for MUC.
 */
export async function message(c: XmppConnection, el: Element): Promise<void> {
  const type = el.attr('type') ?? 'normal';
  if (type === 'error') return;
  if (type === 'headline') return headline(c, el);
  const body = el.getChild('body');
  if (type === 'groupchat') return c.error(el, 'service-unavailable', 'group chat is not here yet');
  const jid = tryParseJid(el.attr('to') ?? '');
  const username = jid && jid.domain === c.domain ? usernameOf(jid, c.domain) : undefined;
  if (username === undefined) {
    // Without a body (a marker, a chat state) nothing is answered.
    if (body === undefined) return;
    if (!jid) return c.error(el, 'jid-malformed', 'a message needs a valid to');
    if (jid.domain !== c.domain)
      return c.error(el, 'service-unavailable', `messages reach only accounts of ${c.domain}`);
    // RFC 6121 8.5.1: no such account is service-unavailable (not a hint that it never existed).
    return c.error(el, 'service-unavailable', 'no such account');
  }
  // A body beside a retraction or reactions is their fallback (XEP-0428), never a message.
  const retract = retractRef(el);
  if (retract) return retraction(c, el, username, retract.ref);
  const r = el.getChild('reactions', XMLNS.reactions);
  if (r) return reactions(c, el, username, r);
  await signals(c, el, username, body !== undefined);
  if (body === undefined) return;
  const replace = el.getChild('replace', XMLNS.correct);
  if (replace)
    return correction(c, el, username, replace, stripFallback(body.text(), el, XMLNS.reply));
  const reply = await replyTo(c, el, username);
  const text = reply ? stripFallback(body.text(), el, XMLNS.reply) : body.text();
  const origin = el.getChild('origin-id', XMLNS.sid)?.attr('id');
  const id = el.attr('id');
  const clientId = [origin, id].find(
    (x): x is string => x !== undefined && x !== '' && x.length <= MAX_CLIENT_ID,
  );
  const toResource = jid?.resource;
  const send = (cid: string | undefined) =>
    c.core.sender.send(c.auth!.user.id, {
      to: { user: username },
      text: text.trim() === '' ? body.text() : text,
      ...(cid !== undefined ? { clientId: cid } : {}),
      ...(reply ? { replyTo: reply } : {}),
      // RFC 6121 8.5: which resource sent it, and which (if any) it was addressed to.
      route: {
        ...(c.jid?.resource !== undefined ? { from: c.jid.resource } : {}),
        ...(toResource !== undefined ? { to: toResource } : {}),
        ...(type === 'normal' ? { single: true as const } : {}),
      },
      connectionId: c.connectionId,
    });
  try {
    try {
      await send(clientId);
    } catch (err) {
      // A stanza id (unlike an origin-id) may be a counter a client reuses
      // across streams: the same id for another text is sent under a new one.
      if (
        clientId !== undefined &&
        clientId !== origin &&
        isParleyError(err) &&
        err.condition === 'conflict' &&
        err.field === 'clientId'
      )
        await send(undefined);
      else throw err;
    }
  } catch (err) {
    // Core refuses a message to someone the sender blocks (unblock to write): XEP-0191 3.6's error.
    if (isParleyError(err) && err.condition === 'conflict' && err.field === 'to')
      return c.write(blockedError(el));
    // RFC 6121 8.5.1: a message to an account that does not exist is service-unavailable.
    if (isParleyError(err) && err.condition === 'not-found' && err.field === 'to')
      return c.error(el, 'service-unavailable', err.message);
    const e = stanzaCondition(err, 'message');
    if (e.internal) c.log.error({ err }, 'xmpp: message failed');
    c.error(el, e.condition, e.text);
  }
}

/**
 * RFC 6121 5.2.2: a headline is never stored: a notice through core (the rules of a
 * message) to the resources routing.ts picks. Never answered with an error (8.5.2.2.1,
 * 8.5.3.2.1: silently ignored when it cannot be delivered).
 */
async function headline(c: XmppConnection, el: Element): Promise<void> {
  const body = el.getChild('body')?.text();
  const jid = tryParseJid(el.attr('to') ?? '');
  const username = jid ? usernameOf(jid, c.domain) : undefined;
  if (body === undefined || !jid || username === undefined) return;
  const id = el.attr('id');
  try {
    await c.core.messages.notice(c.auth!.user.id, {
      to: username,
      text: body,
      ...(id !== undefined && id !== '' && id.length <= MAX_CLIENT_ID ? { id } : {}),
      route: {
        ...(c.jid?.resource !== undefined ? { from: c.jid.resource } : {}),
        ...(jid.resource !== undefined ? { to: jid.resource } : {}),
      },
    });
  } catch (err) {
    if (!isParleyError(err)) c.log.error({ err }, 'xmpp: headline failed');
  }
}

/** The parent a reply names (XEP-0461), if it is a message of this conversation. */
async function replyTo(c: XmppConnection, el: Element, peer: string): Promise<string | undefined> {
  const ref = el.getChild('reply', XMLNS.reply)?.attr('id');
  if (ref === undefined) return undefined;
  try {
    return (await c.core.messages.find(c.auth!.user.id, peer, ref))?.id;
  } catch (err) {
    c.log.debug({ err }, 'xmpp: reply parent not read');
    return undefined;
  }
}

/**
 * After binding: the direct messages that arrived while the account was away
 * (past its read marker in each conversation), oldest first per conversation,
 * with XEP-0203 delay. The read markers do not move: reading is the client's
 * to say (a XEP-0333 displayed marker), so they come again at the next login
 * until read here or elsewhere.
 */
export async function deliverMissed(c: XmppConnection): Promise<void> {
  try {
    for (const msg of await missedDirectMessages(c.core, c.auth!.user.id))
      c.write(chatMessage(msg, c.viewer(), 'new', true, await replyRef(c, msg)));
  } catch (err) {
    c.log.warn({ err }, 'xmpp: could not read messages missed while away');
  }
}
