import { describe, expect, it } from 'vitest';
import { dayKey, dayLabel, fullTime } from './days.js';

describe('days in a history', () => {
  const now = new Date(2026, 11, 7, 11, 14).getTime();
  const at = (y: number, m: number, d: number, h = 9) => new Date(y, m, d, h).getTime();

  it('names today, yesterday, this week by weekday, then dates', () => {
    expect(dayLabel(at(2026, 11, 7, 0), now)).toBe('Today');
    expect(dayLabel(at(2026, 11, 6, 23), now)).toBe('Yesterday');
    expect(dayLabel(at(2026, 11, 3), now)).toBe(
      new Intl.DateTimeFormat(undefined, { weekday: 'long' }).format(at(2026, 11, 3)),
    );
    expect(dayLabel(at(2026, 10, 30), now)).not.toMatch(/2026/);
    expect(dayLabel(at(2025, 11, 30), now)).toMatch(/2025/);
  });

  it('tells three days apart, and one day’s hours together', () => {
    const keys = [at(2026, 11, 5), at(2026, 11, 6, 8), at(2026, 11, 6, 22), at(2026, 11, 7)].map(
      dayKey,
    );
    expect(new Set(keys).size).toBe(3);
    expect(keys[1]).toBe(keys[2]);
  });

  it('gives the full date and time on hover', () => {
    expect(fullTime(now)).toMatch(/2026/);
  });
});
