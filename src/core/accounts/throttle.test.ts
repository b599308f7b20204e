import { describe, expect, it } from 'vitest';
import { ParleyError } from '../errors.js';
import { createLoginThrottle, type ThrottleOptions } from './throttle.js';

const T0 = 1_700_000_000_000;
const S = 1000;

const OPTS: ThrottleOptions = {
  freeFailures: 3,
  maxDelayPerAddress: 60,
  accountPerMinute: 1000,
  maxDelayPerAccount: 10,
  addressPerMinute: 1000,
};

/** The retryAfter of the rate-limited error check() throws, or 0 when the attempt may go ahead. */
function wait(
  t: ReturnType<typeof createLoginThrottle>,
  account: string,
  address: string,
  now: number,
): number {
  try {
    t.check(account, address, now);
    return 0;
  } catch (err) {
    expect(err).toBeInstanceOf(ParleyError);
    expect((err as ParleyError).condition).toBe('rate-limited');
    return (err as ParleyError).retryAfter!;
  }
}

describe('login throttle: one account from one address', () => {
  it('lets the free failures through, then waits', () => {
    const t = createLoginThrottle(OPTS);
    for (let i = 0; i < OPTS.freeFailures; i++) {
      expect(wait(t, 'alice', '1.1.1.1', T0)).toBe(0);
      t.failed('alice', '1.1.1.1', T0);
    }
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBe(1);
    // The wait is over after its time.
    expect(wait(t, 'alice', '1.1.1.1', T0 + 999)).toBe(1);
    expect(wait(t, 'alice', '1.1.1.1', T0 + S)).toBe(0);
  });

  it('doubles the wait with each further failure, up to maxDelayPerAddress', () => {
    const t = createLoginThrottle(OPTS);
    let now = T0;
    for (let i = 0; i < OPTS.freeFailures - 1; i++) t.failed('alice', '1.1.1.1', now);
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      t.failed('alice', '1.1.1.1', now);
      const w = wait(t, 'alice', '1.1.1.1', now);
      waits.push(w);
      now += w * S; // the attacker waits exactly as told, then fails again
      expect(wait(t, 'alice', '1.1.1.1', now)).toBe(0);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60]);
  });

  it('does not overflow after very many failures', () => {
    const t = createLoginThrottle({ ...OPTS, maxDelayPerAddress: 86400 });
    for (let i = 0; i < 2000; i++) t.failed('alice', '1.1.1.1', T0);
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBe(86400);
  });

  it('a success clears the backoff for that address', () => {
    const t = createLoginThrottle(OPTS);
    for (let i = 0; i < 6; i++) t.failed('alice', '1.1.1.1', T0);
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBeGreaterThan(1);
    t.succeeded('alice', '1.1.1.1');
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBe(0);
    // ...and the free failures start again.
    for (let i = 0; i < OPTS.freeFailures - 1; i++) t.failed('alice', '1.1.1.1', T0);
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBe(0);
  });

  it('the backoff of one address does not touch other addresses or accounts', () => {
    const t = createLoginThrottle(OPTS);
    for (let i = 0; i < 10; i++) t.failed('alice', '1.1.1.1', T0);
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBeGreaterThan(0);
    expect(wait(t, 'alice', '2.2.2.2', T0)).toBe(0);
    expect(wait(t, 'bob', '1.1.1.1', T0)).toBe(0);
  });
});

describe('login throttle: one account from many addresses', () => {
  const opts: ThrottleOptions = {
    ...OPTS,
    freeFailures: 1000,
    accountPerMinute: 5,
    maxDelayPerAccount: 10,
  };

  it('throttles unknown addresses after accountPerMinute failures, for at most maxDelayPerAccount', () => {
    const t = createLoginThrottle(opts);
    for (let i = 0; i < 5; i++) t.failed('alice', `10.0.0.${i}`, T0);
    expect(wait(t, 'alice', '10.9.9.9', T0)).toBe(0); // at the limit, not over it
    t.failed('alice', '10.0.0.5', T0);
    expect(wait(t, 'alice', '10.9.9.9', T0)).toBe(10); // capped at maxDelayPerAccount, not the rest of the minute
    expect(wait(t, 'alice', '10.0.0.1', T0 + 5 * S)).toBe(5);
    expect(wait(t, 'alice', '10.9.9.9', T0 + 10 * S)).toBe(0);
    // Other accounts are not affected.
    expect(wait(t, 'bob', '10.9.9.9', T0)).toBe(0);
  });

  it('never waits longer than the rest of the minute', () => {
    const t = createLoginThrottle({ ...opts, maxDelayPerAccount: 3600 });
    t.failed('alice', '10.0.0.1', T0);
    for (let i = 0; i < 5; i++) t.failed('alice', `10.0.1.${i}`, T0 + 50 * S);
    expect(wait(t, 'alice', '10.9.9.9', T0 + 50 * S)).toBe(10);
    expect(wait(t, 'alice', '10.9.9.9', T0 + 60 * S)).toBe(0);
  });

  it('keeps throttling a sustained attack, each minute again', () => {
    const t = createLoginThrottle(opts);
    let now = T0;
    for (let minute = 0; minute < 5; minute++) {
      for (let i = 0; i < 6; i++) t.failed('alice', `10.0.${minute}.${i}`, now);
      expect(wait(t, 'alice', '10.9.9.9', now)).toBe(10);
      now += 61 * S;
    }
  });

  it('exempts an address that has logged in to the account before (the owner is not locked out)', () => {
    const t = createLoginThrottle(opts);
    t.succeeded('alice', '192.168.1.10'); // the owner's usual place
    for (let i = 0; i < 50; i++) t.failed('alice', `10.0.0.${i}`, T0);
    expect(wait(t, 'alice', '10.9.9.9', T0)).toBeGreaterThan(0);
    expect(wait(t, 'alice', '192.168.1.10', T0)).toBe(0);
    // The exemption is per account: that address is not known for bob.
    t.succeeded('bob', '192.168.1.20');
    for (let i = 0; i < 6; i++) t.failed('bob', `10.1.0.${i}`, T0);
    expect(wait(t, 'bob', '192.168.1.10', T0)).toBeGreaterThan(0);
    expect(wait(t, 'bob', '192.168.1.20', T0)).toBe(0);
  });

  it('a known address still gets its own per-address backoff', () => {
    const t = createLoginThrottle({ ...opts, freeFailures: 2 });
    t.succeeded('alice', '192.168.1.10');
    t.failed('alice', '192.168.1.10', T0);
    expect(wait(t, 'alice', '192.168.1.10', T0)).toBe(0);
    t.failed('alice', '192.168.1.10', T0);
    expect(wait(t, 'alice', '192.168.1.10', T0)).toBe(1);
  });
});

describe('login throttle: one address against many accounts (spraying)', () => {
  const opts: ThrottleOptions = {
    ...OPTS,
    freeFailures: 1000,
    accountPerMinute: 1000,
    addressPerMinute: 10,
  };

  it('throttles the address across all accounts after addressPerMinute failures', () => {
    const t = createLoginThrottle(opts);
    for (let i = 0; i < 10; i++) t.failed(`user${i}`, '6.6.6.6', T0);
    expect(wait(t, 'someone', '6.6.6.6', T0)).toBe(0);
    t.failed('user10', '6.6.6.6', T0 + 20 * S);
    // Until the end of the minute that started at T0.
    expect(wait(t, 'someone', '6.6.6.6', T0 + 20 * S)).toBe(40);
    // Even for an account the address knows: spraying is the address's fault.
    t.succeeded('mine', '6.6.6.6');
    expect(wait(t, 'mine', '6.6.6.6', T0 + 20 * S)).toBe(40);
    // Other addresses are not affected.
    expect(wait(t, 'someone', '7.7.7.7', T0 + 20 * S)).toBe(0);
    expect(wait(t, 'someone', '6.6.6.6', T0 + 60 * S)).toBe(0);
  });

  it('the window restarts after a minute', () => {
    const t = createLoginThrottle(opts);
    for (let i = 0; i < 10; i++) t.failed(`user${i}`, '6.6.6.6', T0);
    for (let i = 0; i < 10; i++) t.failed(`user${i}`, '6.6.6.6', T0 + 61 * S);
    expect(wait(t, 'someone', '6.6.6.6', T0 + 61 * S)).toBe(0);
  });
});

describe('login throttle: bounded memory', () => {
  it('forgets the oldest keys past maxKeys', () => {
    const t = createLoginThrottle({ ...OPTS, maxKeys: 50 });
    for (let i = 0; i < 5; i++) t.failed('alice', '1.1.1.1', T0);
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBeGreaterThan(0);
    // A flood of other pairs pushes the old entry out instead of growing memory.
    for (let i = 0; i < 10_000; i++) t.failed(`acct${i}`, `addr${i}`, T0);
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBe(0);
    // The most recent entries are still remembered.
    for (let i = 0; i < 5; i++) t.failed('acct9999', 'addr9999', T0);
    expect(wait(t, 'acct9999', 'addr9999', T0)).toBeGreaterThan(0);
  });

  it('a known address can be forgotten too (bounded), which only means throttling applies again', () => {
    const t = createLoginThrottle({
      ...OPTS,
      freeFailures: 1000,
      accountPerMinute: 2,
      maxKeys: 10,
    });
    t.succeeded('alice', '192.168.1.10');
    for (let i = 0; i < 20; i++) t.succeeded(`u${i}`, `a${i}`);
    for (let i = 0; i < 3; i++) t.failed('alice', `10.0.0.${i}`, T0);
    expect(wait(t, 'alice', '192.168.1.10', T0)).toBeGreaterThan(0);
  });
});

describe('login throttle: attempts in flight (begin)', () => {
  it('counts an attempt as a failure while it runs, so parallel guesses get only the free failures', () => {
    const t = createLoginThrottle(OPTS);
    const running = [];
    for (let i = 0; i < OPTS.freeFailures; i++) running.push(t.begin('alice', '1.1.1.1', T0));
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBe(1);
    expect(() => t.begin('alice', '1.1.1.1', T0)).toThrow(ParleyError);
    for (const a of running) a.failed(T0);
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBe(1);
  });

  it('a right password refunds the attempt and restores the wait it had', () => {
    const t = createLoginThrottle(OPTS);
    const running = [];
    for (let i = 0; i < OPTS.freeFailures; i++) running.push(t.begin('alice', '1.1.1.1', T0));
    running.pop()!.refund();
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBe(0);
    // Refunding twice, or after failed(), changes nothing more.
    const last = running.pop()!;
    last.failed(T0);
    last.refund();
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBe(0);
    // One still running and one failed: the next failure is the last free one.
    t.begin('alice', '1.1.1.1', T0).failed(T0);
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBe(1);
  });

  it('the backoff counts from the failure, not from the start of a slow check', () => {
    const t = createLoginThrottle(OPTS);
    for (let i = 0; i < OPTS.freeFailures - 1; i++) t.begin('alice', '1.1.1.1', T0).failed(T0);
    const slow = t.begin('alice', '1.1.1.1', T0);
    slow.failed(T0 + 5 * S);
    expect(wait(t, 'alice', '1.1.1.1', T0 + 5 * S)).toBe(1);
  });

  it('counts in-flight attempts in the account and address windows too, and refunds them', () => {
    const t = createLoginThrottle({
      ...OPTS,
      freeFailures: 1000,
      accountPerMinute: 5,
      addressPerMinute: 8,
    });
    const acct = [];
    for (let i = 0; i <= 5; i++) acct.push(t.begin('alice', `10.0.0.${i}`, T0));
    expect(wait(t, 'alice', '10.9.9.9', T0)).toBe(10);
    acct.pop()!.refund();
    expect(wait(t, 'alice', '10.9.9.9', T0)).toBe(0);

    const addr = [];
    for (let i = 0; i <= 8; i++) addr.push(t.begin(`user${i}`, '6.6.6.6', T0));
    expect(wait(t, 'someone', '6.6.6.6', T0)).toBe(60);
    addr.pop()!.refund();
    expect(wait(t, 'someone', '6.6.6.6', T0)).toBe(0);
  });

  it('a refund after a successful login cleared the key does no harm', () => {
    const t = createLoginThrottle(OPTS);
    const a = t.begin('alice', '1.1.1.1', T0);
    const b = t.begin('alice', '1.1.1.1', T0);
    b.refund();
    t.succeeded('alice', '1.1.1.1');
    a.refund();
    for (let i = 0; i < OPTS.freeFailures - 1; i++) t.begin('alice', '1.1.1.1', T0).failed(T0);
    expect(wait(t, 'alice', '1.1.1.1', T0)).toBe(0);
  });
});
