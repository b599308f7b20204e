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

/**
 * <message> from the client: a chat (or normal) message with a <body> to an
 * account of this domain, bare or full JID, is a Parley direct message through
 * core's one send, durable before anyone is told. Its client id is the
 * XEP-0359 origin-id, else the stanza id, else made up by core: a resent stanza
 * is stored once. Errors come back as stanza errors. Messages without a body
 * (chat states, receipts, markers) are not mapped yet and are dropped quietly;
 * groupchat waits for MUC.
 */
export async function message(c: XmppConnection, el: Element): Promise<void> {
  const type = el.attr('type') ?? 'normal';
  if (type === 'error' || type === 'headline') return;
  const body = el.getChild('body');
  if (type === 'groupchat') return c.error(el, 'service-unavailable', 'group chat is not here yet');
  if (body === undefined) return;
  const jid = tryParseJid(el.attr('to') ?? '');
  if (!jid) return c.error(el, 'jid-malformed', 'a message needs a valid to');
  if (jid.domain !== c.domain)
    return c.error(el, 'service-unavailable', `messages reach only accounts of ${c.domain}`);
  const username = usernameOf(jid, c.domain);
  if (username === undefined) return c.error(el, 'item-not-found', 'no such account');
  const origin = el.getChild('origin-id', XMLNS.sid)?.attr('id');
  const id = el.attr('id');
  const clientId = [origin, id].find(
    (x): x is string => x !== undefined && x !== '' && x.length <= MAX_CLIENT_ID,
  );
  const send = (cid: string | undefined) =>
    c.core.sender.send(c.auth!.user.id, {
      to: { user: username },
      text: body.text(),
      ...(cid !== undefined ? { clientId: cid } : {}),
      connectionId: c.connectionId,
    });
  try {
    // XEP-0191 3.6: nothing goes to someone the user blocks.
    if (await c.blocked.has(c, username)) return c.write(blockedError(el));
    try {
      await send(clientId);
    } catch (err) {
      // A stanza id (unlike an origin-id) may be a counter a client reuses
      // across streams: the same id for another text is sent under a new one.
      if (
        clientId !== undefined &&
        clientId !== origin &&
        isParleyError(err) &&
        err.condition === 'conflict'
      )
        await send(undefined);
      else throw err;
    }
  } catch (err) {
    const e = stanzaCondition(err, 'message');
    if (e.internal) c.log.error({ err }, 'xmpp: message failed');
    const condition = e.condition === 'item-not-found' ? 'item-not-found' : e.condition;
    c.error(el, condition, e.text);
  }
}

/**
 * After binding: the direct messages that arrived while the account was away
 * (past its read marker in each conversation), oldest first per conversation,
 * with XEP-0203 delay. The read markers do not move: reading is the client's
 * to say (it cannot yet: XEP-0333 comes later), so they come again at the
 * next login until read elsewhere.
 */
export async function deliverMissed(c: XmppConnection): Promise<void> {
  try {
    for (const msg of await missedDirectMessages(c.core, c.auth!.user.id))
      c.write(chatMessage(msg, c.viewer(), 'new', true));
  } catch (err) {
    c.log.warn({ err }, 'xmpp: could not read messages missed while away');
  }
}
