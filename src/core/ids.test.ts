import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

describe('newId', () => {
  it('gives distinct, time-ordered 26-character ids, past many refills of its random pool', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => newId(1_700_000_000_000 + i));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]{26}$/);
    expect([...ids].sort()).toEqual(ids);
    // The same millisecond still gets different random parts.
    const same = Array.from({ length: 1000 }, () => newId(1_700_000_000_000).slice(10));
    expect(new Set(same).size).toBe(same.length);
  });
});
