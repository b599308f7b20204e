import { ParleyError } from '../errors.js';

/**
 * Token buckets keyed by anything (an address, an account). Memory is bounded:
 * past `maxKeys` the least recently used key is forgotten, which at worst
 * gives that key a fresh bucket.
 */
export interface RateLimiter {
  /** Takes one token or throws `rate-limited` with the seconds until one is free. */
  take(key: string, now?: number): void;
  /** Like take, but answers instead of throwing. */
  tryTake(key: string, now?: number): number; // 0 when taken, else ms to wait
}

export function createRateLimiter(o: {
  perSecond: number;
  burst: number;
  maxKeys?: number;
}): RateLimiter {
  const max = o.maxKeys ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  function tryTake(key: string, now = Date.now()): number {
    let b = buckets.get(key);
    if (b) buckets.delete(key);
    else b = { tokens: o.burst, at: now };
    b.tokens = Math.min(o.burst, b.tokens + ((now - b.at) / 1000) * o.perSecond);
    b.at = now;
    buckets.set(key, b);
    if (buckets.size > max) buckets.delete(buckets.keys().next().value as string);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / o.perSecond) * 1000);
  }

  return {
    tryTake,
    take(key, now) {
      const wait = tryTake(key, now);
      if (wait > 0)
        throw new ParleyError('rate-limited', 'too many requests; slow down', {
          retryAfter: Math.max(1, Math.ceil(wait / 1000)),
        });
    },
  };
}
