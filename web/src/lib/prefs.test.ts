import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFS, parsePrefs, readMinutes } from './prefs.js';

describe('prefs', () => {
  it('reads what is valid and defaults the rest', () => {
    expect(parsePrefs(null)).toEqual(DEFAULT_PREFS);
    expect(parsePrefs('not json')).toEqual(DEFAULT_PREFS);
    expect(parsePrefs('[1]')).toEqual(DEFAULT_PREFS);
    expect(parsePrefs('{"theme":"dark","sound":true,"awayMinutes":0.05}')).toEqual({
      ...DEFAULT_PREFS,
      theme: 'dark',
      sound: true,
      awayMinutes: 0.05,
    });
    expect(parsePrefs('{"theme":"red","awayMinutes":-1,"notify":"yes"}')).toEqual(DEFAULT_PREFS);
  });

  it('checks the minutes typed', () => {
    expect(readMinutes(' 15 ')).toBe(15);
    expect(readMinutes('0')).toMatch(/from 1 to/);
    expect(readMinutes('2.5')).toMatch(/whole number/);
    expect(readMinutes('')).toMatch(/whole number/);
  });
});
