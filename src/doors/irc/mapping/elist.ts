/**
 * LIST's filters (ELIST=CMNTU, https://modern.ircdocs.horse/#elist-parameter). Pure.
 *
 *   parseListFilter('#tea*,!*test*,>3,C<60')
 *   -> { masks: ['#tea*'], not: ['*test*'], users: { more: 3 }, created: { less: 60 } }
 *   matchesList(filter, { channel: '#teahouse', users: 5, createdAt, topicAt }, now) -> true
 *
 * Items are comma separated: a channel name or mask (`*`, `?`; M) lists what matches
 * any of them; `!mask` (N) leaves out what matches; `>n`, `<n` (U) bound the member
 * count; `C>n`, `C<n` (C) the channel's age and `T>n`, `T<n` (T) the topic's, in
 * minutes. Every condition must hold. An item that is none of these is a mask that
 * matches no channel. At most MAX_ITEMS items of at most MAX_ITEM characters are read.
 */
export const ELIST = 'CMNTU';
export const MAX_ITEMS = 20;
const MAX_ITEM = 64;

export interface Range {
  more?: number;
  less?: number;
}

export interface ListFilter {
  masks: string[];
  not: string[];
  users: Range;
  created: Range;
  topic: Range;
}

export function parseListFilter(param: string | undefined): ListFilter {
  const f: ListFilter = { masks: [], not: [], users: {}, created: {}, topic: {} };
  if (!param) return f;
  for (const raw of param.split(',').slice(0, MAX_ITEMS)) {
    const item = raw.slice(0, MAX_ITEM);
    if (item === '') continue;
    const m = /^([CT]?)([<>])(\d{1,9})$/.exec(item);
    if (m) {
      const range = m[1] === 'C' ? f.created : m[1] === 'T' ? f.topic : f.users;
      const n = Number(m[3]);
      if (m[2] === '>') range.more = Math.max(range.more ?? 0, n);
      else range.less = Math.min(range.less ?? Infinity, n);
    } else if (item.startsWith('!') && item.length > 1) f.not.push(item.slice(1));
    else f.masks.push(item);
  }
  return f;
}

const within = (r: Range, v: number) =>
  (r.more === undefined || v > r.more) && (r.less === undefined || v < r.less);

export interface ListedChannel {
  channel: string;
  users: number;
  createdAt: number;
  /** null: no topic was ever set (a T condition then never holds). */
  topicAt: number | null;
}

export function matchesList(f: ListFilter, c: ListedChannel, now: number): boolean {
  if (f.masks.length && !f.masks.some((m) => globMatch(m, c.channel))) return false;
  if (f.not.some((m) => globMatch(m, c.channel))) return false;
  if (!within(f.users, c.users)) return false;
  const minutes = (at: number) => Math.floor((now - at) / 60_000);
  if (
    (f.created.more !== undefined || f.created.less !== undefined) &&
    !within(f.created, minutes(c.createdAt))
  )
    return false;
  if (f.topic.more !== undefined || f.topic.less !== undefined) {
    if (c.topicAt === null || !within(f.topic, minutes(c.topicAt))) return false;
  }
  return true;
}

const fold = (s: string) => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());

/**
 * IRC's wildcard match (`*` any run, `?` one character), ASCII case-insensitive,
 * in linear steps with one backtrack point: no pattern can make it slow.
 */
export function globMatch(pattern: string, text: string): boolean {
  const p = fold(pattern);
  const t = fold(text);
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < t.length) {
    if (i < p.length && (p[i] === '?' || p[i] === t[j])) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else return false;
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}
