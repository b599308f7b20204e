import { describe, expect, it } from 'vitest';
import { cleanPhrase, matchingPhrase } from './filters.js';

describe('keyword filters', () => {
  it('match whole words and phrases, case-insensitively, across any whitespace', () => {
    expect(matchingPhrase('Hello CAT!', ['cat'])).toBe('cat');
    expect(matchingPhrase('a category of things', ['cat'])).toBeUndefined();
    expect(matchingPhrase('bobcat', ['cat'])).toBeUndefined();
    expect(matchingPhrase('get FREE\n  money now', ['free money'])).toBe('free money');
    expect(matchingPhrase('free moneys', ['free money'])).toBeUndefined();
    expect(matchingPhrase('Ærlig talt, ÆBLE', ['æble'])).toBe('æble');
    expect(matchingPhrase('nothing here', [])).toBeUndefined();
  });

  it('treat regex characters in phrases literally', () => {
    expect(matchingPhrase('costs $5.00 (cheap)', ['$5.00'])).toBe('$5.00');
    expect(matchingPhrase('costs $5x00', ['$5.00'])).toBeUndefined();
    expect(matchingPhrase('a+b', ['a+b'])).toBe('a+b');
    expect(matchingPhrase('aab', ['a+b'])).toBeUndefined();
    expect(() => matchingPhrase('x', ['(((', '[', '\\'])).not.toThrow();
  });

  it('clean phrases and refuse empty, wordless or long ones', () => {
    expect(cleanPhrase('  free\t\tmoney ')).toBe('free money');
    expect(() => cleanPhrase('   ')).toThrow(/letter or digit/);
    expect(() => cleanPhrase('!!!')).toThrow(/letter or digit/);
    expect(() => cleanPhrase('x'.repeat(101))).toThrow(/at most/);
  });
});
