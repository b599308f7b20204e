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
  /** Gives back a token taken for something that then did not happen. */
  refund(key: string): void;
}

/**
 * One token bucket: `burst` tokens, refilled at `perSecond`. Two numbers, so a
 * connection can own one for its life (a keyed limiter with one key costs a Map).
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(burst: number, now = Date.now()) {
    this.tokens = burst;
    this.at = now;
  }

  /** 0 when a token was taken, else the milliseconds until one is free. */
  tryTake(perSecond: number, burst: number, now = Date.now()): number {
    this.tokens = Math.min(burst, this.tokens + ((now - this.at) / 1000) * perSecond);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / perSecond) * 1000);
  }

  refund(burst: number): void {
    this.tokens = Math.min(burst, this.tokens + 1);
  }
}

export function createRateLimiter(o: {
  perSecond: number;
  burst: number;
  maxKeys?: number;
}): RateLimiter {
  const max = o.maxKeys ?? 100_000;
  const buckets = new Map<string, TokenBucket>();

  function tryTake(key: string, now = Date.now()): number {
    let b = buckets.get(key);
    if (b) buckets.delete(key);
    else b = new TokenBucket(o.burst, now);
    buckets.set(key, b);
    if (buckets.size > max) buckets.delete(buckets.keys().next().value as string);
    return b.tryTake(o.perSecond, o.burst, now);
  }

  return {
    tryTake,
    refund(key) {
      buckets.get(key)?.refund(o.burst);
    },
    take(key, now) {
      const wait = tryTake(key, now);
      if (wait > 0)
        throw new ParleyError('rate-limited', 'too many requests; slow down', {
          retryAfter: Math.max(1, Math.ceil(wait / 1000)),
        });
    },
  };
}
