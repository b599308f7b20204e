import { describe, expect, it } from 'vitest';
import { rank, score } from './fuzzy.js';

describe('fuzzy', () => {
  it('prefers a prefix, then a word start, then a substring, then letters in order', () => {
    expect(score('al', 'Alice')).toBe(0);
    expect(score('lid', 'Alice Liddell')).toBe(1);
    expect(score('ice', 'Alice')).toBe(2);
    expect(score('acl', 'Alice Liddell')).toBe(3);
    expect(score('xyz', 'Alice')).toBeNull();
  });

  it('ignores case and accents, and an empty query matches everything', () => {
    expect(score('ZOE', 'Zoë')).toBe(0);
    expect(score('  ', 'anyone')).toBe(0);
  });

  it('ranks by the best of each item’s names, stable, within the limit', () => {
    const people = [
      { u: 'bob', d: 'Robert' },
      { u: 'rob', d: '' },
      { u: 'carol', d: 'Carol Robinson' },
      { u: 'zed', d: 'Zed' },
    ];
    const got = rank(people, 'rob', (p) => [p.d, p.u], 10).map((p) => p.u);
    expect(got).toEqual(['bob', 'rob', 'carol']);
    expect(rank(people, 'rob', (p) => [p.d, p.u], 1)).toHaveLength(1);
  });

  it('takes hostile input as plain text', () => {
    expect(score('.*', 'alice')).toBeNull();
    expect(score('(', 'a(b')).toBe(2);
    expect(rank(['<script>'], '<scr', (s) => [s], 5)).toEqual(['<script>']);
  });
});
