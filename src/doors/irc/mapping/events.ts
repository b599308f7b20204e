import type { CoreEvent, Message, UserRef } from '../../../core/events.js';
import { ACTION_OVERHEAD, action } from '../codec/ctcp.js';
import { type IrcMessage, MAX_BODY, serialiseLine, splitText, utf8Length } from '../codec/line.js';
import { modeOf, roomToChannel } from './channel.js';
import { usernameToNick } from './nick.js';
import { fileSize } from '../../../sdk/size.js';

/**
 * Core's domain events as IRC lines, for one connection: pure. What the
 * connection must know about itself is passed in (`Viewer`): its own user (its
 * own sends come back from its other devices as PRIVMSG from its own nick to the
 * other person, as bouncers do), the capabilities it negotiated, and the server's
 * name. An event with no IRC form (a contact change, a receipt) yields nothing here:
 * the connection tells those as NOTICEs itself when it wants.
 */
export interface Viewer {
  userId: string;
  nick: string;
  server: string;
  caps: ReadonlySet<string>;
  /** Where this server's files are reached (`files.public_url`): a file is told as a link. */
  links?: string;
}

/** `nick!user@host` for a nick on this server: the user part is the nick, cut to 10. */
export function mask(nick: string, server: string): string {
  return `${nick}!${nick.slice(0, 10)}@${server}`;
}

/** `nick!user@host` for a Parley user; a deleted account shows as `deleted`. */
export function hostmask(user: UserRef, server: string): string {
  if (!user.username) return `deleted!deleted@${server}`;
  return mask(usernameToNick(user.username), server);
}

export const nickOf = (user: UserRef): string =>
  user.username ? usernameToNick(user.username) : 'deleted';

function tags(
  v: Viewer,
  at: number | undefined,
  msgid?: string,
  account?: string,
  replyTo?: string | null,
): Map<string, string> {
  const t = new Map<string, string>();
  if (at !== undefined && v.caps.has('server-time')) t.set('time', new Date(at).toISOString());
  if (msgid && v.caps.has('message-tags')) t.set('msgid', msgid);
  if (account && v.caps.has('account-tag')) t.set('account', account);
  if (replyTo && v.caps.has('message-tags')) t.set(REPLY_TAG, replyTo);
  return t;
}

/** IRCv3 client tags for replies and reactions (https://ircv3.net/specs/client-tags/reply, /react). */
export const REPLY_TAG = '+draft/reply';
export const REACT_TAG = '+draft/react';
/** Not in the react spec (a draft proposal some clients read): a reaction taken back. */
export const UNREACT_TAG = '+draft/unreact';
/** What begins the line that tells an edit to IRC clients (IRC has no ratified edit). */
export const EDITED = '(edited) ';

/**
 * A message's text as PRIVMSG lines: newlines and long text split into lines that
 * fit (the first line carries the msgid).
 */
export function privmsgLines(
  v: Viewer,
  source: string,
  target: string,
  m: Pick<Message, 'id' | 'text' | 'createdAt' | 'attachments'> & {
    sender: UserRef;
    replyTo?: string | null;
  },
  command: 'PRIVMSG' | 'NOTICE' = 'PRIVMSG',
): IrcMessage[] {
  const overhead = utf8Length(`:${source} ${command} ${target} :`);
  // "/me waves" (the web's and XMPP's way, XEP-0245) is IRC's CTCP ACTION.
  const me = m.text.startsWith(ME) && m.text.length > ME.length;
  const files = fileLines(m.attachments, v.links);
  const whole = me ? action(m.text.slice(ME.length)) : m.text;
  // What an IRC client could have sent as one line is relayed as one line (see maxBody).
  const oneLine =
    files.length === 0 &&
    !/[\r\n\0]/.test(whole) &&
    // (without the ':' a one-word text needs: the client may have left it out)
    utf8Length(`${command} ${target} ${whole}\r\n`) <= MAX_BODY;
  const pieces = oneLine
    ? [whole]
    : me
      ? splitText(overhead + ACTION_OVERHEAD, m.text.slice(ME.length)).map(action)
      : splitText(overhead, [m.text, ...files].filter((s) => s !== '').join('\n'));
  if (me && !oneLine) for (const f of files) pieces.push(...splitText(overhead, f));
  const long = oneLine ? { maxBody: MAX_BODY + utf8Length(`:${source} `) } : {};
  return pieces.map((text, i) => ({
    ...long,
    tags: tags(
      v,
      m.createdAt,
      i === 0 ? m.id : undefined,
      m.sender.username || undefined,
      i === 0 ? m.replyTo : undefined,
    ),
    source,
    command,
    params: [target, text],
    trailing: true,
  }));
}

/** A message's files as lines of text: what it is and a link that needs no login. */
export function fileLines(files: Message['attachments'], base = ''): string[] {
  if (!files?.length) return [];
  return files.map(
    (f) => `[file] ${f.name} (${f.type}, ${fileSize(f.size)}) ${base}/f/${f.id}/${f.token}`,
  );
}

/** The notice ids a relayed CTCP query (PRIVMSG) and reply (NOTICE) travel with (messaging.ts). */
export const CTCP_QUERY = 'irc:ctcp';
export const CTCP_REPLY = 'irc:ctcp-reply';

/** How an action (/me) is stored: text that starts with "/me ". */
export const ME = '/me ';

export function toIrc(e: CoreEvent, v: Viewer): IrcMessage[] {
  switch (e.name) {
    case 'message': {
      const m = e.message;
      const mine = m.sender.id === v.userId;
      // Your own message (sent from another device, or echoed): from you, to them.
      const target = mine ? nickOf(m.recipient) : v.nick;
      if (e.change === 'deleted') return redact(v, hostmask(m.sender, v.server), target, m.id);
      if (e.change === 'edited') return editLines(v, hostmask(m.sender, v.server), target, m);
      if (e.change === 'reaction') {
        if (!e.by || !e.reaction) return [];
        // A reaction of yours (from another device) goes to the other person; theirs to you.
        const to = e.by.id === v.userId ? nickOf(mine ? m.recipient : m.sender) : v.nick;
        return reactionLines(v, e.by, to, m.id, e.reaction, undefined);
      }
      if (e.change !== 'new') return [];
      return privmsgLines(v, hostmask(m.sender, v.server), target, m);
    }
    case 'notice': {
      // Never stored: a CTCP query or reply from an IRC client, as it was sent; anything
      // else (an XMPP headline) as NOTICE lines.
      if (e.from.username === '') return [];
      const source = hostmask(e.from, v.server);
      const line = (command: string, text: string): IrcMessage => ({
        tags: new Map(),
        source,
        command,
        params: [v.nick, text],
        trailing: true,
      });
      if (e.id === CTCP_QUERY || e.id === CTCP_REPLY)
        return /[\r\n\0]/.test(e.text)
          ? []
          : [line(e.id === CTCP_REPLY ? 'NOTICE' : 'PRIVMSG', e.text)];
      const overhead = utf8Length(`:${source} NOTICE ${v.nick} :`);
      return splitText(overhead, e.text).map((t) => line('NOTICE', t));
    }
    case 'room.message': {
      const m = e.message;
      const channel = roomToChannel(e.room.name);
      if (e.change === 'deleted')
        return redact(v, hostmask(e.by ?? m.sender, v.server), channel, m.id);
      if (e.change === 'edited') return editLines(v, hostmask(m.sender, v.server), channel, m);
      if (e.change === 'reaction')
        return e.by && e.reaction ? reactionLines(v, e.by, channel, m.id, e.reaction, e.at) : [];
      if (e.change !== 'new') return [];
      return privmsgLines(v, hostmask(m.sender, v.server), channel, m);
    }
    case 'room.member': {
      const channel = roomToChannel(e.room.name);
      const who = hostmask(e.user, v.server);
      const by = e.by ? hostmask(e.by, v.server) : v.server;
      const t = tags(v, e.at);
      switch (e.change) {
        case 'joined':
          // Your own joins are told by the connection (with the topic and names).
          if (e.user.id === v.userId) return [];
          return [
            {
              tags: t,
              source: who,
              command: 'JOIN',
              params: joinParams(v, channel, e.user, e.guest === true),
            },
          ];
        case 'invited':
          if (!v.caps.has('invite-notify')) return [];
          return [{ tags: t, source: by, command: 'INVITE', params: [nickOf(e.user), channel] }];
        case 'left':
          if (e.user.id === v.userId) return [];
          return [
            {
              tags: t,
              source: who,
              command: 'PART',
              params: e.reason ? [channel, e.reason] : [channel],
            },
          ];
        case 'kicked':
        case 'banned':
          if (e.user.id === v.userId) return []; // your log's room.left says it
          return [
            {
              tags: t,
              source: by,
              command: 'KICK',
              params: [
                channel,
                nickOf(e.user),
                // No reason given: the kicker's nick, as IRC servers default it.
                e.reason || (e.change === 'banned' ? 'banned' : e.by ? nickOf(e.by) : 'kicked'),
              ],
              trailing: true,
            },
          ];
        case 'role': {
          const lines: IrcMessage[] = [];
          const from = e.from ? modeOf(e.from) : undefined;
          const to = e.role ? modeOf(e.role) : undefined;
          if (from && from !== to)
            lines.push({
              tags: t,
              source: by,
              command: 'MODE',
              params: [channel, `-${from}`, nickOf(e.user)],
            });
          if (to && from !== to)
            lines.push({
              tags: t,
              source: by,
              command: 'MODE',
              params: [channel, `+${to}`, nickOf(e.user)],
            });
          return lines;
        }
        case 'muted':
        case 'unmuted':
          // A muted member is on the quiet list (+q is the owner here, so the ban-like
          // mode is +b with an extban would be non-standard: docs/irc.md says NOTICE).
          return [
            {
              tags: t,
              source: v.server,
              command: 'NOTICE',
              params: [
                channel,
                `${nickOf(e.user)} was ${e.change} by ${e.by ? nickOf(e.by) : 'the server'}`,
              ],
              trailing: true,
            },
          ];
        default:
          return [];
      }
    }
    case 'room.updated': {
      const lines: IrcMessage[] = [];
      const channel = roomToChannel(e.room.name);
      const by = e.by ? hostmask(e.by, v.server) : v.server;
      const t = tags(v, e.at);
      if (e.changes.topic !== undefined)
        lines.push({
          tags: t,
          source: by,
          command: 'TOPIC',
          params: [channel, e.changes.topic],
          trailing: true,
        });
      if (e.changes.topicLocked !== undefined)
        lines.push({
          tags: t,
          source: by,
          command: 'MODE',
          params: [channel, e.changes.topicLocked ? '+t' : '-t'],
        });
      if (e.changes.visibility !== undefined)
        lines.push({
          tags: t,
          source: by,
          command: 'MODE',
          params: [channel, e.changes.visibility === 'private' ? '+i' : '-i'],
        });
      return lines;
    }
    case 'room.left': {
      const channel = roomToChannel(e.room.name);
      const me = mask(v.nick, v.server);
      if (e.change === 'left')
        return [{ tags: new Map(), source: me, command: 'PART', params: [channel] }];
      return [
        {
          tags: new Map(),
          source: e.by ? hostmask(e.by, v.server) : v.server,
          command: 'KICK',
          params: [
            channel,
            v.nick,
            e.reason || (e.change === 'kicked' && e.by ? nickOf(e.by) : e.change),
          ],
          trailing: true,
        },
      ];
    }
    case 'presence': {
      // Only people whose presence you may see are told (core's consent rules).
      if (!v.caps.has('away-notify') || !e.username) return [];
      const source = hostmask({ id: e.userId, username: e.username }, v.server);
      const away = e.show === 'available' ? undefined : e.status || awayText(e.show);
      return [
        { tags: new Map(), source, command: 'AWAY', params: away ? [away] : [], trailing: !!away },
      ];
    }
    case 'typing':
    case 'room.typing': {
      if (!v.caps.has('message-tags')) return [];
      const user = e.name === 'typing' ? { id: e.userId, username: e.username } : e.user;
      if (user.id === v.userId) return [];
      const target = e.name === 'typing' ? v.nick : roomToChannel(e.room.name);
      return [
        {
          tags: new Map([['+typing', e.state === 'start' ? 'active' : 'done']]),
          source: hostmask(user, v.server),
          command: 'TAGMSG',
          params: [target],
        },
      ];
    }
    case 'room.profile':
      // Your own name comes as profile.updated (once, not once per room).
      if (!v.caps.has('setname') || e.user.id === v.userId) return [];
      return [setname(hostmask(e.user, v.server), e.displayName || e.user.username)];
    case 'profile.updated':
      if (!v.caps.has('setname')) return [];
      return [setname(mask(v.nick, v.server), e.profile.displayName || e.profile.username)];
    case 'room.invited':
      return [
        {
          tags: new Map(),
          source: e.by ? hostmask(e.by, v.server) : v.server,
          command: 'INVITE',
          params: [v.nick, roomToChannel(e.room.name)],
        },
      ];
    default:
      return [];
  }
}

/** SETNAME (IRCv3 setname): someone's real name, which is their Parley display name. */
export function setname(source: string, realname: string): IrcMessage {
  return { tags: new Map(), source, command: 'SETNAME', params: [realname], trailing: true };
}

/** What AWAY says for a presence without a status text. */
export function awayText(show: string): string {
  switch (show) {
    case 'dnd':
      return 'Busy';
    case 'xa':
      return 'Away for a while';
    case 'offline':
      return 'Offline';
    default:
      return 'Away';
  }
}

/**
 * An edit, as IRC has no ratified way to change a message (draft/message-edit is a
 * proposal few clients read): a new line from the sender with the text as it is now,
 * marked "(edited) ", replying (+draft/reply) to the message it changes. It has no
 * msgid of its own: the message keeps its id, which history and reactions name.
 */
function editLines(v: Viewer, source: string, target: string, m: Message): IrcMessage[] {
  if (m.deletedAt !== null) return [];
  const me = m.text.startsWith(ME) && m.text.length > ME.length;
  const text = me ? `${ME}${EDITED}${m.text.slice(ME.length)}` : `${EDITED}${m.text}`;
  return privmsgLines(v, source, target, {
    id: '',
    text,
    createdAt: m.editedAt ?? m.createdAt,
    sender: m.sender,
    replyTo: m.id,
  });
}

/** A reaction added or taken back, as TAGMSG for clients that read client tags. */
function reactionLines(
  v: Viewer,
  by: UserRef,
  target: string,
  msgid: string,
  r: { emoji: string; on: boolean },
  at: number | undefined,
): IrcMessage[] {
  if (!v.caps.has('message-tags')) return [];
  const t = tags(v, at, undefined, by.username || undefined, msgid);
  t.set(r.on ? REACT_TAG : UNREACT_TAG, r.emoji);
  return [{ tags: t, source: hostmask(by, v.server), command: 'TAGMSG', params: [target] }];
}

/** A deletion, for clients with draft/message-redaction (others keep what they showed). */
function redact(v: Viewer, source: string, target: string, msgid: string): IrcMessage[] {
  if (!v.caps.has('draft/message-redaction')) return [];
  return [{ tags: new Map(), source, command: 'REDACT', params: [target, msgid] }];
}

/**
 * JOIN's parameters: with extended-join, the account (`*` for a guest: none) and the
 * real name, which is the Parley display name (the username when there is none).
 */
export function joinParams(
  v: Viewer,
  channel: string,
  user: UserRef & { displayName?: string },
  guest = false,
): string[] {
  if (!v.caps.has('extended-join')) return [channel];
  return [channel, guest ? '*' : user.username || '*', user.displayName || user.username];
}

/** The capabilities a room message's lines depend on, as a cache key. */
const LINE_CAPS = ['server-time', 'message-tags', 'account-tag'] as const;
const LINES = Symbol('irc lines');

/**
 * A room message as finished IRC lines (with CRLF, UTF-8), the same for every
 * member whose capabilities give the same tags: built and encoded once per
 * event and capability set, and kept on the event under this door's own
 * symbol, so a message to a room of 500 is mapped, serialised and encoded a
 * handful of times, not 500.
 */
export function roomMessageBytes(
  e: Extract<CoreEvent, { name: 'room.message' }>,
  v: Viewer,
): Buffer {
  let key = 0;
  for (let i = 0; i < LINE_CAPS.length; i++) if (v.caps.has(LINE_CAPS[i]!)) key |= 1 << i;
  const held = e as typeof e & { [LINES]?: (Buffer | undefined)[] };
  let cache = held[LINES];
  if (!cache) held[LINES] = cache = [];
  let bytes = cache[key];
  if (bytes === undefined) {
    let text = '';
    for (const m of toIrc(e, v)) {
      const r = serialiseLine(m);
      if (r.ok) text += `${r.line}\r\n`;
    }
    cache[key] = bytes = Buffer.from(text, 'utf8');
  }
  return bytes;
}
