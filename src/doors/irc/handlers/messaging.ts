import { isParleyError } from '../../../core/errors.js';
import type { IrcMessage } from '../codec/line.js';
import { parseCtcp } from '../codec/ctcp.js';
import type { IrcConnection } from '../connection.js';
import { channelToRoom } from '../mapping/channel.js';
import { refuse } from '../mapping/errors.js';
import { standardReply } from '../mapping/numerics.js';
import {
  CTCP_QUERY,
  CTCP_REPLY,
  hostmask,
  ME,
  privmsgLines,
  REACT_TAG,
  REPLY_TAG,
  UNREACT_TAG,
} from '../mapping/events.js';
import { casefold, nickToUsername } from '../mapping/nick.js';
import { NICKSERV, nickserv } from './nickserv.js';
import { contactsCommand, SERVICE_NICK } from './service.js';
import type { Handler } from './index.js';
import { guestAway } from './queries.js';
import { missedDirectMessages } from '../../../core/conversations/missed.js';
import { deliverMissedRooms, minute } from './missed-rooms.js';
import type { MyRoom } from '../../../core/rooms/service.js';

/** Targets of one PRIVMSG at most (TARGMAX). */
export const MAX_TARGETS = 4;

/**
 * PRIVMSG and NOTICE: a message to a #channel is a room message, to a nick a
 * direct message; both go through core's one send (core/send), durable before
 * anyone is told. NOTICE never gets an error reply (RFC 2812 3.3.2).
 */
async function say(c: IrcConnection, m: IrcMessage, notice: boolean): Promise<void> {
  const text = m.params[1];
  if (text === undefined || text === '') {
    if (!notice) c.numeric('ERR_NOTEXTTOSEND', [], 'No text to send');
    return;
  }
  const ctcp = parseCtcp(text);
  // CTCP queries (VERSION, PING...) and their replies are between clients: relayed to a
  // nick as core's notice (live to their IRC sessions, never kept, the rules of a direct
  // message); to a channel dropped, as it would make every member's client answer.
  const relay = ctcp.kind === 'ctcp';
  // An action is kept as "/me text", as the web and XMPP (XEP-0245) write it.
  const body = ctcp.kind === 'action' ? `${ME}${ctcp.text}` : text;
  if (body === ME) {
    if (!notice) c.numeric('ERR_NOTEXTTOSEND', [], 'No text to send');
    return;
  }
  for (const target of m.params[0]!.split(',').slice(0, MAX_TARGETS)) {
    if (casefold(target) === casefold(NICKSERV)) {
      if (!notice) await nickserv(c, text);
      continue;
    }
    if (!c.auth) {
      if (!notice) c.notice('You are not logged in: /msg NickServ IDENTIFY <password>');
      continue;
    }
    if (casefold(target) === casefold(SERVICE_NICK)) {
      if (!notice) await contactsCommand(c, text);
      continue;
    }
    let to: { room: string } | { user: string };
    if (target.startsWith('#') || target.startsWith('&')) {
      const p = channelToRoom(target);
      if (!p.ok) {
        if (!notice) c.numeric('ERR_NOSUCHCHANNEL', [target.slice(0, 64)], p.message);
        continue;
      }
      if (relay) continue;
      to = { room: p.room };
    } else {
      const user = nickToUsername(target);
      if (user === undefined) {
        if (!notice) c.numeric('ERR_NOSUCHNICK', [target.slice(0, 64)], 'No such nick/channel');
        continue;
      }
      to = { user };
    }
    try {
      if (relay && 'user' in to) {
        await c.core.messages.notice(c.auth.user.id, {
          to: to.user,
          text,
          id: notice ? CTCP_REPLY : CTCP_QUERY,
        });
        continue;
      }
      await sendWithReply(c, to, body, replyOf(m));
      // RPL_AWAY for an away recipient. Direct messages reach a guest only from a
      // guest (core's rule), so only guests look (guestAway: a scan of this node).
      if (!notice && c.guest && 'user' in to) {
        const away = guestAway(c, target);
        if (away !== undefined) c.numeric('RPL_AWAY', [target.slice(0, 64)], away);
      }
    } catch (err) {
      if (notice) continue;
      if (isParleyError(err) && err.condition === 'not-found')
        c.numeric(
          'room' in to ? 'ERR_NOSUCHCHANNEL' : 'ERR_NOSUCHNICK',
          [target],
          'No such nick/channel',
        );
      else if (isParleyError(err) && err.condition === 'forbidden' && 'room' in to)
        c.numeric('ERR_CANNOTSENDTOCHAN', [target], err.message);
      else refuse(c, notice ? 'NOTICE' : 'PRIVMSG', err, target);
    }
  }
}

/** The message a line replies to (+draft/reply), when it names one plausibly. */
function replyOf(m: IrcMessage): string | undefined {
  const id = m.tags.get(REPLY_TAG);
  return id && id.length <= 64 ? id : undefined;
}

/**
 * One send; a reply to a message core does not know there (a client's local id,
 * one from before you could read) is still said, as a plain message: the words
 * matter more than the thread.
 */
async function sendWithReply(
  c: IrcConnection,
  to: { room: string } | { user: string },
  text: string,
  replyTo: string | undefined,
): Promise<void> {
  const cmd = { to, text, connectionId: c.connectionId };
  if (replyTo === undefined) return void (await c.core.sender.send(c.auth!.user.id, cmd));
  try {
    await c.core.sender.send(c.auth!.user.id, { ...cmd, replyTo });
  } catch (err) {
    if (!isParleyError(err) || err.field !== 'replyTo') throw err;
    await c.core.sender.send(c.auth!.user.id, cmd);
  }
}

/**
 * After login: the direct messages that arrived while the account was away (past
 * its read marker in each conversation), oldest first per conversation, with
 * their time, then the rooms' (missed-rooms.ts). The read markers do not move:
 * reading is the client's to say.
 */
export async function deliverMissed(c: IrcConnection, rooms: readonly MyRoom[]): Promise<void> {
  let total = 0;
  try {
    for (const msg of await missedDirectMessages(c.core, c.auth!.user.id)) {
      const text = c.caps.has('server-time') ? msg.text : `[${minute(msg.createdAt)}] ${msg.text}`;
      for (const line of privmsgLines(c.viewer(), hostmask(msg.sender, c.server), c.nick, {
        ...msg,
        text,
      }))
        c.send(line);
      total++;
    }
  } catch (err) {
    c.log.warn({ err }, 'irc: could not read messages missed while away');
  }
  if (total > 0)
    c.notice(
      `${total} message${total === 1 ? '' : 's'} arrived while you were away (shown above).`,
    );
  await deliverMissedRooms(c, rooms);
}

/** REDACT <target> <msgid> [reason] (draft/message-redaction): deletes a message, by core's rules. */
async function redactCommand(c: IrcConnection, m: IrcMessage): Promise<void> {
  const [target, msgid] = [m.params[0]!, m.params[1]!];
  const fail = (code: string, text: string) =>
    c.send(standardReply('FAIL', 'REDACT', code, [target, msgid], text, c.server));
  try {
    if (target.startsWith('#')) {
      const p = channelToRoom(target);
      if (!p.ok) return fail('INVALID_TARGET', p.message);
      await c.core.roomChat.remove(c.auth!.user.id, p.room, msgid, c.connectionId);
    } else await c.core.messages.remove(c.auth!.user.id, msgid, c.connectionId);
  } catch (err) {
    if (isParleyError(err) && err.condition === 'forbidden')
      return fail('REDACT_FORBIDDEN', err.message);
    if (isParleyError(err) && (err.condition === 'not-found' || err.condition === 'bad-request'))
      return fail('UNKNOWN_MSGID', err.message);
    refuse(c, 'REDACT', err, target);
  }
}

/**
 * TAGMSG: client-only tags with no text. +typing becomes core's typing notice;
 * +draft/react (with +draft/reply naming the message) a reaction, and
 * +draft/unreact the same taken back.
 */
async function tagmsg(c: IrcConnection, m: IrcMessage): Promise<void> {
  const target = m.params[0]!;
  const reacted = m.tags.get(REACT_TAG);
  const unreacted = m.tags.get(UNREACT_TAG);
  if (reacted !== undefined || unreacted !== undefined)
    return react(c, target, m.tags.get(REPLY_TAG), (reacted ?? unreacted)!, reacted !== undefined);
  const typing = m.tags.get('+typing');
  if (typing === undefined) return;
  const state = typing === 'active' ? 'start' : 'stop';
  if (typing === 'paused') return;
  try {
    if (target.startsWith('#')) {
      const p = channelToRoom(target);
      if (p.ok) await c.core.roomChat.typing(c.auth!.user.id, p.room, state);
    } else {
      const user = nickToUsername(target);
      if (user !== undefined) await c.core.receipts.typing(c.auth!.user.id, user, state);
    }
  } catch {
    // Typing is best effort: a refusal (rate, not a member) is not worth an error line.
  }
}

/** A reaction from IRC: core checks the emoji, the message and who may react. */
async function react(
  c: IrcConnection,
  target: string,
  msgid: string | undefined,
  emoji: string,
  on: boolean,
): Promise<void> {
  const fail = (code: string, text: string) =>
    c.send(standardReply('FAIL', 'TAGMSG', code, [target.slice(0, 64)], text, c.server));
  if (!msgid || msgid.length > 64)
    return fail('INVALID_PARAMS', `${REACT_TAG} needs ${REPLY_TAG} naming the message`);
  const userId = c.auth!.user.id;
  try {
    if (target.startsWith('#')) {
      const p = channelToRoom(target);
      if (!p.ok) return fail('INVALID_TARGET', p.message);
      await c.core.roomChat.react(userId, p.room, msgid, emoji, on, c.connectionId);
    } else {
      if (nickToUsername(target) === undefined) return fail('INVALID_TARGET', 'No such nick');
      await c.core.messages.react(userId, msgid, emoji, on, c.connectionId);
    }
  } catch (err) {
    if (isParleyError(err) && err.condition === 'not-found')
      return fail('UNKNOWN_MSGID', err.message);
    if (isParleyError(err) && (err.condition === 'bad-request' || err.condition === 'conflict'))
      return fail('INVALID_PARAMS', err.message);
    if (isParleyError(err) && err.condition === 'forbidden') return fail('FORBIDDEN', err.message);
    refuse(c, 'TAGMSG', err, target);
  }
}

export const MESSAGING: Record<string, Handler> = {
  TAGMSG: { minParams: 1, run: tagmsg },
  REDACT: { minParams: 2, run: redactCommand },
  PRIVMSG: {
    beforeLogin: true,
    minParams: 0,
    async run(c, m) {
      if (!m.params[0]) return c.numeric('ERR_NORECIPIENT', [], 'No recipient given (PRIVMSG)');
      await say(c, m, false);
    },
  },
  NOTICE: {
    beforeLogin: true,
    minParams: 2,
    run: (c, m) => say(c, m, true),
  },
};
