/**
 * The time beside a chat in the chat list, as messengers show it: the hour for
 * today, the weekday within the last week, the day and month this year, else a
 * short date. In the browser's own time zone and language. Pure.
 */
const hour = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const dayMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const short = new Intl.DateTimeFormat(undefined, { dateStyle: 'short' });

const DAY = 24 * 3600_000;

function startOfDay(at: number): number {
  const d = new Date(at);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

export function listTime(at: number, now: number): string {
  const days = Math.round((startOfDay(now) - startOfDay(at)) / DAY);
  // A clock a little behind the server's makes a message from "the future": still today.
  if (days <= 0) return hour.format(at);
  if (days < 7) return weekday.format(at);
  if (new Date(at).getFullYear() === new Date(now).getFullYear()) return dayMonth.format(at);
  return short.format(at);
}
