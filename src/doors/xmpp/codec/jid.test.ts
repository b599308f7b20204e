import { describe, expect, it } from 'vitest';
import { JidError, jidOf, makeJid, parseJid, tryParseJid, usernameOf } from './jid.js';

describe('parseJid', () => {
  it('splits local, domain and resource, resource first (RFC 7622 3.2)', () => {
    const j = parseJid('Alice@Example.COM./Gajim/a@b');
    expect([j.local, j.domain, j.resource]).toEqual(['alice', 'example.com', 'Gajim/a@b']);
    expect(j.toString()).toBe('alice@example.com/Gajim/a@b');
    expect(j.isBare).toBe(false);
    expect(j.bare().toString()).toBe('alice@example.com');
    expect(parseJid('example.com').toString()).toBe('example.com');
    expect(parseJid('example.com/r').local).toBeUndefined();
    expect(parseJid('[::1]').domain).toBe('[::1]');
  });

  it('case-folds the local part and the domain, keeps the resource', () => {
    expect(parseJid('ÉLODIE@PARLEY.example/Phone').toString()).toBe('élodie@parley.example/Phone');
    // NFC: e + combining acute is the same JID as é.
    expect(parseJid('e\u0301@x').equals(parseJid('é@x'))).toBe(true);
  });

  it('compares full and bare', () => {
    const a = parseJid('a@x/1');
    expect(a.equals(parseJid('A@X/1'))).toBe(true);
    expect(a.equals(parseJid('a@x/2'))).toBe(false);
    expect(a.bareEquals(parseJid('a@x/2'))).toBe(true);
    expect(a.bareEquals(parseJid('b@x/1'))).toBe(false);
  });

  it('refuses malformed JIDs', () => {
    const bad = [
      '',
      '@x',
      'a@',
      'x/',
      'a@x/',
      'a@@x',
      'a b@x',
      'a"b@x',
      "a'b@x",
      'a<b@x',
      'a:b@x',
      'a\u0000@x',
      'a@x y',
      'a@x..y',
      'a@.x',
      'a@x\u0007',
      'a@x/res\u0001',
      'a@x/res\u007f',
      'a@[zz]',
      'a@x]',
      `${'a'.repeat(1024)}@x`,
      `a@${'b'.repeat(64)}`,
      `a@x/${'r'.repeat(1024)}`,
      `a@x/${'é'.repeat(512)}`, // 1024 bytes
      'a\uD800@x',
      'x'.repeat(100_000),
    ];
    for (const s of bad) {
      expect(() => parseJid(s), JSON.stringify(s.slice(0, 40))).toThrow(JidError);
      expect(tryParseJid(s)).toBeUndefined();
    }
  });

  it('accepts parts of exactly 1023 bytes', () => {
    const label = 'd'.repeat(63);
    const domain = `${label}.${label}`;
    const j = parseJid(`${'a'.repeat(1023)}@${domain}/${'r'.repeat(1023)}`);
    expect(j.local).toHaveLength(1023);
    expect(j.resource).toHaveLength(1023);
  });

  it('never throws anything but JidError on random input', () => {
    let seed = 7;
    const chars = 'aZ@/.[]:é😀 \u0000\uD800-_';
    for (let i = 0; i < 2000; i++) {
      let s = '';
      const n = (seed = (seed * 48271) % 2147483647) % 20;
      for (let k = 0; k < n; k++) {
        seed = (seed * 48271) % 2147483647;
        s += chars[seed % chars.length];
      }
      try {
        parseJid(s);
      } catch (e) {
        expect(e).toBeInstanceOf(JidError);
      }
    }
  });
});

describe('usernames', () => {
  it('maps a local part on our domain to a Parley username', () => {
    expect(usernameOf(parseJid('Alice@localhost/x'), 'localhost')).toBe('alice');
    expect(usernameOf(parseJid('a.b-c_d@LOCALHOST'), 'localhost')).toBe('a.b-c_d');
    expect(usernameOf(parseJid('alice@localhost'), 'LocalHost')).toBe('alice');
    expect(usernameOf(parseJid('alice@other'), 'localhost')).toBeUndefined();
    expect(usernameOf(parseJid('localhost'), 'localhost')).toBeUndefined();
    expect(usernameOf(parseJid('élodie@localhost'), 'localhost')).toBeUndefined();
    expect(usernameOf(parseJid(`${'a'.repeat(33)}@localhost`), 'localhost')).toBeUndefined();
    expect(usernameOf(parseJid('a\\20b@localhost'), 'localhost')).toBeUndefined(); // XEP-0106
  });

  it('builds JIDs from usernames', () => {
    expect(jidOf('alice', 'localhost', 'web').toString()).toBe('alice@localhost/web');
    expect(makeJid(undefined, 'localhost').toString()).toBe('localhost');
    expect(() => makeJid('a@b', 'localhost')).toThrow(JidError);
  });
});
