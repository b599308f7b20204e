/**
 * This device's preferences for one user, kept in localStorage as JSON. Whatever
 * is stored (an older version, a hand edit) is read field by field; anything
 * out of range falls back to its default.
 */
export type Theme = 'system' | 'light' | 'dark';

export interface Prefs {
  /** Desktop notifications while the tab is hidden. */
  notify: boolean;
  /** A short sound for the same messages. */
  sound: boolean;
  /** Show me as away after `awayMinutes` without input. */
  autoAway: boolean;
  /** Minutes; fractions are accepted (tests use a few seconds), at most a day. */
  awayMinutes: number;
  theme: Theme;
}

export const DEFAULT_PREFS: Prefs = {
  notify: false,
  sound: false,
  autoAway: true,
  awayMinutes: 10,
  theme: 'system',
};

export const MAX_AWAY_MINUTES = 24 * 60;

export function parsePrefs(raw: string | null): Prefs {
  let v: Record<string, unknown> = {};
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      v = parsed as Record<string, unknown>;
  } catch {
    /* unreadable: the defaults */
  }
  const bool = (k: keyof Prefs) =>
    typeof v[k] === 'boolean' ? (v[k] as boolean) : (DEFAULT_PREFS[k] as boolean);
  const mins = v.awayMinutes;
  return {
    notify: bool('notify'),
    sound: bool('sound'),
    autoAway: bool('autoAway'),
    awayMinutes:
      typeof mins === 'number' && Number.isFinite(mins) && mins > 0 && mins <= MAX_AWAY_MINUTES
        ? mins
        : DEFAULT_PREFS.awayMinutes,
    theme: v.theme === 'light' || v.theme === 'dark' ? v.theme : 'system',
  };
}

/** The minutes typed in the form, or an error sentence. */
export function readMinutes(input: string): number | string {
  const n = Number(input.trim());
  if (!input.trim() || !Number.isInteger(n) || n < 1 || n > MAX_AWAY_MINUTES)
    return `Enter a whole number of minutes from 1 to ${MAX_AWAY_MINUTES}.`;
  return n;
}
