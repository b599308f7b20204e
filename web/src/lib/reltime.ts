const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * "just now", "5 minutes ago", "yesterday", "3 days ago", then a date: how long
 * ago `at` was, seen from `now` (both ms). Coarse on purpose: it is redrawn
 * every half minute, not every second.
 */
export function timeAgo(at: number, now: number): string {
  const d = Math.max(0, now - at);
  if (d < MINUTE) return 'just now';
  if (d < HOUR) return plural(Math.floor(d / MINUTE), 'minute');
  if (d < DAY) return plural(Math.floor(d / HOUR), 'hour');
  if (d < 2 * DAY) return 'yesterday';
  if (d < 7 * DAY) return plural(Math.floor(d / DAY), 'day');
  return `on ${new Date(at).toLocaleDateString()}`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
}

/** A wait of `seconds` in words, rounded up: "45 seconds", "20 minutes", "1 hour". */
export function waitFor(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  const say = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (s < 90) return say(s, 'second');
  // 59 minutes and a few seconds rounds up to an hour, never to "60 minutes".
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return say(minutes, 'minute');
  return say(Math.ceil(s / 3600), 'hour');
}
