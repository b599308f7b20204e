import { describe, expect, it } from 'vitest';
import { ParleyError } from '../errors.js';
import { createRateLimiter, TokenBucket } from './rate.js';

const T0 = 1_700_000_000_000;

describe('createRateLimiter', () => {
  it('allows a burst, then refuses', () => {
    const r = createRateLimiter({ perSecond: 1, burst: 5 });
    for (let i = 0; i < 5; i++) expect(r.tryTake('a', T0)).toBe(0);
    expect(r.tryTake('a', T0)).toBeGreaterThan(0);
    expect(r.tryTake('a', T0)).toBeGreaterThan(0);
  });

  it('a refund gives one token back, never beyond burst, and ignores unknown keys', () => {
    const r = createRateLimiter({ perSecond: 0.001, burst: 2 });
    expect(r.tryTake('a', T0)).toBe(0);
    expect(r.tryTake('a', T0)).toBe(0);
    expect(r.tryTake('a', T0)).toBeGreaterThan(0);
    r.refund('a');
    expect(r.tryTake('a', T0)).toBe(0);
    expect(r.tryTake('a', T0)).toBeGreaterThan(0);
    r.refund('a');
    r.refund('a');
    r.refund('a');
    expect(r.tryTake('a', T0)).toBe(0);
    expect(r.tryTake('a', T0)).toBe(0);
    expect(r.tryTake('a', T0)).toBeGreaterThan(0);
    r.refund('nobody');
    expect(r.tryTake('nobody', T0)).toBe(0);
    expect(r.tryTake('nobody', T0)).toBe(0);
    expect(r.tryTake('nobody', T0)).toBeGreaterThan(0);
  });

  it('keeps keys apart', () => {
    const r = createRateLimiter({ perSecond: 1, burst: 2 });
    expect(r.tryTake('a', T0)).toBe(0);
    expect(r.tryTake('a', T0)).toBe(0);
    expect(r.tryTake('a', T0)).toBeGreaterThan(0);
    expect(r.tryTake('b', T0)).toBe(0);
    expect(r.tryTake('b', T0)).toBe(0);
  });

  it('refills over time at perSecond, never beyond burst', () => {
    const r = createRateLimiter({ perSecond: 2, burst: 3 });
    for (let i = 0; i < 3; i++) expect(r.tryTake('a', T0)).toBe(0);
    expect(r.tryTake('a', T0)).toBe(500); // one token in half a second at 2/s
    expect(r.tryTake('a', T0 + 499)).toBeGreaterThan(0);
    expect(r.tryTake('a', T0 + 500)).toBe(0);
    expect(r.tryTake('a', T0 + 500)).toBeGreaterThan(0);
    // A long idle time refills to burst only.
    const later = T0 + 3_600_000;
    for (let i = 0; i < 3; i++) expect(r.tryTake('a', later)).toBe(0);
    expect(r.tryTake('a', later)).toBeGreaterThan(0);
  });

  it('answers the milliseconds to wait, counting partial refill', () => {
    const r = createRateLimiter({ perSecond: 0.5, burst: 1 }); // one token every 2 s
    expect(r.tryTake('a', T0)).toBe(0);
    expect(r.tryTake('a', T0)).toBe(2000);
    expect(r.tryTake('a', T0 + 500)).toBe(1500);
    expect(r.tryTake('a', T0 + 1999)).toBe(1);
    expect(r.tryTake('a', T0 + 2000)).toBe(0);
  });

  it('sustains exactly perSecond when a client paces itself', () => {
    const r = createRateLimiter({ perSecond: 10, burst: 1 });
    for (let i = 0; i < 100; i++) expect(r.tryTake('a', T0 + i * 100)).toBe(0);
    expect(r.tryTake('a', T0 + 99 * 100 + 50)).toBeGreaterThan(0);
  });

  it('refused attempts do not spend tokens', () => {
    const r = createRateLimiter({ perSecond: 1, burst: 1 });
    expect(r.tryTake('a', T0)).toBe(0);
    for (let i = 0; i < 50; i++) expect(r.tryTake('a', T0 + i * 10)).toBeGreaterThan(0);
    expect(r.tryTake('a', T0 + 1000)).toBe(0);
  });

  it('take throws rate-limited with retryAfter in whole seconds (at least 1)', () => {
    const r = createRateLimiter({ perSecond: 0.25, burst: 1 }); // 4 s per token
    r.take('a', T0);
    let err: unknown;
    try {
      r.take('a', T0 + 100);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParleyError);
    expect((err as ParleyError).condition).toBe('rate-limited');
    expect((err as ParleyError).condition).toBe('rate-limited');
    expect((err as ParleyError).retryAfter).toBe(4); // 3.9 s rounded up

    const fast = createRateLimiter({ perSecond: 100, burst: 1 });
    fast.take('a', T0);
    expect(() => fast.take('a', T0)).toThrow(
      expect.objectContaining({ condition: 'rate-limited', retryAfter: 1 }) as Error,
    );
    expect(() => fast.take('a', T0 + 10)).not.toThrow();
  });

  it('forgets the least recently used key past maxKeys (bounded memory)', () => {
    const r = createRateLimiter({ perSecond: 1, burst: 1, maxKeys: 3 });
    for (const k of ['a', 'b', 'c']) expect(r.tryTake(k, T0)).toBe(0);
    // 'a' is used again (refused) so it becomes the most recent; 'b' is now the oldest.
    expect(r.tryTake('a', T0)).toBeGreaterThan(0);
    expect(r.tryTake('d', T0)).toBe(0); // evicts 'b'
    expect(r.tryTake('b', T0)).toBe(0); // fresh bucket for 'b'; evicts 'c'
    expect(r.tryTake('c', T0)).toBe(0); // order was a, d, b: fresh 'c' evicts 'a'
    expect(r.tryTake('d', T0)).toBeGreaterThan(0); // 'd' was kept and is empty
    expect(r.tryTake('a', T0)).toBe(0); // 'a' was forgotten: a fresh bucket
  });

  it('keeps memory bounded under a flood of distinct keys', () => {
    const r = createRateLimiter({ perSecond: 1, burst: 1, maxKeys: 100 });
    expect(r.tryTake('victim', T0)).toBe(0);
    expect(r.tryTake('victim', T0)).toBeGreaterThan(0);
    for (let i = 0; i < 10_000; i++) r.tryTake(`k${i}`, T0);
    // The victim's bucket was forgotten: the worst case is a fresh bucket, never a crash or growth.
    expect(r.tryTake('victim', T0)).toBe(0);
    // The last 100 keys are still remembered (and empty).
    for (let i = 9_901; i < 10_000; i++) expect(r.tryTake(`k${i}`, T0)).toBeGreaterThan(0);
  });
});

describe('TokenBucket', () => {
  it('allows its burst, says how long to wait, refills at the rate given, never beyond burst', () => {
    const b = new TokenBucket(3, T0);
    for (let i = 0; i < 3; i++) expect(b.tryTake(2, 3, T0)).toBe(0);
    expect(b.tryTake(2, 3, T0)).toBe(500);
    expect(b.tryTake(2, 3, T0 + 500)).toBe(0);
    // A long pause refills to the burst and no further.
    for (let i = 0; i < 3; i++) expect(b.tryTake(2, 3, T0 + 60_000)).toBe(0);
    expect(b.tryTake(2, 3, T0 + 60_000)).toBeGreaterThan(0);
  });
});
