import { isIP } from 'node:net';
import { addressMatcher, normalizeAddress } from '../limits/address.js';

/**
 * Which addresses a link preview may connect to. The rule is an allow-list for
 * IPv6 (global unicast, 2000::/3, only) and a deny-list for IPv4, because a
 * fetch made on a user's behalf must never reach the server's own network: the
 * cloud metadata service, the database, an admin panel on loopback.
 */

// Everything IANA marks as not globally reachable, plus multicast and reserved.
const BLOCKED_V4 = addressMatcher([
  '0.0.0.0/8', // "this network", and 0.0.0.0 which Linux treats as loopback
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, cloud metadata (169.254.169.254)
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24', // 6to4 relay anycast
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, and the broadcast address
]);

const GLOBAL_V6 = addressMatcher(['2000::/3']);
// Inside 2000::/3: documentation, the IETF protocol block (Teredo, ORCHID, ...).
const BLOCKED_V6 = addressMatcher(['2001:db8::/32', '2001::/23', '3fff::/20']);
const SIX_TO_FOUR = addressMatcher(['2002::/16']);

/** Why an address is refused, or undefined when a preview may connect to it. */
export function blockedReason(address: string): string | undefined {
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it stands for.
  const ip = normalizeAddress(address.replace(/^\[|\]$/g, ''));
  const v = isIP(ip);
  if (v === 4) return BLOCKED_V4(ip) ? 'a private, loopback or reserved IPv4 address' : undefined;
  if (v !== 6) return 'not an IP address';
  if (!GLOBAL_V6(ip))
    return 'not a global IPv6 address (loopback, link-local, unique-local, multicast...)';
  if (BLOCKED_V6(ip)) return 'a reserved IPv6 address';
  // 6to4 carries an IPv4 address in its second and third groups: judge that one too.
  if (SIX_TO_FOUR(ip)) {
    const groups = expand(ip);
    if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return 'an unusual 6to4 form';
    const v4 = [groups[1]! >> 8, groups[1]! & 255, groups[2]! >> 8, groups[2]! & 255].join('.');
    if (BLOCKED_V4(v4)) return 'a 6to4 address of a private IPv4 address';
  }
  return undefined;
}

function expand(ip6: string): number[] {
  const [head, tail] = ip6.split('::') as [string, string | undefined];
  const parse = (p: string) => (p ? p.split(':').map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  return [...h, ...new Array<number>(Math.max(0, 8 - h.length - t.length)).fill(0), ...t];
}
