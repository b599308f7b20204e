import { describe, expect, it } from 'vitest';
import { ParleyError } from '../errors.js';
import { checkTopic, lookupRoomName, MAX_TOPIC, newRoomName } from './names.js';

/**
 * Room names must work unchanged as IRC channels and XMPP localparts, so the
 * rule is narrow: lowercase [a-z0-9._-], 2-32 characters, starting with a
 * letter or digit, not ending in ".", with an optional leading "#". Hostile
 * strings (control characters, look-alike letters, overlong input) are never
 * a room name; topics are one line of at most 512 characters.
 */

/** The ParleyError `fn` throws. */
function thrown(fn: () => unknown): ParleyError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ParleyError);
    return err as ParleyError;
  }
  throw new Error('expected an error');
}

describe('lookupRoomName', () => {
  it('canonicalises: "#" is optional, case is folded', () => {
    expect(lookupRoomName('#tardis')).toBe('tardis');
    expect(lookupRoomName('tardis')).toBe('tardis');
    expect(lookupRoomName('#TarDIS')).toBe('tardis');
    expect(lookupRoomName('a.b_c-9')).toBe('a.b_c-9');
    expect(lookupRoomName('9lives')).toBe('9lives');
    expect(lookupRoomName('ab')).toBe('ab');
  });

  it('2 to 32 characters, counted without the "#"', () => {
    const max = 'a'.repeat(32);
    expect(lookupRoomName(max)).toBe(max);
    expect(lookupRoomName(`#${max}`)).toBe(max);
    expect(lookupRoomName('a'.repeat(33))).toBeUndefined();
    expect(lookupRoomName(`#${'a'.repeat(33)}`)).toBeUndefined();
    expect(lookupRoomName('a')).toBeUndefined();
    expect(lookupRoomName('#a')).toBeUndefined();
    expect(lookupRoomName('')).toBeUndefined();
    expect(lookupRoomName('#')).toBeUndefined();
    // Long input is refused before any work is done on it.
    expect(lookupRoomName('a'.repeat(41))).toBeUndefined();
    expect(lookupRoomName('a'.repeat(100_000))).toBeUndefined();
  });

  it('starts with a letter or digit and does not end in "."', () => {
    for (const bad of ['.tardis', '-tardis', '_tardis', 'tardis.', '#tardis.', 'tardis..'])
      expect(lookupRoomName(bad), bad).toBeUndefined();
    expect(lookupRoomName('tardis-')).toBe('tardis-');
    expect(lookupRoomName('tardis_')).toBe('tardis_');
    expect(lookupRoomName('tar..dis')).toBe('tar..dis');
  });

  it('one "#" only, and no characters IRC or XMPP would read differently', () => {
    for (const bad of [
      '##tardis',
      '&tardis',
      '!tardis',
      '+tardis',
      'tar dis',
      'tar,dis',
      'tar:dis',
      'tar@dis',
      'tar/dis',
      "tar'dis",
      'tar"dis',
      'tar<dis',
      'tar>dis',
      'tar&dis',
      'tar#dis',
      'tardis#',
      'tar*dis',
      'tar?dis',
      'tar%dis',
      'tar\\dis',
    ])
      expect(lookupRoomName(bad), bad).toBeUndefined();
  });

  it('refuses NUL, control characters and whitespace anywhere', () => {
    for (const c of [
      '\u0000',
      '\u0001',
      '\u0007',
      '\t',
      '\n',
      '\r',
      '\u000b',
      '\u001b',
      '\u007f',
      '\u0085',
      '\u00a0',
      '\u2028',
      '\u200b',
      '\ufeff',
    ])
      for (const bad of [`tar${c}dis`, `tardis${c}`, `${c}tardis`, `#${c}tardis`])
        expect(lookupRoomName(bad), JSON.stringify(bad)).toBeUndefined();
  });

  it('look-alike letters never make a name of their own', () => {
    for (const bad of [
      't\u0430rdis', // Cyrillic a
      'tard\u0456s', // Cyrillic i
      '\uff54ardis', // fullwidth t
      'tardi\u0455', // Cyrillic dze
      't\u0251rdis', // Latin alpha
      'tardis\u0307', // combining dot
      '\u0130stanbul', // capital I with dot: lowercases to i + combining dot
      'tar\u00f0is',
      '\ud83d\ude00room',
      '\ud800room', // lone surrogate
    ])
      expect(lookupRoomName(bad), JSON.stringify(bad)).toBeUndefined();
    // The Kelvin sign lowercases to ASCII "k": refused before lowercasing, so it names no room.
    expect(lookupRoomName('\u212aelvin')).toBeUndefined();
  });
});

describe('newRoomName', () => {
  it('returns the canonical name', () => {
    expect(newRoomName('#Tardis')).toBe('tardis');
  });

  it('explains the rule with a bad-request on the name field', () => {
    for (const bad of ['x', 'tardis.', 'tar\u0000dis', '#t\u0430rdis', 'a'.repeat(41)]) {
      const err = thrown(() => newRoomName(bad));
      expect(err.condition).toBe('bad-request');
      expect(err.field).toBe('name');
      expect(err.message).toMatch(/2-32 characters/);
    }
  });
});

describe('checkTopic', () => {
  it('trims and keeps one line of text, tabs and any script', () => {
    expect(checkTopic('  Doctor Who\tfans  ')).toBe('Doctor Who\tfans');
    expect(checkTopic('')).toBe('');
    expect(checkTopic('Ünïcödé – ✓ 日本語 🚀')).toBe('Ünïcödé – ✓ 日本語 🚀');
  });

  it('counts characters, not UTF-16 units: 512 emoji fit, 513 do not', () => {
    expect(MAX_TOPIC).toBe(512);
    expect(checkTopic('x'.repeat(512))).toHaveLength(512);
    expect([...checkTopic('🚀'.repeat(512))]).toHaveLength(512);
    for (const bad of ['x'.repeat(513), '🚀'.repeat(513)]) {
      const err = thrown(() => checkTopic(bad));
      expect(err).toMatchObject({ condition: 'bad-request', field: 'topic' });
      expect(err.message).toMatch(/512/);
    }
  });

  it('refuses NUL, newlines and other control characters', () => {
    for (const c of [
      '\u0000',
      '\u0001',
      '\n',
      '\r',
      '\u000b',
      '\u000c',
      '\u001b',
      '\u001f',
      '\u007f',
      '\u0085', // C1 next line
      '\u009b', // C1 control sequence introducer
      '\u2028', // line separator
      '\u2029', // paragraph separator
      '\u202e', // right-to-left override
      '\u2066', // left-to-right isolate
      '\ud800', // lone high surrogate
      '\udc00', // lone low surrogate
    ]) {
      const err = thrown(() => checkTopic(`one${c}two`));
      expect(err, JSON.stringify(c)).toMatchObject({ condition: 'bad-request', field: 'topic' });
      expect(err.message).toMatch(/control characters/);
    }
  });
});
