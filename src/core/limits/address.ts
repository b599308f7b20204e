import { isIP } from 'node:net';
import type { RateLimiter } from './rate.js';

/**
 * Client addresses as limits see them. One person on IPv6 usually holds a
 * whole /64 (privacy extensions pick a new address at will), so every
 * per-address count keys an IPv6 address on its /64; an IPv4-mapped IPv6
 * address (::ffff:1.2.3.4, what a dual-stack socket reports) is its IPv4.
 */

/** The 8 groups of an IPv6 address as numbers, or undefined when it is not one. */
function ipv6Groups(addr: string): number[] | undefined {
  if (isIP(addr) !== 6) return undefined;
  let s = addr.split('%')[0]!;
  // A trailing dotted IPv4 (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  const zeros = tail === undefined ? 0 : 8 - h.length - t.length;
  return [...h, ...new Array<number>(zeros).fill(0), ...t];
}

function ipv4Number(addr: string): number {
  return addr.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

/** An address as written for comparison: IPv4-mapped IPv6 becomes IPv4; anything unparsable is returned as is. */
export function normalizeAddress(addr: string): string {
  const g = ipv6Groups(addr);
  if (g && g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff)
    return [g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255].join('.');
  return addr;
}

/** The key every per-address limit counts under: IPv4 as is, IPv6 by its /64. */
export function addressKey(addr: string): string {
  const n = normalizeAddress(addr);
  const g = ipv6Groups(n);
  if (!g) return n;
  return `${g
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`;
}

interface Range {
  v: 4 | 6;
  /** IPv4: one 32-bit number; IPv6: 8 groups. */
  base: number | number[];
  bits: number;
}

/** Parses "1.2.3.4", "10.0.0.0/8", "::1", "fd00::/8"; undefined when it is none of these. */
export function parseRange(text: string): Range | undefined {
  const [addr, prefix, extra] = text.trim().split('/');
  if (extra !== undefined || !addr) return undefined;
  const v = isIP(addr);
  if (v === 0) return undefined;
  const max = v === 4 ? 32 : 128;
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return undefined;
  const bits = prefix === undefined ? max : Number(prefix);
  if (bits > max) return undefined;
  return v === 4 ? { v: 4, base: ipv4Number(addr), bits } : { v: 6, base: ipv6Groups(addr)!, bits };
}

function inRange(r: Range, addr: string): boolean {
  const n = normalizeAddress(addr);
  const v = isIP(n);
  if (v === 4 && r.v === 4) {
    if (r.bits === 0) return true;
    const shift = 32 - r.bits;
    return Math.floor(ipv4Number(n) / 2 ** shift) === Math.floor((r.base as number) / 2 ** shift);
  }
  if (v === 6 && r.v === 6) {
    const g = ipv6Groups(n)!;
    const base = r.base as number[];
    for (let i = 0, left = r.bits; left > 0; i++, left -= 16) {
      const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
      if ((g[i]! & mask) !== (base[i]! & mask)) return false;
    }
    return true;
  }
  return false;
}

/** How many addresses a range covers, as a power of two (for "is this too broad"). */
export function rangeBits(text: string): number | undefined {
  const r = parseRange(text);
  return r && (r.v === 4 ? 32 : 128) - r.bits;
}

/** A test "is this address in one of these ranges"; throws on an entry that is not an address or CIDR. */
export function addressMatcher(list: readonly string[]): (addr: string) => boolean {
  const ranges = list.map((text) => {
    const r = parseRange(text);
    if (!r) throw new Error(`not an IP address or CIDR range: ${JSON.stringify(text)}`);
    return r;
  });
  return (addr) => ranges.some((r) => inRange(r, addr));
}

/** A rate limiter whose keys are client addresses, counted by `addressKey`. */
export function perAddress(limiter: RateLimiter): RateLimiter {
  return {
    take: (k, now) => limiter.take(addressKey(k), now),
    tryTake: (k, now) => limiter.tryTake(addressKey(k), now),
    refund: (k) => limiter.refund(addressKey(k)),
  };
}
