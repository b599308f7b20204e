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
 *
 * The password check takes a while (argon2), so an attempt counts as a failure
 * from the moment it is let through (`begin`) and is refunded if the password
 * was right: attempts running side by side see each other, and a burst of
 * parallel guesses gets no more checks than the same guesses one after another.
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

/** One password check let through by `begin`, counted as a failure until settled. */
export interface LoginAttempt {
  /** The password was wrong: the failure stands (its wait counts from now). */
  failed(now?: number): void;
  /** The password was right (or it could not be checked): the failure is taken back. */
  refund(): void;
}

export interface LoginThrottle {
  /** Throws `rate-limited` when the attempt must wait; else counts it as a failure in flight. */
  begin(account: string, address: string, now?: number): LoginAttempt;
  /** Throws `rate-limited` with retryAfter when an attempt must wait (counts nothing). */
  check(account: string, address: string, now?: number): void;
  /** Records one finished failure. */
  failed(account: string, address: string, now?: number): void;
  /** A login succeeded: clears the account+address backoff and remembers the address. */
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
  ): Window {
    let w = map.get(key);
    if (!w || now - w.start > 60_000) w = { start: now, count: 0, until: 0 };
    w.count++;
    if (w.count > perMinute) w.until = Math.min(now + 60_000 - (now - w.start), now + maxDelayMs);
    map.set(key, w);
    return w;
  }

  /** Takes one failure back out of a window, if it is still the window it went into. */
  function unbump(map: Bounded<Window>, key: string, counted: Window, perMinute: number): void {
    const w = map.get(key);
    if (w !== counted) return;
    w.count = Math.max(0, w.count - 1);
    // A wait is only ever set by a count over the limit, so under it there is none.
    if (w.count <= perMinute) w.until = 0;
  }

  const backoffMs = (failures: number) =>
    Math.min(1000 * 2 ** Math.min(failures - o.freeFailures, 30), o.maxDelayPerAddress * 1000);

  const throttle: LoginThrottle = {
    begin(acct, fullAddr, now = Date.now()) {
      const addr = addressKey(fullAddr);
      throttle.check(acct, addr, now);
      const key = `${acct}\n${addr}`;
      const prevUntil = pair.get(key)?.until ?? 0;
      throttle.failed(acct, addr, now);
      const p = pair.get(key)!;
      const failures = p.failures;
      const reservedUntil = p.until;
      const acctWindow = account.get(acct)!;
      const addrWindow = address.get(addr)!;
      let settled = false;
      return {
        failed(at = Date.now()) {
          if (settled) return;
          settled = true;
          // The backoff runs from the failure, not from the start of a slow check.
          if (pair.get(key) === p && failures >= o.freeFailures)
            p.until = Math.max(p.until, at + backoffMs(failures));
        },
        refund() {
          if (settled) return;
          settled = true;
          if (pair.get(key) === p) {
            p.failures = Math.max(0, p.failures - 1);
            // Restore the wait unless a later failure has set its own since.
            if (p.until === reservedUntil) p.until = prevUntil;
          }
          unbump(account, acct, acctWindow, o.accountPerMinute);
          unbump(address, addr, addrWindow, o.addressPerMinute);
        },
      };
    },
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
      if (p.failures >= o.freeFailures) p.until = now + backoffMs(p.failures);
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
  return throttle;
}
