import { endDoorSessions } from '../../../core/accounts/revocation.js';
import { isParleyError } from '../../../core/errors.js';
import type { IrcConnection } from '../connection.js';
import { casefold, nickToUsername, usernameToNick } from '../mapping/nick.js';
import type { Handler } from './index.js';
import { login } from './registration.js';

/**
 * IRC operators: `[irc] operators` names Parley accounts. `OPER <username> <password>`
 * checks that listed account's own password (through core, with its login throttle),
 * so no password is kept in the config. As with an IRC server's oper blocks, the
 * credentials are independent of the nick: any connection that is in (a guest, or
 * logged in as another account) may give them; the connection keeps its own nick
 * and account, and becomes an operator. An
 * operator may KILL (end all of a person's IRC connections, on every node; their
 * web and XMPP sessions and their login stay) and see STATS l and m. Operator
 * status is the connection's user mode +o: it lasts as long as the connection, or
 * until `MODE <nick> -o`.
 */
const opers = new WeakSet<IrcConnection>();

export const isOper = (c: IrcConnection): boolean => opers.has(c);

/**
 * The usernames with an operator connection on this node (WHO's `*`, WHOIS 313):
 * one pass over this door's connections, made once per WHO or WHOIS.
 */
export function operators(c: IrcConnection): Set<string> {
  const out = new Set<string>();
  for (const x of c.deps.connections()) if (x.auth && opers.has(x)) out.add(x.auth.user.username);
  return out;
}

/** The user modes this door knows (004): `i` (always on), `o` (operator). */
export const USER_MODES = 'io';

/**
 * MODE on a nick: only your own. Without a change, 221 with your modes; `-o`
 * gives up operator status (told as a MODE line); `+o` is ignored (OPER gives
 * it, as RFC 2812 3.1.5 says), `+i`/`-i` too (everyone is invisible: Parley
 * never lists people by host); any other letter is 501.
 */
export function userMode(c: IrcConnection, target: string, change: string | undefined): void {
  if (casefold(target) !== casefold(c.nick))
    return c.numeric('ERR_USERSDONTMATCH', [], "Can't change mode for other users");
  if (!change) return c.numeric('RPL_UMODEIS', [isOper(c) ? '+io' : '+i'], null);
  let sign = '+';
  let unknown = false;
  for (const ch of change) {
    if (ch === '+' || ch === '-') sign = ch;
    else if (ch === 'o' && sign === '-' && opers.delete(c)) {
      c.log.info({ oper: c.auth?.user.username }, 'irc operator status given up');
      c.send({ tags: new Map(), source: c.prefix(), command: 'MODE', params: [c.nick, '-o'] });
    } else if (ch !== 'o' && ch !== 'i') unknown = true;
  }
  if (unknown) c.numeric('ERR_UMODEUNKNOWNFLAG', [], 'Unknown MODE flag');
}

async function oper(c: IrcConnection, name: string, password: string): Promise<void> {
  const username = name.toLowerCase();
  const listed = c.deps.config.irc.operators.includes(username);
  // Only a listed account: anything else is "no O-line for you" (before any password check).
  if (!listed) return c.numeric('ERR_NOOPERHOST', [], 'No O-lines for your host');
  try {
    await login(c, username, password);
  } catch (err) {
    c.numeric(
      'ERR_PASSWDMISMATCH',
      [],
      isParleyError(err) && err.condition === 'rate-limited' ? err.message : 'Password incorrect',
    );
    return;
  }
  opers.add(c);
  c.log.info({ oper: username, as: c.auth?.user.username }, 'irc operator');
  c.numeric('RPL_YOUREOPER', [], 'You are now an IRC operator');
  c.send({ tags: new Map(), source: c.prefix(), command: 'MODE', params: [c.nick, '+o'] });
}

async function kill(c: IrcConnection, nick: string, reason: string): Promise<void> {
  if (!isOper(c))
    return c.numeric(
      'ERR_NOPRIVILEGES',
      [],
      'Permission Denied- You do not have the correct IRC operator privileges',
    );
  const username = nickToUsername(nick);
  const user =
    username === undefined
      ? undefined
      : await c.core.profiles.view(c.auth!.user.id, username).catch(() => undefined);
  if (!user) return c.numeric('ERR_NOSUCHNICK', [nick.slice(0, 64)], 'No such nick/channel');
  const text = `Killed (${c.nick} (${reason.slice(0, 200)}))`;
  c.log.info({ oper: c.auth!.user.username, target: user.username, reason }, 'irc kill');
  endDoorSessions(c.core.router, user.userId, 'irc', text);
  c.notice(`KILL: ${usernameToNick(user.username)}'s IRC connections are being closed: ${text}`);
}

function stats(c: IrcConnection, query: string): void {
  const q = query.charAt(0);
  const end = () => c.numeric('RPL_ENDOFSTATS', [q || '*'], 'End of /STATS report');
  if (q === 'u') {
    const s = Math.floor((Date.now() - c.deps.startedAt) / 1000);
    const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60]
      .map((n, i) => (i === 0 ? String(n) : String(n).padStart(2, '0')))
      .join(':');
    c.numeric('RPL_STATSUPTIME', [], `Server Up ${Math.floor(s / 86400)} days ${hms}`);
    return end();
  }
  if (q === 'l' || q === 'm') {
    if (!isOper(c)) {
      c.numeric(
        'ERR_NOPRIVILEGES',
        [],
        'Permission Denied- You do not have the correct IRC operator privileges',
      );
      return end();
    }
    if (q === 'm')
      for (const [command, count] of [...c.deps.commandCounts].sort((a, b) => b[1] - a[1]))
        c.numeric('RPL_STATSCOMMANDS', [command, String(count), '0', '0'], null);
    else {
      // This node's IRC connections: name, address, seconds open (queues and byte counts are not kept).
      let shown = 0;
      for (const x of c.deps.connections()) {
        if (shown++ >= STATS_L_MAX) break;
        const open = String(Math.floor((Date.now() - x.openedAt) / 1000));
        c.numeric(
          'RPL_STATSLINKINFO',
          [`${x.nick}[${x.address}]`, '-', '-', '-', '-', '-', open],
          null,
        );
      }
    }
    return end();
  }
  end();
}

/** Connections one STATS l lists at most. */
const STATS_L_MAX = 500;

export const OPERATORS: Record<string, Handler> = {
  OPER: { minParams: 2, run: (c, m) => oper(c, m.params[0]!, m.params[1]!) },
  KILL: { minParams: 2, run: (c, m) => kill(c, m.params[0]!, m.params[1]!) },
  STATS: { minParams: 1, run: (c, m) => stats(c, m.params[0]!) },
};
