import { ParleyError } from '../errors.js';
import { addressKey } from '../limits/address.js';

/**
 * Failed-login throttling, in memory on each node.
 *
 * Three keys, so that guessing is slow but a victim cannot be locked out:
 * - account+address: after `freeFailures`, each failure doubles a wait, up to
 *   `maxDelayPerAddress` (an attacker hammering from one place waits long);
 * - account, all addresses: over `accountPerMinute` failures the account is
 *   throttled, but only up to `maxDelayPerAccount` and never for an address
 *   that has logged in to it successfully before (the owner's usual places);
 * - address, all accounts: over `addressPerMinute` failures (password spraying).
 * A success clears the account+address key and remembers the address as known.
 * Addresses are counted by `addressKey` (an IPv6 client by its /64).
 */
export interface ThrottleOptions {
  freeFailures: number;
  maxDelayPerAddress: number;
  accountPerMinute: number;
  maxDelayPerAccount: number;
  addressPerMinute: number;
  maxKeys?: number;
}

interface Backoff {
  failures: number;
  until: number;
}

interface Window {
  start: number;
  count: number;
  until: number;
}

/** A Map that forgets its oldest entries past a size, so an attacker cannot grow memory. */
class Bounded<V> extends Map<string, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(k: string, v: V): this {
    if (this.has(k)) this.delete(k);
    super.set(k, v);
    if (this.size > this.max) this.delete(this.keys().next().value as string);
    return this;
  }
}

export interface LoginThrottle {
  /** Throws `rate-limited` with retryAfter when this attempt must wait. */
  check(account: string, address: string, now?: number): void;
  failed(account: string, address: string, now?: number): void;
  succeeded(account: string, address: string): void;
}

export function createLoginThrottle(o: ThrottleOptions): LoginThrottle {
  const max = o.maxKeys ?? 100_000;
  const pair = new Bounded<Backoff>(max);
  const account = new Bounded<Window>(max);
  const address = new Bounded<Window>(max);
  const known = new Bounded<true>(max);

  const limited = (until: number, now: number) => {
    throw new ParleyError('rate-limited', 'too many failed logins; wait before trying again', {
      retryAfter: Math.max(1, Math.ceil((until - now) / 1000)),
    });
  };

  function bump(
    map: Bounded<Window>,
    key: string,
    perMinute: number,
    maxDelayMs: number,
    now: number,
  ): void {
    let w = map.get(key);
    if (!w || now - w.start > 60_000) w = { start: now, count: 0, until: 0 };
    w.count++;
    if (w.count > perMinute) w.until = Math.min(now + 60_000 - (now - w.start), now + maxDelayMs);
    map.set(key, w);
  }

  return {
    check(acct, fullAddr, now = Date.now()) {
      const addr = addressKey(fullAddr);
      const p = pair.get(`${acct}\n${addr}`);
      if (p && p.until > now) limited(p.until, now);
      const a = address.get(addr);
      if (a && a.until > now) limited(a.until, now);
      if (!known.has(`${acct}\n${addr}`)) {
        const w = account.get(acct);
        if (w && w.until > now) limited(w.until, now);
      }
    },
    failed(acct, fullAddr, now = Date.now()) {
      const addr = addressKey(fullAddr);
      const key = `${acct}\n${addr}`;
      const p = pair.get(key) ?? { failures: 0, until: 0 };
      p.failures++;
      if (p.failures >= o.freeFailures) {
        const exp = Math.min(p.failures - o.freeFailures, 30);
        p.until = now + Math.min(1000 * 2 ** exp, o.maxDelayPerAddress * 1000);
      }
      pair.set(key, p);
      bump(account, acct, o.accountPerMinute, o.maxDelayPerAccount * 1000, now);
      bump(address, addr, o.addressPerMinute, 60_000, now);
    },
    succeeded(acct, fullAddr) {
      const addr = addressKey(fullAddr);
      const key = `${acct}\n${addr}`;
      pair.delete(key);
      known.set(key, true);
    },
  };
}
