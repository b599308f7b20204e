/**
 * Parley usernames <-> IRC nicks. Pure.
 *
 *   usernameToNick('jane.doe') -> 'jane|doe'     nickToUsername('Jane|Doe') -> 'jane.doe'
 *   usernameToNick('42')       -> '^42'          nickToUsername('^42')      -> '42'
 *   usernameToNick('-x')       -> '^-x'          nickToUsername('jane.doe') -> undefined
 *
 * A username is `[a-z0-9._-]{1,32}` (core/accounts/username.ts). A nick (RFC 2812)
 * starts with a letter or one of `[]\`_^{|}` and goes on with those, digits and '-';
 * it should not contain '.' (modern.ircdocs; InspIRCd and ngIRCd refuse it). The rule:
 *
 *   1. every '.' becomes '|' (not in the username alphabet, valid anywhere in a nick);
 *   2. a username starting with a digit or '-' gets '^' in front (also outside the
 *      username alphabet, valid first). Nothing else changes.
 *
 * It is a bijection between usernames and its image: '|' and a leading '^' cannot come
 * from anything else, so nickToUsername undoes it exactly, and returns undefined for
 * any nick that is not the image of some username (`isAccountNick`). Nicks compare
 * under CASEMAPPING=ascii (only A-Z fold), so 'Jane|Doe' is jane.doe too. The image is
 * everything that, after folding, is `^` + [0-9-] + [a-z0-9|_-]{0,31}, or
 * [a-z_|] + [a-z0-9|_-]{0,31}. Guests (no account) must take a nick outside it: one
 * holding any of `[]\`{}`, or a '^' anywhere but before a leading digit or '-'
 * (`checkGuestNick` decides). Reserved usernames (nickserv, admin, ...)
 * are images too, so no guest can pose as them.
 *
 * NICKLEN is 33, not 32: a 32-character username starting with a digit becomes a
 * 33-character nick, and every username must have a nick. Guests get the same limit.
 */

/** Advertised in RPL_ISUPPORT; the longest nick the rule makes (see above). */

export const NICKLEN = 33;

/** RFC 2812's nickname grammar with our NICKLEN instead of 9. */
const NICK = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,32}$/;
const USERNAME = /^[a-z0-9._-]{1,32}$/;
/** The image of the rule, after casefolding. */
const IMAGE = /^(?:\^[0-9-][a-z0-9|_-]{0,31}|[a-z_|][a-z0-9|_-]{0,31})$/;

/** CASEMAPPING=ascii: A-Z -> a-z, nothing else. */
export function casefold(nick: string): string {
  return nick.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** The nick of a (valid, lowercase) username. Throws on something that is not one: a bug. */
export function usernameToNick(username: string): string {
  if (!USERNAME.test(username)) throw new TypeError(`not a username: ${JSON.stringify(username)}`);
  const body = username.replaceAll('.', '|');
  return /^[0-9-]/.test(username) ? `^${body}` : body;
}

/** The username whose nick this is (any case), or undefined if none could have it. */
export function nickToUsername(nick: string): string | undefined {
  if (typeof nick !== 'string' || nick.length > NICKLEN) return undefined;
  const folded = casefold(nick);
  if (!IMAGE.test(folded)) return undefined;
  return (folded.startsWith('^') ? folded.slice(1) : folded).replaceAll('|', '.');
}

/** True when some username (existing or not) maps to this nick: guests may not take it. */
export const isAccountNick = (nick: string): boolean => nickToUsername(nick) !== undefined;

/** RFC 2812 grammar, at most NICKLEN characters. */
export const isValidNick = (nick: string): boolean => typeof nick === 'string' && NICK.test(nick);

export type GuestNickCheck = { ok: true } | { ok: false; reason: 'invalid' | 'account' };

/**
 * Whether a user without an account may use `nick`: 'invalid' (432
 * ERR_ERRONEUSNICKNAME) or 'account' (the nick belongs to a username: 433 or
 * 432, the session chooses; Ergo says "reserved by a different account").
 */
export function checkGuestNick(nick: string): GuestNickCheck {
  if (!isValidNick(nick)) return { ok: false, reason: 'invalid' };
  if (isAccountNick(nick)) return { ok: false, reason: 'account' };
  return { ok: true };
}
