import { describe, expect, it } from 'vitest';
import { globMatch, matchesList, parseListFilter } from './elist.js';

describe('globMatch', () => {
  it('matches * and ? case-insensitively', () => {
    expect(globMatch('#tea*', '#TeaHouse')).toBe(true);
    expect(globMatch('#t?a', '#tea')).toBe(true);
    expect(globMatch('#t?a', '#teea')).toBe(false);
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('', '#a')).toBe(false);
    expect(globMatch('*a*b*c', '#xaybzc')).toBe(true);
    expect(globMatch('*a*b*c', '#xaybz')).toBe(false);
  });

  it('answers patterns built to backtrack (one backtrack point: no blow-up)', () => {
    expect(globMatch(`${'*a'.repeat(30)}b`, 'a'.repeat(5000))).toBe(false);
  });
});

describe('parseListFilter and matchesList', () => {
  const now = 10_000_000;
  const chan = { channel: '#teahouse', users: 5, createdAt: now - 30 * 60_000, topicAt: null };

  it('reads every kind of item', () => {
    expect(parseListFilter('#tea*,!*test*,>3,<10,C<60,T>5')).toEqual({
      masks: ['#tea*'],
      not: ['*test*'],
      users: { more: 3, less: 10 },
      created: { less: 60 },
      topic: { more: 5 },
    });
    expect(parseListFilter(undefined)).toEqual(parseListFilter(''));
  });

  it('every condition must hold', () => {
    expect(matchesList(parseListFilter('#tea*,>3'), chan, now)).toBe(true);
    expect(matchesList(parseListFilter('#tea*,>5'), chan, now)).toBe(false);
    expect(matchesList(parseListFilter('!#tea*'), chan, now)).toBe(false);
    expect(matchesList(parseListFilter('C<60'), chan, now)).toBe(true);
    expect(matchesList(parseListFilter('C>60'), chan, now)).toBe(false);
    // No topic ever set: no T condition holds.
    expect(matchesList(parseListFilter('T<1000'), chan, now)).toBe(false);
    expect(matchesList(parseListFilter('T<10'), { ...chan, topicAt: now - 60_000 }, now)).toBe(
      true,
    );
  });

  it('hostile items are bounded and match nothing', () => {
    const f = parseListFilter(`${'>'.repeat(1000)},${'x,'.repeat(500)}`);
    expect(f.masks.length + f.not.length).toBeLessThanOrEqual(20);
    expect(matchesList(parseListFilter('>abc'), chan, now)).toBe(false);
    expect(matchesList(parseListFilter('>99999999999'), chan, now)).toBe(false);
    expect(matchesList(parseListFilter(',,,'), chan, now)).toBe(true);
    expect(matchesList(parseListFilter('!'), chan, now)).toBe(false);
  });
});
