import { describe, expect, it } from 'vitest';
import { seeded } from '../../../../test/helpers/random.js';
import {
  casefold,
  checkGuestNick,
  isAccountNick,
  isValidNick,
  NICKLEN,
  nickToUsername,
  usernameToNick,
} from './nick.js';

/** RFC 2812 section 2.3.1, length widened to NICKLEN; written out independently. */
const STRICT_RFC2812 = /^[A-Za-z\x5B-\x60\x7B-\x7D][A-Za-z0-9\x5B-\x60\x7B-\x7D-]*$/;
const strictlyValid = (n: string) =>
  STRICT_RFC2812.test(n) && n.length <= NICKLEN && !n.includes('.');

const USERNAME_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789._-';
const NICK_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789[]\\`_^{|}-';

describe('nick mapping', () => {
  it('examples', () => {
    expect(usernameToNick('alice')).toBe('alice');
    expect(usernameToNick('jane.doe')).toBe('jane|doe');
    expect(usernameToNick('.x.')).toBe('|x|');
    expect(usernameToNick('_')).toBe('_');
    expect(usernameToNick('42')).toBe('^42');
    expect(usernameToNick('-x')).toBe('^-x');
    expect(usernameToNick('a-1_b')).toBe('a-1_b');
    expect(nickToUsername('Jane|Doe')).toBe('jane.doe');
    expect(nickToUsername('ALICE')).toBe('alice');
    expect(nickToUsername('^42')).toBe('42');
    expect(usernameToNick('9'.repeat(32))).toHaveLength(33);
  });

  it('refuses non-usernames loudly (a caller bug)', () => {
    for (const bad of ['', 'Alice', 'a b', 'x'.repeat(33), 'é'])
      expect(() => usernameToNick(bad)).toThrow(TypeError);
  });

  it('nicks that are no username image', () => {
    for (const n of [
      'jane.doe', // '.' is never produced
      '^abc', // '^' only before a digit or '-'
      '^', // nothing after
      'a^', // '^' past the start
      '[x]',
      'x`',
      'a{b}',
      '\\o/',
      '1abc', // invalid nick anyway
      '-x',
      '',
      'x'.repeat(33),
      '^' + '1'.repeat(33),
      '\u212a', // Kelvin sign: ascii casemapping does not fold it
    ]) {
      expect(nickToUsername(n), n).toBeUndefined();
      expect(isAccountNick(n)).toBe(false);
    }
    expect(nickToUsername(1 as unknown as string)).toBeUndefined();
  });

  it('every username of up to 2 characters: valid, distinct nicks that map back', () => {
    const names = [...USERNAME_CHARS].flatMap((a) => [a, ...[...USERNAME_CHARS].map((b) => a + b)]);
    expect(names).toHaveLength(39 + 39 * 39);
    const seen = new Set<string>();
    for (const u of names) {
      const n = usernameToNick(u);
      expect(strictlyValid(n), n).toBe(true);
      expect(nickToUsername(n)).toBe(u);
      seen.add(casefold(n));
    }
    expect(seen.size).toBe(names.length);
  });

  it('property: thousands of random usernames round-trip through valid nicks, in any case', () => {
    const r = seeded(2024);
    for (let i = 0; i < 20_000; i++) {
      const u = r.string(USERNAME_CHARS, 1 + r.int(32));
      const n = usernameToNick(u);
      expect(strictlyValid(n), n).toBe(true);
      expect(isValidNick(n)).toBe(true);
      expect(nickToUsername(n)).toBe(u);
      expect(nickToUsername(n.toUpperCase())).toBe(u);
      expect(checkGuestNick(n)).toEqual({ ok: false, reason: 'account' });
    }
  });

  it('property: a random nick maps to at most one username, and only as its image', () => {
    const r = seeded(77);
    let mapped = 0;
    for (let i = 0; i < 50_000; i++) {
      const n = r.string(NICK_CHARS, 1 + r.int(r.int(2) ? 4 : 34));
      const u = nickToUsername(n);
      if (u === undefined) {
        if (isValidNick(n)) expect(checkGuestNick(n)).toEqual({ ok: true });
        continue;
      }
      mapped++;
      // The nick is the image of u up to case: so no other username maps to it.
      expect(casefold(usernameToNick(u))).toBe(casefold(n));
    }
    expect(mapped).toBeGreaterThan(100);
  });

  it('casefold is ASCII only', () => {
    expect(casefold('AbC[]\\^{}|~')).toBe('abc[]\\^{}|~');
    expect(casefold('\u00c9\u212a')).toBe('\u00c9\u212a');
  });

  it('guest nicks: valid, outside the image, at most NICKLEN', () => {
    expect(checkGuestNick('guest^')).toEqual({ ok: true });
    expect(checkGuestNick('[away]bob')).toEqual({ ok: true });
    expect(checkGuestNick('bob`')).toEqual({ ok: true });
    expect(checkGuestNick('Bob')).toEqual({ ok: false, reason: 'account' });
    expect(checkGuestNick('NickServ')).toEqual({ ok: false, reason: 'account' });
    for (const bad of ['', 'a b', 'a.b', '#chan', ':x', '1abc', '-x', 'a!b', 'a@b', 'a,b', 'é'])
      expect(checkGuestNick(bad)).toEqual({ ok: false, reason: 'invalid' });
    expect(checkGuestNick('[' + 'x'.repeat(32))).toEqual({ ok: true });
    expect(checkGuestNick('[' + 'x'.repeat(33))).toEqual({ ok: false, reason: 'invalid' });
  });
});
