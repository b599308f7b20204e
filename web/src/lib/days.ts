/**
 * Days in a history: the separator between two days ("Today", "Yesterday",
 * "Monday", "3 March", "3 March 2025"), and the full date and time a message's
 * hour shows on hover. All in the browser's own time zone and language.
 */
const DAY = 24 * 3600_000;
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'long' });
const thisYear = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'long' });
const anyYear = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

/** The local calendar day of `at` (ms), as a key. */
export function dayKey(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/** Midnight starting the local day of `at`. */
function startOfDay(at: number): number {
  const d = new Date(at);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** The separator's words for the day of `at`, seen from `now`. */
export function dayLabel(at: number, now: number): string {
  const days = Math.round((startOfDay(now) - startOfDay(at)) / DAY);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days > 1 && days < 7) return weekday.format(at);
  return new Date(at).getFullYear() === new Date(now).getFullYear()
    ? thisYear.format(at)
    : anyYear.format(at);
}

/** "Monday, 7 December 2026 at 11:14": what a message's time says on hover. */
export function fullTime(at: number): string {
  return full.format(at);
}
