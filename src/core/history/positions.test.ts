import { describe, expect, it } from 'vitest';
import { afterPoint, beforePoint, centre, comparePoints, fromPoint } from './positions.js';

describe('history positions', () => {
  it('bounds: strictly before/after a point; a message anchor belongs to what follows it', () => {
    expect(beforePoint({ seq: 5, at: 100 })).toEqual({ seq: 5 });
    expect(afterPoint({ at: 100 })).toEqual({ at: 100 });
    expect(fromPoint({ seq: 5, at: 100 })).toEqual({ seq: 4 });
    expect(fromPoint({ at: 100 })).toEqual({ at: 99 });
  });

  it('orders positions by seq, times by time, a message against a time; not a bare position against a time', () => {
    expect(comparePoints({ seq: 1 }, { seq: 2 })).toBe(-1);
    expect(comparePoints({ seq: 2, at: 5 }, { seq: 2 })).toBe(0);
    expect(comparePoints({ at: 9 }, { seq: 2, at: 5 })).toBe(1);
    expect(comparePoints({ seq: 2 }, { at: 5 })).toBeUndefined();
  });

  it('centre takes half from each side and lets a short side give way', () => {
    const older = [4, 3, 2, 1]; // newest first
    const newer = [5, 6, 7, 8];
    expect(centre(older, newer, 4)).toEqual({ list: [3, 4, 5, 6], more: true });
    expect(centre(older, newer, 3)).toEqual({ list: [4, 5, 6], more: true });
    expect(centre([], newer, 3)).toEqual({ list: [5, 6, 7], more: true });
    expect(centre(older, [5], 4)).toEqual({ list: [2, 3, 4, 5], more: true });
    expect(centre([2, 1], [3], 5)).toEqual({ list: [1, 2, 3], more: false });
    expect(centre(older, newer, 1)).toEqual({ list: [5], more: true });
  });
});
