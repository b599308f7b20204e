import { describe, expect, it } from 'vitest';
import { mentionedNames } from './chat.js';

/**
 * Which @names a room message mentions: a mention starts at the beginning of
 * the text or after a character that cannot be part of a word or an address,
 * names are folded to lowercase and counted once, a trailing "." or "-" is
 * punctuation, and at most 20 distinct names are taken from one message.
 */
describe('mentionedNames', () => {
  it('finds @names at the start, after spaces and punctuation', () => {
    expect(mentionedNames('@bob hi')).toEqual(['bob']);
    expect(mentionedNames('hi @bob')).toEqual(['bob']);
    expect(mentionedNames('(@bob) [@carol], "@dave"')).toEqual(['bob', 'carol', 'dave']);
    expect(mentionedNames('line one\n@bob')).toEqual(['bob']);
    expect(mentionedNames('@bob_ and @bob.smith')).toEqual(['bob_', 'bob.smith']);
  });

  it('folds case and counts each name once, in order of first mention', () => {
    expect(mentionedNames('@Bob @BOB @bob @carol @Bob')).toEqual(['bob', 'carol']);
  });

  it('treats a trailing "." or "-" as punctuation', () => {
    expect(mentionedNames('thanks @bob.')).toEqual(['bob']);
    expect(mentionedNames('@bob- see above')).toEqual(['bob']);
    expect(mentionedNames('ask @bob.smith...')).toEqual(['bob.smith']);
    expect(mentionedNames('@. @-- @...')).toEqual([]);
  });

  it('ignores e-mail addresses, @@ and names glued to a word', () => {
    expect(mentionedNames('write to bob@example.com')).toEqual([]);
    expect(mentionedNames('@@bob')).toEqual([]);
    expect(mentionedNames('x.@bob _@bob -@bob é@bob 9@bob')).toEqual([]);
    expect(mentionedNames('@ bob')).toEqual([]);
    expect(mentionedNames('')).toEqual([]);
  });

  it('does not mention a shorter name hidden in a longer word', () => {
    // Usernames are at most 32 characters: "@" and 40 letters is nobody, not the first 32.
    expect(mentionedNames(`@${'a'.repeat(40)}`)).toEqual([]);
    expect(mentionedNames(`@${'a'.repeat(32)}`)).toEqual(['a'.repeat(32)]);
    expect(mentionedNames(`@${'a'.repeat(32)}.b`)).toEqual([]);
    expect(mentionedNames(`@${'a'.repeat(32)}. next`)).toEqual(['a'.repeat(32)]);
    // "@bobé" is not "@bob".
    expect(mentionedNames('@bob\u00e9 @bob\u0430')).toEqual([]);
  });

  it('survives hostile text: NUL, control characters, look-alikes', () => {
    expect(mentionedNames('@bob\u0000x')).toEqual(['bob']);
    expect(mentionedNames('\u0000@bob')).toEqual(['bob']);
    expect(mentionedNames('@\u0431ob')).toEqual([]); // Cyrillic b
    expect(mentionedNames('@\uff42ob')).toEqual([]); // fullwidth b
    expect(mentionedNames('@'.repeat(10_000))).toEqual([]);
  });

  it('takes at most 20 distinct names', () => {
    const text = Array.from({ length: 30 }, (_, i) => `@u${i}`).join(' ');
    expect(mentionedNames(text)).toEqual(Array.from({ length: 20 }, (_, i) => `u${i}`));
  });
});
