import { isParleyError } from '../../../core/errors.js';
import type { Anchor, Conversation, Selector } from '../../../core/history/service.js';
import { HISTORY_MAX } from '../../../core/messages/service.js';
import { TARGETS_MAX } from '../../../core/history/service.js';
import { newId } from '../../../core/ids.js';
import type { IrcMessage } from '../codec/line.js';
import type { IrcConnection } from '../connection.js';
import { channelToRoom, roomToChannel } from '../mapping/channel.js';
import { hostmask, nickOf, privmsgLines } from '../mapping/events.js';
import { nickToUsername } from '../mapping/nick.js';
import { standardReply } from '../mapping/numerics.js';
import type { Handler } from './index.js';

/**
 * IRCv3 draft/chathistory over core's history (by msgid, time or position, the
 * same for direct conversations and rooms): LATEST, BEFORE, AFTER, AROUND,
 * BETWEEN and TARGETS, each answered in a batch, oldest message first.
 * https://ircv3.net/specs/extensions/chathistory
 */
export const CHATHISTORY_CAP = 'draft/chathistory';

function fail(c: IrcConnection, code: string, context: string[], text: string): void {
  c.send(standardReply('FAIL', 'CHATHISTORY', code, context, text, c.server));
}

/** `msgid=...` or `timestamp=...` (or `*` where allowed) as a core anchor. */
function anchorOf(ref: string): Anchor | '*' | undefined {
  if (ref === '*') return '*';
  const i = ref.indexOf('=');
  if (i < 0) return undefined;
  const kind = ref.slice(0, i);
  const value = ref.slice(i + 1);
  if (kind === 'msgid') return value.length > 0 && value.length <= 64 ? { id: value } : undefined;
  if (kind === 'timestamp') {
    const at = Date.parse(value);
    return Number.isFinite(at) && at >= 0 ? { at } : undefined;
  }
  return undefined;
}

async function conversationOf(c: IrcConnection, target: string): Promise<Conversation | undefined> {
  if (target.startsWith('#')) {
    const p = channelToRoom(target);
    if (!p.ok) return undefined;
    const { room } = await c.core.rooms.get(c.auth!.user.id, p.room);
    return { kind: 'room', roomId: room.id };
  }
  const username = nickToUsername(target);
  if (username === undefined) return undefined;
  const p = await c.core.profiles.view(c.auth!.user.id, username);
  return { kind: 'direct', peerId: p.userId };
}

/** Lines in a batch of `type` when the client has `batch`, else as they are. */
export function batch(c: IrcConnection, type: string, params: string[], lines: IrcMessage[]): void {
  const id = newId().slice(-10);
  const useBatch = c.caps.has('batch');
  if (useBatch)
    c.send({
      tags: new Map(),
      source: c.server,
      command: 'BATCH',
      params: [`+${id}`, type, ...params],
    });
  for (const l of lines) {
    if (useBatch) l.tags.set('batch', id);
    c.send(l);
  }
  if (useBatch) c.send({ tags: new Map(), source: c.server, command: 'BATCH', params: [`-${id}`] });
}

async function history(c: IrcConnection, m: IrcMessage): Promise<void> {
  const sub = m.params[0]!.toUpperCase();
  const userId = c.auth!.user.id;
  if (sub === 'TARGETS') {
    const from = anchorOf(m.params[1] ?? '');
    const to = anchorOf(m.params[2] ?? '');
    const limit = Number(m.params[3]);
    if (!from || !to || from === '*' || to === '*' || !('at' in from) || !('at' in to))
      return fail(c, 'INVALID_PARAMS', ['TARGETS'], 'TARGETS takes two timestamps and a limit');
    if (!Number.isSafeInteger(limit) || limit < 1)
      return fail(c, 'INVALID_PARAMS', ['TARGETS'], 'limit must be a positive number');
    const targets = await c.core.history.targets(
      userId,
      from.at,
      to.at,
      Math.min(limit, TARGETS_MAX),
    );
    const lines: IrcMessage[] = [];
    for (const t of targets) {
      let name: string | undefined;
      if (t.conversation.kind === 'room') {
        const room = await c.core.users.roomName(t.conversation.roomId);
        name = room ? roomToChannel(room) : undefined;
      } else {
        const { peerId } = t.conversation;
        const username = (await c.core.users.usernames([peerId])).get(peerId);
        name = username ? nickOf({ id: peerId, username }) : undefined;
      }
      if (name)
        lines.push({
          tags: new Map(),
          source: c.server,
          command: 'CHATHISTORY',
          params: ['TARGETS', name, `timestamp=${new Date(t.lastAt).toISOString()}`],
        });
    }
    return batch(c, 'draft/chathistory-targets', [], lines);
  }
  const target = m.params[1];
  if (!target) return fail(c, 'INVALID_PARAMS', [sub], 'a target is needed');
  const a = anchorOf(m.params[2] ?? '');
  const rawLimit = sub === 'BETWEEN' ? m.params[4] : m.params[3];
  const limit = Math.min(Number(rawLimit), HISTORY_MAX);
  if (!a || !Number.isSafeInteger(limit) || limit < 1)
    return fail(
      c,
      'INVALID_PARAMS',
      [sub, target],
      'a msgid= or timestamp= reference and a limit are needed',
    );
  let selector: Selector;
  switch (sub) {
    case 'LATEST':
      selector = a === '*' ? { kind: 'latest' } : { kind: 'latest', after: a };
      break;
    case 'BEFORE':
    case 'AFTER':
    case 'AROUND':
      if (a === '*') return fail(c, 'INVALID_PARAMS', [sub, target], '* is for LATEST only');
      selector = { kind: sub.toLowerCase() as 'before' | 'after' | 'around', anchor: a };
      break;
    case 'BETWEEN': {
      const b = anchorOf(m.params[3] ?? '');
      if (a === '*' || !b || b === '*')
        return fail(c, 'INVALID_PARAMS', [sub, target], 'BETWEEN takes two references');
      selector = { kind: 'between', from: a, to: b };
      break;
    }
    default:
      return fail(c, 'INVALID_PARAMS', [sub], 'unknown CHATHISTORY subcommand');
  }
  let conversation: Conversation | undefined;
  try {
    conversation = await conversationOf(c, target);
  } catch {
    conversation = undefined;
  }
  if (!conversation)
    return fail(c, 'INVALID_TARGET', [sub, target], 'no such conversation for you');
  try {
    const page = await c.core.history.read(userId, conversation, selector, limit);
    const v = c.viewer();
    const lines: IrcMessage[] = [];
    for (const msg of page.messages) {
      if (msg.deletedAt !== null) continue;
      const to =
        'room' in msg
          ? roomToChannel(msg.room.name)
          : msg.sender.id === userId
            ? nickOf(msg.recipient)
            : c.nick;
      lines.push(...privmsgLines(v, hostmask(msg.sender, c.server), to, msg));
    }
    batch(c, 'chathistory', [target], lines);
  } catch (err) {
    if (isParleyError(err) && (err.condition === 'not-found' || err.condition === 'forbidden'))
      return fail(c, 'INVALID_TARGET', [sub, target], err.message);
    if (isParleyError(err) && err.condition === 'bad-request')
      return fail(c, 'INVALID_PARAMS', [sub, target], err.message);
    fail(c, 'MESSAGE_ERROR', [sub, target], 'history could not be read');
    c.log.warn({ err }, 'chathistory failed');
  }
}

export const HISTORY: Record<string, Handler> = {
  CHATHISTORY: { minParams: 1, run: history },
};
