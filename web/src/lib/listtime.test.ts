import { describe, expect, it } from 'vitest';
import { listTime } from './listtime.js';

describe('listTime', () => {
  // Local times, as the browser shows them: Wednesday 9 December 2026, 15:30.
  const now = new Date(2026, 11, 9, 15, 30).getTime();
  const hour = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
  const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });

  it('shows the hour for today, even a minute into the future', () => {
    const morning = new Date(2026, 11, 9, 0, 5).getTime();
    expect(listTime(morning, now)).toBe(hour.format(morning));
    expect(listTime(now + 60_000, now)).toBe(hour.format(now + 60_000));
  });

  it('shows the weekday within the last six days', () => {
    const yesterday = new Date(2026, 11, 8, 23, 59).getTime();
    const sixAgo = new Date(2026, 11, 3, 9, 0).getTime();
    expect(listTime(yesterday, now)).toBe(weekday.format(yesterday));
    expect(listTime(sixAgo, now)).toBe(weekday.format(sixAgo));
  });

  it('shows a date from a week back, with the year only for another year', () => {
    const weekAgo = new Date(2026, 11, 2, 12, 0).getTime();
    const lastYear = new Date(2025, 11, 20, 12, 0).getTime();
    expect(listTime(weekAgo, now)).not.toBe(weekday.format(weekAgo));
    expect(listTime(weekAgo, now)).not.toMatch(/2026|26/);
    expect(listTime(lastYear, now)).toMatch(/25/);
  });
});
