import { describe, expect, it } from 'vitest';
import { FRESH_MS, shouldAlert } from './alerting.js';

const base = {
  kind: 'room' as const,
  mentionsMe: false,
  createdAt: 1000,
  now: 1000,
  level: 'all' as const,
  myShow: 'available',
  hidden: true,
  onScreen: true,
};

describe('shouldAlert', () => {
  it('follows the room notify level', () => {
    expect(shouldAlert(base)).toBe(true);
    expect(shouldAlert({ ...base, level: 'mentions' })).toBe(false);
    expect(shouldAlert({ ...base, level: 'mentions', mentionsMe: true })).toBe(true);
    expect(shouldAlert({ ...base, level: 'none', mentionsMe: true })).toBe(false);
    expect(shouldAlert({ ...base, kind: 'dm', level: 'none' })).toBe(true);
  });

  it('stays quiet when I am busy, for old messages, and for what I am looking at', () => {
    expect(shouldAlert({ ...base, myShow: 'dnd' })).toBe(false);
    expect(shouldAlert({ ...base, now: 1000 + FRESH_MS + 1 })).toBe(false);
    expect(shouldAlert({ ...base, hidden: false })).toBe(false);
    expect(shouldAlert({ ...base, hidden: false, onScreen: false })).toBe(true);
  });
});
