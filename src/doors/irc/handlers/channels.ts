import { isParleyError } from '../../../core/errors.js';
import type { IrcMessage } from '../codec/line.js';
import type { IrcConnection } from '../connection.js';
import { channelToRoom, prefixOf, roleOfMode, roomToChannel } from '../mapping/channel.js';
import { refuse } from '../mapping/errors.js';
import { hostmask, joinParams, mask } from '../mapping/events.js';
import { nickToUsername, usernameToNick } from '../mapping/nick.js';
import { userMode } from './operators.js';
import type { MyRoom } from '../../../core/rooms/service.js';
import type { Handler } from './index.js';
import { joinMarker } from './markers.js';
import { type ListFilter, matchesList, parseListFilter } from '../mapping/elist.js';

/** Names per 353 line, well under 512 bytes with the longest nicks and prefixes. */
const NAMES_PER_LINE = 12;
/** Members listed by NAMES and WHO at most (a huge room lists its first ones). */
const NAMES_MAX = 1000;

/** The room a channel names, or a 403 and undefined. */
function room(c: IrcConnection, channel: string): string | undefined {
  const p = channelToRoom(channel);
  if (p.ok) return p.room;
  c.numeric('ERR_NOSUCHCHANNEL', [channel.slice(0, 64)], p.message);
  return undefined;
}

/** Core's "no such room" (not a missing user): IRC's 403 ERR_NOSUCHCHANNEL. */
function noSuchRoom(err: unknown): boolean {
  return isParleyError(err) && err.condition === 'not-found' && err.field === 'room';
}

/** 403 for a channel that does not exist, true if `err` said so. */
function noSuchChannel(c: IrcConnection, channel: string, err: unknown): boolean {
  if (!noSuchRoom(err)) return false;
  c.numeric('ERR_NOSUCHCHANNEL', [channel.slice(0, 64)], 'No such channel');
  return true;
}

/** A member list in pages, as far as NAMES_MAX. */
export async function membersOf(c: IrcConnection, name: string) {
  const out: {
    userId: string;
    username: string;
    role: Parameters<typeof prefixOf>[0];
    muted: boolean;
    guest?: true;
  }[] = [];
  let after: string | undefined;
  while (out.length < NAMES_MAX) {
    const page = await c.core.rooms.members(c.auth!.user.id, name, {
      limit: 100,
      ...(after ? { after } : {}),
    });
    out.push(...page.members);
    if (!page.next) break;
    after = page.next;
  }
  return out;
}

export async function names(c: IrcConnection, name: string): Promise<void> {
  const channel = roomToChannel(name);
  const members = await membersOf(c, name);
  const full = c.caps.has('userhost-in-names');
  const list = members.map((m) => {
    const nick = usernameToNick(m.username);
    return prefixOf(m.role) + (full ? mask(nick, c.server) : nick);
  });
  for (let i = 0; i < list.length; i += NAMES_PER_LINE)
    c.numeric('RPL_NAMREPLY', ['=', channel], list.slice(i, i + NAMES_PER_LINE).join(' '));
  c.numeric('RPL_ENDOFNAMES', [channel], 'End of /NAMES list');
}

async function topic(c: IrcConnection, name: string, always: boolean): Promise<void> {
  const channel = roomToChannel(name);
  const { room: r } = await c.core.rooms.get(c.auth!.user.id, name);
  if (r.topic) {
    c.numeric('RPL_TOPIC', [channel], r.topic);
    if (r.topicBy && r.topicAt)
      c.numeric(
        'RPL_TOPICWHOTIME',
        [
          channel,
          hostmask({ id: '', username: r.topicBy }, c.server),
          String(Math.floor(r.topicAt / 1000)),
        ],
        null,
      );
  } else if (always) c.numeric('RPL_NOTOPIC', [channel], 'No topic is set');
}

/** This connection is in `name` now: JOIN, topic and names, as a server sends on join. */
export async function joinBurst(
  c: IrcConnection,
  roomId: string,
  name: string,
  read?: number,
  displayName?: string,
): Promise<void> {
  if (c.channels.has(roomId) || !c.session) return;
  const me = {
    id: c.auth!.user.id,
    username: c.auth!.user.username,
    displayName: displayName ?? '',
  };
  // extended-join's real name is the display name, read as it is now.
  if (c.caps.has('extended-join') && displayName === undefined) {
    me.displayName = (await c.core.users.displayNames([me.id])).get(me.id) ?? '';
    if (c.channels.has(roomId) || !c.session) return;
  }
  c.channels.set(roomId, name);
  const channel = roomToChannel(name);
  c.send({
    tags: new Map(),
    source: c.prefix(),
    command: 'JOIN',
    params: joinParams(c.viewer(), channel, me, c.guest),
  });
  await topic(c, name, false);
  await joinMarker(c, roomId, name, read);
  await names(c, name);
  await c.core.occupancy
    .enter(c.session, roomId)
    .catch((err: unknown) => c.log.debug({ err }, 'occupancy enter failed'));
}

/**
 * After login: the rooms the account is a member of are joined (bouncer-style).
 * Resolves with them (for what was missed in them: missed-rooms.ts).
 */
export async function autojoin(c: IrcConnection): Promise<MyRoom[]> {
  const mine = await c.core.rooms.mine(c.auth!.user.id);
  // extended-join's real name: read once for all the rooms.
  const me = c.auth!.user.id;
  const displayName = c.caps.has('extended-join')
    ? ((await c.core.users.displayNames([me])).get(me) ?? '')
    : undefined;
  for (const r of mine.rooms) await joinBurst(c, r.id, r.name, r.read, displayName);
  return mine.rooms;
}

function joinError(c: IrcConnection, channel: string, err: unknown): void {
  if (isParleyError(err)) {
    if (err.condition === 'forbidden' && /banned/i.test(err.message))
      return c.numeric('ERR_BANNEDFROMCHAN', [channel], err.message);
    if (err.condition === 'forbidden' && /invite/i.test(err.message))
      return c.numeric('ERR_INVITEONLYCHAN', [channel], err.message);
    if (err.condition === 'conflict' && /full/i.test(err.message))
      return c.numeric('ERR_CHANNELISFULL', [channel], err.message);
  }
  refuse(c, 'JOIN', err, channel);
}

async function join(c: IrcConnection, m: IrcMessage): Promise<void> {
  const userId = c.auth!.user.id;
  if (m.params[0] === '0') {
    for (const [, name] of [...c.channels]) await part(c, name, 'Left all channels');
    return;
  }
  for (const channel of m.params[0]!.split(',').slice(0, 20)) {
    const name = room(c, channel);
    if (!name) continue;
    try {
      let joined;
      try {
        joined = await c.core.rooms.join(userId, name, c.connectionId);
      } catch (err) {
        // Creating a channel by joining it makes the room, when the account may.
        if (!isParleyError(err) || err.condition !== 'not-found') throw err;
        const made = await c.core.rooms.create(userId, { name }, c.connectionId);
        joined = { room: made.room };
      }
      await joinBurst(c, joined.room.id, joined.room.name);
    } catch (err) {
      joinError(c, channel, err);
    }
  }
}

async function part(c: IrcConnection, name: string, reason?: string): Promise<void> {
  const channel = roomToChannel(name);
  await c.core.rooms.leave(
    c.auth!.user.id,
    name,
    c.connectionId,
    reason === undefined ? undefined : [...reason].slice(0, 300).join(''),
  );
  for (const [id, n] of c.channels)
    if (n === name) {
      c.channels.delete(id);
      if (c.session) await c.core.occupancy.leave(c.session, id).catch(() => {});
    }
  c.send({
    tags: new Map(),
    source: c.prefix(),
    command: 'PART',
    params: reason ? [channel, reason] : [channel],
  });
}

/** The username a nick names, or a 401 and undefined. */
export function userOf(c: IrcConnection, nick: string): string | undefined {
  const u = nickToUsername(nick);
  if (u === undefined) c.numeric('ERR_NOSUCHNICK', [nick.slice(0, 64)], 'No such nick/channel');
  return u;
}

async function mode(c: IrcConnection, m: IrcMessage): Promise<void> {
  const target = m.params[0]!;
  if (!target.startsWith('#')) return userMode(c, target, m.params[1]);
  const name = room(c, target);
  if (!name) return;
  const userId = c.auth!.user.id;
  const change = m.params[1];
  try {
    if (!change) {
      const { room: r } = await c.core.rooms.get(userId, name);
      const modes = `+n${r.topicLocked ? 't' : ''}${r.visibility === 'private' ? 'i' : ''}`;
      c.numeric('RPL_CHANNELMODEIS', [target, modes], null);
      c.numeric('RPL_CREATIONTIME', [target, String(Math.floor(r.createdAt / 1000))], null);
      return;
    }
    let sign: '+' | '-' = '+';
    let arg = 2;
    for (const ch of change) {
      if (ch === '+' || ch === '-') {
        sign = ch;
        continue;
      }
      if (ch === 't') await c.core.rooms.update(userId, name, { topicLocked: sign === '+' });
      else if (ch === 'i')
        await c.core.rooms.update(userId, name, {
          visibility: sign === '+' ? 'private' : 'public',
        });
      else if (ch === 'b') {
        const nick = m.params[arg++];
        if (!nick) {
          await banList(c, userId, name, target);
          continue;
        }
        const u = userOf(c, nick.split('!')[0]!);
        if (!u) continue;
        if (sign === '+') await c.core.rooms.ban(userId, name, u);
        else await c.core.rooms.unban(userId, name, u);
      } else if (ch === 'q' || ch === 'a' || ch === 'o') {
        const nick = m.params[arg++];
        if (!nick) return c.numeric('ERR_NEEDMOREPARAMS', ['MODE'], 'Not enough parameters');
        const u = userOf(c, nick);
        if (!u) continue;
        await c.core.rooms.setRole(userId, name, u, sign === '+' ? roleOfMode(ch)! : 'member');
      } else if (ch === 'n') continue;
      else c.numeric('ERR_UNKNOWNMODE', [ch], 'is unknown mode char to me');
    }
  } catch (err) {
    if (isParleyError(err) && err.condition === 'forbidden')
      return c.numeric('ERR_CHANOPRIVSNEEDED', [target], err.message);
    if (!noSuchChannel(c, target, err)) refuse(c, 'MODE', err, target);
  }
}

/**
 * The ban list (MODE #chan b). Clients ask for it on every join (irssi's channel
 * sync) and wait for 368: someone who may not see it gets an empty list that says
 * so, never an error the client would print at each join.
 */
async function banList(c: IrcConnection, userId: string, name: string, target: string) {
  try {
    for (const b of await c.core.rooms.bans(userId, name))
      c.numeric('RPL_BANLIST', [target, `${usernameToNick(b.username)}!*@*`], null);
    c.numeric('RPL_ENDOFBANLIST', [target], 'End of channel ban list');
  } catch (err) {
    if (!isParleyError(err) || err.condition !== 'forbidden') throw err;
    c.numeric('RPL_ENDOFBANLIST', [target], 'End of channel ban list (only moderators see it)');
  }
}

/** Directory pages LIST reads at most (a filter matching little must not walk every room). */
const LIST_PAGES = 100;
/** Channels one LIST shows at most. */
const LIST_MAX = 1000;

/**
 * LIST over the room directory (public rooms, and private ones you are in), with
 * the ELIST filters (mapping/elist.ts): masks, negative masks, member counts,
 * creation and topic times.
 */
async function list(c: IrcConnection, filter: ListFilter): Promise<void> {
  c.numeric('RPL_LISTSTART', ['Channel'], 'Users  Name');
  const now = Date.now();
  try {
    let after: string | undefined;
    let shown = 0;
    let pages = 0;
    do {
      const page = await c.core.rooms.directory(c.auth!.user.id, {
        ...(after ? { after } : {}),
        limit: 100,
      });
      for (const r of page.rooms) {
        const channel = roomToChannel(r.name);
        const listed = {
          channel,
          users: r.memberCount,
          createdAt: r.createdAt,
          topicAt: r.topicAt,
        };
        if (!matchesList(filter, listed, now) || shown >= LIST_MAX) continue;
        c.numeric('RPL_LIST', [channel, String(r.memberCount)], r.topic);
        shown++;
      }
      after = page.next;
    } while (after && shown < LIST_MAX && ++pages < LIST_PAGES);
  } catch (err) {
    refuse(c, 'LIST', err);
  }
  c.numeric('RPL_LISTEND', [], 'End of /LIST');
}

export const CHANNELS: Record<string, Handler> = {
  JOIN: { minParams: 1, run: join },
  PART: {
    minParams: 1,
    async run(c, m) {
      for (const channel of m.params[0]!.split(',').slice(0, 20)) {
        const name = room(c, channel);
        if (!name) continue;
        try {
          await part(c, name, m.params[1]);
        } catch (err) {
          if (
            isParleyError(err) &&
            err.condition === 'conflict' &&
            /not a member/.test(err.message)
          )
            c.numeric('ERR_NOTONCHANNEL', [channel], "You're not on that channel");
          else if (!noSuchChannel(c, channel, err)) refuse(c, 'PART', err, channel);
        }
      }
    },
  },
  TOPIC: {
    minParams: 1,
    async run(c, m) {
      const channel = m.params[0]!;
      const name = room(c, channel);
      if (!name) return;
      try {
        if (m.params.length < 2) return await topic(c, name, true);
        await c.core.rooms.update(c.auth!.user.id, name, { topic: m.params[1]! });
      } catch (err) {
        if (isParleyError(err) && err.condition === 'forbidden')
          return c.numeric('ERR_CHANOPRIVSNEEDED', [channel], err.message);
        if (!noSuchChannel(c, channel, err)) refuse(c, 'TOPIC', err, channel);
      }
    },
  },
  NAMES: {
    minParams: 0,
    async run(c, m) {
      const channels = m.params[0] ? m.params[0].split(',').slice(0, 10) : [];
      for (const channel of channels) {
        // "There is no error reply for bad channel names" (RFC 2812 3.2.5): just 366.
        const p = channelToRoom(channel);
        const name = p.ok ? p.room : undefined;
        if (!name) {
          c.numeric('RPL_ENDOFNAMES', [channel.slice(0, 64)], 'End of /NAMES list');
          continue;
        }
        try {
          await names(c, name);
        } catch {
          c.numeric('RPL_ENDOFNAMES', [channel], 'End of /NAMES list');
        }
      }
      if (!channels.length) c.numeric('RPL_ENDOFNAMES', ['*'], 'End of /NAMES list');
    },
  },
  LIST: { minParams: 0, run: (c, m) => list(c, parseListFilter(m.params[0])) },
  KICK: {
    minParams: 2,
    async run(c, m) {
      // One channel and several users, or as many channels as users, paired (RFC 2812 3.2.8).
      const channels = m.params[0]!.split(',').slice(0, 10);
      const nicks = m.params[1]!.split(',').slice(0, 10);
      if (channels.length > 1 && channels.length !== nicks.length)
        return c.numeric('ERR_NEEDMOREPARAMS', ['KICK'], 'Give one channel, or one per user');
      for (const [i, nick] of nicks.entries()) {
        const channel = channels.length > 1 ? channels[i]! : channels[0]!;
        const name = room(c, channel);
        if (!name) continue;
        const u = userOf(c, nick);
        if (!u) continue;
        try {
          await c.core.rooms.kick(c.auth!.user.id, name, u, m.params[2]);
        } catch (err) {
          if (isParleyError(err) && err.condition === 'forbidden')
            c.numeric('ERR_CHANOPRIVSNEEDED', [channel], err.message);
          else if (noSuchChannel(c, channel, err)) continue;
          else if (isParleyError(err) && err.condition === 'not-found')
            c.numeric('ERR_USERNOTINCHANNEL', [nick, channel], "They aren't on that channel");
          else refuse(c, 'KICK', err, channel);
        }
      }
    },
  },
  INVITE: {
    minParams: 2,
    async run(c, m) {
      const [nick, channel] = [m.params[0]!, m.params[1]!];
      const name = room(c, channel);
      const u = name && userOf(c, nick);
      if (!name || !u) return;
      try {
        await c.core.rooms.invite(c.auth!.user.id, name, u);
        c.numeric('RPL_INVITING', [nick, channel], null);
      } catch (err) {
        if (isParleyError(err) && /you are not a member/.test(err.message))
          c.numeric('ERR_NOTONCHANNEL', [channel], "You're not on that channel");
        else if (
          isParleyError(err) &&
          err.condition === 'conflict' &&
          /already in/.test(err.message)
        )
          c.numeric('ERR_USERONCHANNEL', [nick, channel], 'is already on channel');
        else if (isParleyError(err) && err.condition === 'forbidden')
          c.numeric('ERR_CHANOPRIVSNEEDED', [channel], err.message);
        else if (isParleyError(err) && err.condition === 'not-found' && err.field === 'username')
          c.numeric('ERR_NOSUCHNICK', [nick.slice(0, 64)], 'No such nick/channel');
        else if (!noSuchChannel(c, channel, err)) refuse(c, 'INVITE', err, channel);
      }
    },
  },
  MODE: { minParams: 1, run: mode },
};
