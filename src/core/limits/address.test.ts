import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from '../accounts/throttle.js';
import { addressKey, addressMatcher, normalizeAddress, perAddress, rangeBits } from './address.js';
import { createConnectionCounter } from './connections.js';
import { createRateLimiter } from './rate.js';

describe('addressKey', () => {
  it('keeps IPv4 as is and maps IPv4-mapped IPv6 to IPv4', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
  });

  it('keys IPv6 on the /64, however the address is written', () => {
    const k = addressKey('2001:db8:1:2::1');
    expect(k).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd')).toBe(k);
    expect(addressKey('2001:db8:1:2:ffff::%eth0')).toBe(k);
    expect(addressKey('2001:db8:1:3::1')).not.toBe(k);
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('leaves something that is not an address alone', () => {
    expect(addressKey('')).toBe('');
    expect(addressKey('not-an-ip')).toBe('not-an-ip');
  });
});

describe('addressMatcher', () => {
  it('matches single addresses and CIDR ranges of both families', () => {
    const m = addressMatcher(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', '2001:db8::5']);
    expect(m('127.0.0.1')).toBe(true);
    expect(m('::ffff:127.0.0.1')).toBe(true);
    expect(m('127.0.0.2')).toBe(false);
    expect(m('10.255.3.4')).toBe(true);
    expect(m('11.0.0.1')).toBe(false);
    expect(m('fd12:3456::1')).toBe(true);
    expect(m('fe80::1')).toBe(false);
    expect(m('2001:db8::5')).toBe(true);
    expect(m('2001:db8::6')).toBe(false);
    expect(m('garbage')).toBe(false);
    expect(addressMatcher(['0.0.0.0/0'])('198.51.100.1')).toBe(true);
    expect(addressMatcher(['::/0'])('2001:db8::1')).toBe(true);
    expect(addressMatcher([])('127.0.0.1')).toBe(false);
  });

  it('refuses entries that are not addresses or ranges', () => {
    for (const bad of ['10.0.0.0/33', 'fd00::/129', 'localhost', '10.0.0.0/8/1', '1.2.3.4/x', ''])
      expect(() => addressMatcher([bad]), bad).toThrow(/not an IP address or CIDR/);
  });

  it('says how broad a range is', () => {
    expect(rangeBits('0.0.0.0/0')).toBe(32);
    expect(rangeBits('10.0.0.0/8')).toBe(24);
    expect(rangeBits('::1')).toBe(0);
    expect(rangeBits('nope')).toBeUndefined();
  });
});

describe('every per-address count uses addressKey', () => {
  it('rate limits: two addresses of one /64 share a bucket', () => {
    const r = perAddress(createRateLimiter({ perSecond: 0.001, burst: 1 }));
    expect(r.tryTake('2001:db8::1')).toBe(0);
    expect(r.tryTake('2001:db8::2')).toBeGreaterThan(0);
    expect(r.tryTake('2001:db8:0:1::1')).toBe(0);
    expect(r.tryTake('::ffff:192.0.2.1')).toBe(0);
    expect(r.tryTake('192.0.2.1')).toBeGreaterThan(0);
  });

  it('login throttle: a new address in the same /64 is no fresh start', () => {
    const t = createLoginThrottle({
      freeFailures: 1,
      maxDelayPerAddress: 60,
      accountPerMinute: 1000,
      maxDelayPerAccount: 60,
      addressPerMinute: 1000,
    });
    t.failed('alice', '2001:db8::1', 1000);
    expect(() => t.check('alice', '2001:db8::ffff', 1000)).toThrow(/too many failed logins/);
    expect(() => t.check('alice', '2001:db8:0:9::1', 1000)).not.toThrow();
  });

  it('connection counter: a cap per /64, released on close', () => {
    const c = createConnectionCounter(2);
    expect(c.open('2001:db8::1')).toBe(true);
    expect(c.open('2001:db8::2')).toBe(true);
    expect(c.open('2001:db8::3')).toBe(false);
    expect(c.open('198.51.100.1')).toBe(true);
    c.close('2001:db8::1');
    expect(c.open('2001:db8::4')).toBe(true);
    expect(c.count('2001:db8::9')).toBe(2);
  });
});
