import { ParleyError } from '../errors.js';

/** Names that would let someone pose as the server or its services on some door. */
export const RESERVED_USERNAMES: readonly string[] = [
  'admin',
  'administrator',
  'root',
  'system',
  'server',
  'parley',
  'support',
  'help',
  'info',
  'security',
  'abuse',
  'postmaster',
  'hostmaster',
  'webmaster',
  'noreply',
  'no-reply',
  'nickserv',
  'chanserv',
  'operserv',
  'memoserv',
  'hostserv',
  'botserv',
  'helpserv',
  'saslserv',
  'global',
  'services',
  'irc',
  'xmpp',
  'jabber',
  'anonymous',
  'guest',
  'everyone',
  'here',
  'moderator',
  'owner',
  'staff',
  'bot',
  'null',
  'undefined',
  'api',
  'www',
  'mail',
];

const USERNAME = /^[a-z0-9._-]{1,32}$/;

/**
 * Usernames are case-insensitive: the stored form is lowercase, so `Alice`
 * logs in as `alice`. Only [a-z0-9._-] is allowed, which is valid unchanged as
 * an IRC nick body and an XMPP localpart.
 */
export function normalizeUsername(input: string): string {
  const name = input.toLowerCase();
  if (!USERNAME.test(name)) {
    throw new ParleyError(
      'bad-request',
      'username must be 1-32 characters of a-z, 0-9, dot, underscore or hyphen',
      { field: 'username' },
    );
  }
  return name;
}

/**
 * For looking someone up by name: the lowercase name, or undefined when no
 * account can have it (so lookups of hostile input, NUL bytes included, never
 * reach the database and simply find nobody).
 */
export function lookupName(input: string): string | undefined {
  if (input.length > 64) return undefined;
  const name = input.toLowerCase();
  return USERNAME.test(name) ? name : undefined;
}

export function assertNotReserved(name: string, extra: readonly string[]): void {
  if (RESERVED_USERNAMES.includes(name) || extra.includes(name)) {
    throw new ParleyError('conflict', `the username "${name}" is reserved`, { field: 'username' });
  }
}

/** The default of `registration.min_password_length`. */
export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 1024;

/**
 * A password offered to be checked (login, re-check): any string a new password
 * could be, counted the same way (code points), so every settable password can log in.
 */
export function offeredPassword(pw: string, field = 'password'): string {
  if ([...pw].length > MAX_PASSWORD)
    throw new ParleyError(
      'bad-request',
      `${field} must be a string of at most ${MAX_PASSWORD} characters`,
      { field },
    );
  return pw;
}

/** A new password: `min` is the operator's `registration.min_password_length`. */
export function checkPassword(pw: string, field = 'password', min = MIN_PASSWORD): string {
  const chars = [...pw].length;
  if (chars < min)
    throw new ParleyError(
      'bad-request',
      `${field} must be at least ${min} character${min === 1 ? '' : 's'}`,
      { field },
    );
  if (chars > MAX_PASSWORD)
    throw new ParleyError('bad-request', `${field} must be at most ${MAX_PASSWORD} characters`, {
      field,
    });
  return pw;
}
