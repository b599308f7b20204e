import { describe, expect, it } from 'vitest';
import { isGuestName } from './guests.js';

describe('guest names', () => {
  it('are nick-safe names no account can have', () => {
    for (const n of ['bob^', 'tea[lover]', 'a\\b', 'x`y', '{brace}', 'jane|doe^', '^'])
      expect(isGuestName(n), n).toBe(true);
    for (const n of [
      'bob',
      'jane.doe',
      'u'.repeat(33),
      '',
      'a b',
      'a\u0000^',
      'Bob^',
      'a^'.repeat(17),
    ])
      expect(isGuestName(n), n).toBe(false);
  });
});
