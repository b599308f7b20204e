import { describe, expect, it } from 'vitest';
import { timeAgo, waitFor } from './reltime.js';

describe('waitFor', () => {
  it('says a wait in the largest unit that reads well, rounded up', () => {
    expect(waitFor(1)).toBe('1 second');
    expect(waitFor(0.2)).toBe('1 second');
    expect(waitFor(45)).toBe('45 seconds');
    expect(waitFor(89)).toBe('89 seconds');
    expect(waitFor(90)).toBe('2 minutes');
    expect(waitFor(1200)).toBe('20 minutes');
    expect(waitFor(1201)).toBe('21 minutes');
    expect(waitFor(3599)).toBe('1 hour'); // never "60 minutes"
    expect(waitFor(3540)).toBe('59 minutes');
    expect(waitFor(3600)).toBe('1 hour');
    expect(waitFor(3 * 3600)).toBe('3 hours');
  });
});

describe('timeAgo', () => {
  const now = Date.UTC(2026, 4, 10, 12, 0, 0);
  it('says minutes, hours and days in words, singular when one', () => {
    expect(timeAgo(now - 10_000, now)).toBe('just now');
    expect(timeAgo(now - 60_000, now)).toBe('1 minute ago');
    expect(timeAgo(now - 5 * 60_000 - 59_000, now)).toBe('5 minutes ago');
    expect(timeAgo(now - 3_600_000, now)).toBe('1 hour ago');
    expect(timeAgo(now - 23 * 3_600_000, now)).toBe('23 hours ago');
    expect(timeAgo(now - 30 * 3_600_000, now)).toBe('yesterday');
    expect(timeAgo(now - 3 * 86_400_000, now)).toBe('3 days ago');
  });
  it('gives a date beyond a week, and never a negative time', () => {
    expect(timeAgo(now - 10 * 86_400_000, now)).toMatch(/^on /);
    expect(timeAgo(now + 5_000, now)).toBe('just now');
  });
});
