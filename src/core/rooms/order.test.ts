import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRoomOrder } from './order.js';

describe('room order', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('passes events in order straight through', () => {
    const o = createRoomOrder({ waitMs: 100 });
    const got: number[] = [];
    for (const s of [5, 6, 7]) o.push('r', s, () => got.push(s));
    expect(got).toEqual([5, 6, 7]);
  });

  it('holds an event until the one before it arrives, then both go in order', () => {
    const o = createRoomOrder({ waitMs: 100 });
    const got: number[] = [];
    o.push('r', 1, () => got.push(1));
    o.push('r', 3, () => got.push(3));
    o.push('r', 4, () => got.push(4));
    expect(got).toEqual([1]);
    o.push('r', 2, () => got.push(2));
    expect(got).toEqual([1, 2, 3, 4]);
    vi.advanceTimersByTime(200);
    expect(got).toEqual([1, 2, 3, 4]);
  });

  it('gives up on a missing event after waitMs and carries on after what it held', () => {
    const o = createRoomOrder({ waitMs: 100 });
    const got: number[] = [];
    o.push('r', 1, () => got.push(1));
    o.push('r', 4, () => got.push(4));
    o.push('r', 3, () => got.push(3));
    vi.advanceTimersByTime(99);
    expect(got).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(got).toEqual([1, 3, 4]);
    o.push('r', 5, () => got.push(5));
    // The missing one turns up late: delivered, not lost.
    o.push('r', 2, () => got.push(2));
    expect(got).toEqual([1, 3, 4, 5, 2]);
  });

  it('keeps rooms apart, and events without a seq never wait', () => {
    const o = createRoomOrder({ waitMs: 100 });
    const got: string[] = [];
    o.push('a', 1, () => got.push('a1'));
    o.push('b', 10, () => got.push('b10'));
    o.push('a', 3, () => got.push('a3'));
    o.push('a', undefined, () => got.push('typing'));
    o.push('b', 11, () => got.push('b11'));
    expect(got).toEqual(['a1', 'b10', 'typing', 'b11']);
  });

  it('a delivery that throws does not stop the others', () => {
    const o = createRoomOrder({ waitMs: 100 });
    const got: number[] = [];
    o.push('r', 1, () => got.push(1));
    o.push('r', 3, () => got.push(3));
    o.push('r', 2, () => {
      throw new Error('socket gone');
    });
    expect(got).toEqual([1, 3]);
  });

  it('forgets idle rooms beyond maxRooms, never one with held events', () => {
    const o = createRoomOrder({ waitMs: 100, maxRooms: 2 });
    const got: string[] = [];
    o.push('a', 1, () => got.push('a1'));
    o.push('a', 3, () => got.push('a3')); // held
    o.push('b', 1, () => got.push('b1'));
    o.push('c', 1, () => got.push('c1')); // b is forgotten, a is kept
    o.push('a', 2, () => got.push('a2'));
    expect(got).toEqual(['a1', 'b1', 'c1', 'a2', 'a3']);
    o.close();
  });
});
