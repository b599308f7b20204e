import { VERSION } from '../../../version.js';
import type { IrcConnection } from '../connection.js';
import { channelToRoom, prefixOf } from '../mapping/channel.js';
import { refuse } from '../mapping/errors.js';
import { awayText, mask } from '../mapping/events.js';
import { casefold, nickToUsername, usernameToNick } from '../mapping/nick.js';
import type { Handler } from './index.js';
import { membersOf } from './channels.js';
import { parseWhox, type WhoxInfo, type WhoxQuery, whoFlags, whoxParams } from '../mapping/whox.js';
import { best } from '../../../core/presence/service.js';
import { isOper, operators } from './operators.js';

/**
 * A guest's AWAY text, for those who talk to it (301 on PRIVMSG and WHOIS, `-` in
 * USERHOST), as on any IRC server. Guests have no contacts, so core's presence (told
 * to watchers only) never reaches anyone; their AWAY is the connection's own, kept in
 * memory (invariant 11), and found among this node's connections. Only for guests:
 * an account's away stays behind core's consent rule. Undefined when not away.
 */
export function guestAway(c: IrcConnection, nick: string): string | undefined {
  const folded = casefold(nick);
  if (c.guest && casefold(c.nick) === folded) return c.away;
  for (const x of c.deps.connections())
    if (x.guest && x.away !== undefined && !x.gone() && casefold(x.nick) === folded) return x.away;
  return undefined;
}

/** The most users LUSERS has counted, per door (a WeakMap: nothing outlives the door). */
const peaks = new WeakMap<object, number>();

/**
 * LUSERS (and at registration): users are this node's sessions (every door: one
 * account, many doors), all invisible (`+i` always); operators (252) only when asked:
 * counting them is a pass over this node's connections, too dear for every
 * registration. The peak is the most counted at a registration or a LUSERS.
 */
export function lusers(c: IrcConnection, asked = false): void {
  let n = c.core.sessions.count();
  let ops = 0;
  if (asked)
    for (const x of c.deps.connections()) {
      // One that has quit (ERROR sent) is no user, though its socket has not closed yet.
      if (x.gone()) n -= x.session ? 1 : 0;
      else if (isOper(x)) ops++;
    }
  const max = Math.max(n, peaks.get(c.deps) ?? 0);
  peaks.set(c.deps, max);
  c.numeric('RPL_LUSERCLIENT', [], `There are 0 users and ${n} invisible on 1 servers`);
  if (ops > 0) c.numeric('RPL_LUSEROP', [String(ops)]);
  c.numeric('RPL_LUSERME', [], `I have ${n} clients and 0 servers`);
  c.numeric('RPL_LOCALUSERS', [String(n), String(max)], `Current local users ${n}, max ${max}`);
  c.numeric('RPL_GLOBALUSERS', [String(n), String(max)], `Current global users ${n}, max ${max}`);
}

/** Nicks one ISON or USERHOST looks up at most. */
const MAX_LOOKUPS = 20;

async function exists(c: IrcConnection, nick: string): Promise<string | undefined> {
  const u = nickToUsername(nick);
  if (u === undefined) return undefined;
  try {
    await c.core.profiles.view(c.auth!.user.id, u);
    return u;
  } catch {
    return undefined;
  }
}

/** Nicks one connection may MONITOR (the MONITOR token in 005). */
export const MONITOR_MAX = 100;

/**
 * MONITOR (IRCv3): online/offline for the nicks asked, told only as core's
 * consent rules allow: someone whose presence you may not see is always offline.
 */
async function monitor(c: IrcConnection, sub: string, targets: string[]): Promise<void> {
  const list = c.monitored;
  switch (sub) {
    case '+': {
      const added: string[] = [];
      for (const t of targets) {
        if (nickToUsername(t) === undefined) continue;
        if (list.size >= MONITOR_MAX) {
          c.numeric('ERR_MONLISTFULL', [String(MONITOR_MAX), t], 'Monitor list is full.');
          break;
        }
        list.add(nickToUsername(t)!);
        added.push(t);
      }
      await tellMonitored(
        c,
        added.map((t) => nickToUsername(t)!),
      );
      return;
    }
    case '-':
      for (const t of targets) {
        const u = nickToUsername(t);
        if (u !== undefined) list.delete(u);
      }
      return;
    case 'C':
      list.clear();
      return;
    case 'L':
      if (list.size) c.numeric('RPL_MONLIST', [], [...list].map(usernameToNick).join(','));
      c.numeric('RPL_ENDOFMONLIST', [], 'End of MONITOR list');
      return;
    case 'S':
      await tellMonitored(c, [...list]);
      return;
  }
}

async function tellMonitored(c: IrcConnection, usernames: string[]): Promise<void> {
  if (usernames.length === 0) return;
  const visible = new Map(
    (await c.core.presence.snapshot(c.auth!.user.id)).map((p) => [p.username, p.show]),
  );
  const on = usernames.filter((u) => (visible.get(u) ?? 'offline') !== 'offline');
  const off = usernames.filter((u) => !on.includes(u));
  if (on.length)
    c.numeric('RPL_MONONLINE', [], on.map((u) => mask(usernameToNick(u), c.server)).join(','));
  if (off.length) c.numeric('RPL_MONOFFLINE', [], off.map(usernameToNick).join(','));
}

/**
 * What WHO and WHOIS may tell this connection of people: the presence of everyone
 * whose presence it may see (core's consent rule, as for MONITOR), its own (its AWAY,
 * else its account's sessions), and who is an IRC operator on this node.
 */
async function lookingOn(c: IrcConnection) {
  const me = c.auth!.user;
  const shows = new Map<string, { show: string; status: string }>();
  for (const p of await c.core.presence.snapshot(me.id))
    shows.set(p.username, { show: p.show, status: p.status });
  const own = best(await c.core.presence.resources(me.id, me.id));
  shows.set(
    me.username,
    c.away !== undefined
      ? { show: 'away', status: c.away }
      : { show: own?.show ?? 'available', status: own?.status ?? '' },
  );
  return { shows, opers: operators(c) };
}

/**
 * WHO for a #channel (its members, as far as NAMES goes) or a nick: 352, or with
 * WHOX (`%fields[,token]`) 354 with exactly those fields; then 315.
 */
async function who(c: IrcConnection, target: string, whox: WhoxQuery | undefined) {
  const reply = (i: WhoxInfo, hops: string) => {
    if (whox) return c.numeric('RPL_WHOSPCRPL', whoxParams(whox, i), null);
    c.numeric(
      'RPL_WHOREPLY',
      [i.channel || '*', i.user, i.host, i.server, i.nick, i.flags],
      `${hops} ${i.realname}`,
    );
  };
  const info = (
    nick: string,
    username: string,
    channel: string,
    flags: string,
    guest: boolean,
    realname: string,
  ): WhoxInfo => ({
    channel,
    user: nick.slice(0, 10),
    host: c.server,
    server: c.server,
    nick,
    flags,
    idle: 0,
    account: guest ? '0' : username,
    realname,
  });
  try {
    if (target.startsWith('#')) {
      const p = channelToRoom(target);
      if (p.ok) {
        const members = await membersOf(c, p.room);
        const { shows, opers } = await lookingOn(c);
        const names = await c.core.users.displayNames(members.map((x) => x.userId));
        for (const x of members) {
          const nick = usernameToNick(x.username);
          const flags = whoFlags({
            show: shows.get(x.username)?.show,
            oper: opers.has(x.username),
            prefix: prefixOf(x.role),
          });
          const realname = names.get(x.userId) || x.username;
          reply(info(nick, x.username, target, flags, x.guest === true, realname), '0');
        }
      }
    } else {
      const u = nickToUsername(target);
      const profile =
        u === undefined
          ? undefined
          : await c.core.profiles.view(c.auth!.user.id, u).catch(() => undefined);
      if (profile) {
        const guest = (await c.core.users.holder(profile.username)) === 'guest';
        const nick = usernameToNick(profile.username);
        const { shows, opers } = await lookingOn(c);
        const flags = whoFlags({
          show: shows.get(profile.username)?.show,
          oper: opers.has(profile.username),
        });
        reply(
          info(nick, profile.username, '', flags, guest, profile.displayName || profile.username),
          '0',
        );
      }
    }
  } catch (err) {
    refuse(c, 'WHO', err, target);
  }
  c.numeric('RPL_ENDOFWHO', [target.slice(0, 64)], 'End of WHO list');
}

export const QUERIES: Record<string, Handler> = {
  MONITOR: {
    minParams: 1,
    run: (c, m) =>
      monitor(
        c,
        m.params[0]!.toUpperCase(),
        (m.params[1] ?? '').split(',').filter(Boolean).slice(0, MONITOR_MAX),
      ),
  },
  WHO: { minParams: 1, run: (c, m) => who(c, m.params[0]!, parseWhox(m.params[1])) },
  WHOIS: {
    minParams: 1,
    async run(c, m) {
      const nick = m.params[m.params.length - 1]!;
      const u = await exists(c, nick);
      if (!u) {
        c.numeric('ERR_NOSUCHNICK', [nick.slice(0, 64)], 'No such nick/channel');
        c.numeric('RPL_ENDOFWHOIS', [nick.slice(0, 64)], 'End of /WHOIS list');
        return;
      }
      const p = await c.core.profiles.view(c.auth!.user.id, u).catch(() => undefined);
      const shown = usernameToNick(u);
      const { shows, opers } = await lookingOn(c);
      c.numeric('RPL_WHOISUSER', [shown, shown.slice(0, 10), c.server, '*'], p?.displayName || u);
      c.numeric('RPL_WHOISSERVER', [shown, c.server], 'Parley');
      if (opers.has(u)) c.numeric('RPL_WHOISOPERATOR', [shown], 'is an IRC operator');
      const guest = (await c.core.users.holder(u)) === 'guest';
      // Away (or busy, or offline) only for someone whose presence you may see; a
      // guest's AWAY for anyone (guestAway).
      const seen = shows.get(u);
      const away = guest ? guestAway(c, shown) : undefined;
      if (away !== undefined) c.numeric('RPL_AWAY', [shown], away);
      else if (seen && seen.show !== 'available')
        c.numeric('RPL_AWAY', [shown], seen.status || awayText(seen.show));
      // A guest has no account to be logged in as.
      if (!guest) c.numeric('RPL_WHOISACCOUNT', [shown, u], 'is logged in as');
      c.numeric('RPL_ENDOFWHOIS', [shown], 'End of /WHOIS list');
    },
  },
  AWAY: {
    minParams: 0,
    async run(c, m) {
      const text = m.params[0];
      try {
        if (text) {
          await c.core.presence.set(c.session!, 'away', text.slice(0, 200));
          c.away = text;
          c.numeric('RPL_NOWAWAY', [], 'You have been marked as being away');
        } else {
          // Back: the connection shows the account's chosen status again (core/presence).
          await c.core.presence.follow(c.session!);
          c.away = undefined;
          c.numeric('RPL_UNAWAY', [], 'You are no longer marked as being away');
        }
      } catch (err) {
        refuse(c, 'AWAY', err);
      }
    },
  },
  ISON: {
    minParams: 1,
    async run(c, m) {
      const nicks = m.params.join(' ').split(' ').filter(Boolean).slice(0, MAX_LOOKUPS);
      const online: string[] = [];
      for (const n of nicks) {
        const u = nickToUsername(n);
        if (u === undefined) continue;
        const user = await c.core.profiles.view(c.auth!.user.id, u).catch(() => undefined);
        // Core's rule for who may see whom (watchers only, invisible never listed);
        // presence.online would tell anyone, invisible sessions here included.
        if (user && (await c.core.presence.resources(c.auth!.user.id, user.userId)).length > 0)
          online.push(usernameToNick(u));
      }
      c.numeric('RPL_ISON', [], online.join(' '));
    },
  },
  MOTD: {
    minParams: 0,
    run(c) {
      c.numeric('RPL_MOTDSTART', [], `- ${c.server} Message of the day -`);
      for (const line of c.deps.config.irc.motd.split('\n')) c.numeric('RPL_MOTD', [], `- ${line}`);
      c.numeric('RPL_ENDOFMOTD', [], 'End of /MOTD command.');
    },
  },
  LUSERS: { minParams: 0, run: (c) => lusers(c, true) },
  TIME: {
    minParams: 0,
    // RFC 2812 3.4.6: the server's local time, as words (a target server is always this one).
    run: (c) => c.numeric('RPL_TIME', [c.server], new Date().toUTCString()),
  },
  INFO: {
    minParams: 0,
    run(c) {
      c.numeric('RPL_INFO', [], `Parley ${VERSION}`);
      c.numeric('RPL_INFO', [], 'One account through the web, IRC and XMPP.');
      c.numeric('RPL_ENDOFINFO');
    },
  },
  VERSION: {
    minParams: 0,
    run(c) {
      c.numeric('RPL_VERSION', [`parley-${VERSION}`, c.server], 'Parley');
      for (const tokens of c.deps.isupport) c.numeric('RPL_ISUPPORT', tokens);
    },
  },
  USERHOST: {
    minParams: 1,
    run(c, m) {
      const out = m.params
        .slice(0, 5)
        .filter((n) => nickToUsername(n) !== undefined)
        // `-` for away: one's own AWAY, or a guest's (guestAway).
        .map((n) => {
          const own = casefold(n) === casefold(c.nick);
          const away = own ? c.away !== undefined : guestAway(c, n) !== undefined;
          return `${n}=${away ? '-' : '+'}${n.slice(0, 10)}@${c.server}`;
        });
      c.numeric('RPL_USERHOST', [], out.join(' '));
    },
  },
};
