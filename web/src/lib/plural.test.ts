import { describe, expect, it } from 'vitest';
import { count } from './plural.js';

describe('count', () => {
  it('says one in the singular and any other number in the plural', () => {
    expect(count(1, 'member')).toBe('1 member');
    expect(count(0, 'member')).toBe('0 members');
    expect(count(2, 'reply', 'replies')).toBe('2 replies');
  });
});
