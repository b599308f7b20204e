import { describe, expect, it } from 'vitest';
import { complete, mentionAt, splitMentions, suggest } from './mentions.js';

const known = (n: string) => ['bob', 'carol', 'a.b'].includes(n);

describe('splitMentions', () => {
  it('marks members only, with the rules of the server', () => {
    expect(splitMentions('hi @Bob. and @nobody, mail x@bob', known)).toEqual([
      { text: 'hi ' },
      { text: '@Bob', mention: 'bob' },
      { text: '. and @nobody, mail x@bob' },
    ]);
    expect(splitMentions('@carol-', known)).toEqual([
      { text: '@carol', mention: 'carol' },
      { text: '-' },
    ]);
    expect(splitMentions('(@a.b)', known)).toEqual([
      { text: '(' },
      { text: '@a.b', mention: 'a.b' },
      { text: ')' },
    ]);
  });
});

describe('completion', () => {
  it('finds the word being typed and completes it', () => {
    expect(mentionAt('hello @ca', 9)).toEqual({ start: 6, query: 'ca' });
    expect(mentionAt('hello @', 7)).toEqual({ start: 6, query: '' });
    expect(mentionAt('mail x@ca', 9)).toBeNull();
    expect(mentionAt('hello ca', 8)).toBeNull();
    expect(suggest(['carol', 'bob', 'oscar'], 'ca')).toEqual(['carol', 'oscar']);
    expect(complete('hello @ca and', 6, 9, 'carol')).toEqual({
      text: 'hello @carol and',
      caret: 13,
    });
    expect(complete('@b', 0, 2, 'bob')).toEqual({ text: '@bob ', caret: 5 });
  });
});
