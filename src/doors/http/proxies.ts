import type { Config } from '../../config/schema.js';
import { addressMatcher, rangeBits } from '../../core/limits/address.js';

/** What the deprecated `server.trust_proxy = true` now means: a proxy on this machine. */
export const LEGACY_TRUSTED = ['127.0.0.0/8', '::1'] as const;

/** The proxies whose X-Forwarded-For is believed (empty: nobody's). */
export function trustedProxies(server: Config['server']): string[] {
  if (server.trusted_proxies.length) return server.trusted_proxies;
  return server.trust_proxy ? [...LEGACY_TRUSTED] : [];
}

/**
 * Fastify's `trustProxy`: the client address is found by walking
 * X-Forwarded-For from the right (starting at the TCP peer) only while the hop
 * is a trusted proxy; the first address that is not one is the client. Entries
 * left of it were written by the client and are never believed.
 */
export function trustProxyOption(list: readonly string[]): false | ((addr: string) => boolean) {
  if (!list.length) return false;
  const trusted = addressMatcher(list);
  return (addr) => trusted(addr);
}

/** Settings that let more than a few machines pick their client address, in plain words. */
export function proxyWarnings(server: Config['server']): string[] {
  const out: string[] = [];
  if (server.trust_proxy)
    out.push(
      server.trusted_proxies.length
        ? 'server.trust_proxy is deprecated and ignored because server.trusted_proxies is set; remove it'
        : `server.trust_proxy is deprecated; it now trusts proxies on this machine only (${LEGACY_TRUSTED.join(', ')}): list your proxies in server.trusted_proxies instead`,
    );
  for (const r of server.trusted_proxies) {
    const bits = rangeBits(r);
    const v6 = r.includes(':');
    // Wider than a /8 (IPv4) or a /32 (IPv6) is more than any proxy fleet needs.
    if (bits !== undefined && bits > (v6 ? 96 : 24))
      out.push(
        `server.trusted_proxies entry "${r}" is very broad: every client in it can set its own address with X-Forwarded-For; list only your proxies`,
      );
  }
  return out;
}
