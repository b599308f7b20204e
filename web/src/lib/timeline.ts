import { dayKey } from './days.js';
import { interleave, type RoomLine } from './roomEvents.js';

/**
 * What a history shows, row by row, as a messenger lays it out: a separator
 * for each day, "New messages" before the first unread, a room's joins and
 * changes as lines, and messages in groups. Pure, so the rules are tested
 * without a browser.
 */

/** Consecutive messages from one person closer than this form one group (one name, one avatar). */
export const GROUP_GAP_MS = 5 * 60_000;
/** This many comings and goings in a row are summed up in one line ("alice, bob and 3 others joined"). */
export const COLLAPSE_AT = 3;
/** The lines a run may sum up: who came and went. Moderation and topic changes always show. */
const COMINGS = new Set(['joined', 'left', 'invited', 'declined']);

interface Groupable {
  seq: number;
  pending?: unknown;
  from: { userId: string };
  createdAt: number;
}

export type Row<M> =
  | { kind: 'day'; key: string; at: number }
  | { kind: 'new' }
  | { kind: 'line'; line: RoomLine }
  /** A run of comings and goings: its summary; when `open`, its lines follow as rows. */
  | { kind: 'lines'; key: number; summary: string; count: number; open: boolean }
  /** `first`/`last`: where the message sits in its group (a lone message is both). */
  | { kind: 'msg'; message: M; first: boolean; last: boolean };

/** "alice", "alice and bob", "alice, bob and carol", "alice, bob and 3 others". */
export function nameList(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length <= 3) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} others`;
}

const PHRASE: Record<string, (names: string[]) => string> = {
  joined: (n) => `${nameList(n)} joined`,
  left: (n) => `${nameList(n)} left`,
  invited: (n) => `${nameList(n)} ${n.length === 1 ? 'was' : 'were'} invited`,
  declined: (n) => `${nameList(n)} declined ${n.length === 1 ? 'the invitation' : 'invitations'}`,
};

/** One sentence for a run of comings and goings: "alice, bob and 3 others joined; carol left". */
export function summarize(lines: RoomLine[]): string {
  const byKind = new Map<string, string[]>();
  for (const l of lines) {
    const names = byKind.get(l.kind) ?? [];
    const who = l.who ?? 'someone';
    if (!names.includes(who)) names.push(who);
    byKind.set(l.kind, names);
  }
  const parts = [...byKind].map(([kind, names]) => PHRASE[kind]?.(names) ?? '');
  // Names stay as people wrote them: no capital forced on a username.
  return parts.filter(Boolean).join('; ');
}

/** Whether `b` continues `a`'s group: the same person, close in time. */
export function sameGroup(a: Groupable, b: Groupable): boolean {
  return a.from.userId === b.from.userId && Math.abs(b.createdAt - a.createdAt) < GROUP_GAP_MS;
}

export function timelineRows<M extends Groupable>(
  messages: M[],
  lines: RoomLine[],
  opts: {
    /** My read marker when the chat opened: "New messages" goes before the first later one of theirs. */
    readAt?: number | undefined;
    myId?: string | undefined;
    /** Runs of lines shown in full, by the roomSeq of their first line. */
    open?: ReadonlySet<number>;
  } = {},
): Row<M>[] {
  const rows: Row<M>[] = [];
  let day = '';
  let marked = false;
  let run: RoomLine[] = [];

  const flush = () => {
    if (run.length >= COLLAPSE_AT) {
      const key = run[0]!.seq;
      const open = opts.open?.has(key) ?? false;
      rows.push({ kind: 'lines', key, summary: summarize(run), count: run.length, open });
      if (open) for (const line of run) rows.push({ kind: 'line', line });
    } else for (const line of run) rows.push({ kind: 'line', line });
    run = [];
  };

  for (const x of interleave(messages, lines)) {
    const at = 'line' in x ? x.line.at : x.message.createdAt;
    if (at > 0 && dayKey(at) !== day) {
      flush();
      day = dayKey(at);
      rows.push({ kind: 'day', key: day, at });
    }
    if ('line' in x) {
      if (COMINGS.has(x.line.kind)) run.push(x.line);
      else {
        flush();
        rows.push({ kind: 'line', line: x.line });
      }
      continue;
    }
    flush();
    const m = x.message;
    if (
      !marked &&
      opts.readAt !== undefined &&
      !m.pending &&
      m.seq > opts.readAt &&
      m.from.userId !== opts.myId
    ) {
      marked = true;
      rows.push({ kind: 'new' });
    }
    // Only a message right before it can be of its group: a day, a line or "New messages" breaks it.
    const prev = rows.at(-1);
    let joins = false;
    if (prev?.kind === 'msg' && sameGroup(prev.message, m)) {
      prev.last = false;
      joins = true;
    }
    rows.push({ kind: 'msg', message: m, first: !joins, last: true });
  }
  flush();
  return rows;
}
