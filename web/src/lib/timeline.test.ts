import { describe, expect, it } from 'vitest';
import type { RoomLine } from './roomEvents.js';
import { GROUP_GAP_MS, nameList, summarize, timelineRows, type Row } from './timeline.js';

const T = new Date(2026, 11, 7, 10, 0).getTime();
let n = 0;
const msg = (from: string, at: number, extra: { seq?: number; pending?: string } = {}) => ({
  id: `m${++n}`,
  seq: extra.seq ?? n,
  from: { userId: from },
  createdAt: at,
  ...(extra.pending ? { pending: extra.pending } : {}),
});
const line = (seq: number, kind: string, who: string, at = T): RoomLine => ({
  seq,
  at,
  kind,
  who,
  text: `${who} ${kind}`,
});

/** Rows as short strings: "msg:a[first,last]" (groups), "lines:summary", "line:text", "day", "new". */
function show<M extends { from: { userId: string } }>(rows: Row<M>[]): string[] {
  return rows.map((r) =>
    r.kind === 'msg'
      ? `msg:${r.message.from.userId}${r.first ? '<' : ''}${r.last ? '>' : ''}`
      : r.kind === 'lines'
        ? `lines:${r.summary}${r.open ? ' (open)' : ''}`
        : r.kind === 'line'
          ? `line:${r.line.text}`
          : r.kind,
  );
}

describe('timelineRows', () => {
  it('groups consecutive messages of one person within five minutes', () => {
    const rows = timelineRows(
      [
        msg('a', T, { seq: 1 }),
        msg('a', T + 60_000, { seq: 2 }),
        msg('a', T + 120_000, { seq: 3 }),
        msg('b', T + 130_000, { seq: 4 }),
        msg('b', T + 130_000 + GROUP_GAP_MS, { seq: 5 }),
      ],
      [],
    );
    expect(show(rows)).toEqual(['day', 'msg:a<', 'msg:a', 'msg:a>', 'msg:b<>', 'msg:b<>']);
  });

  it('a day separator, a line or "New messages" breaks a group', () => {
    const late = new Date(2026, 11, 7, 23, 59).getTime();
    const rows = timelineRows(
      [
        msg('a', late, { seq: 1 }),
        msg('a', late + 120_000, { seq: 2 }),
        msg('a', late + 130_000, { seq: 4 }),
        msg('a', late + 140_000, { seq: 5 }),
      ],
      [line(3, 'topic', 'b', late + 125_000)],
      { readAt: 4, myId: 'me' },
    );
    expect(show(rows)).toEqual([
      'day',
      'msg:a<>',
      'day',
      'msg:a<>',
      'line:b topic',
      'msg:a<>',
      'new',
      'msg:a<>',
    ]);
  });

  it('my pending message joins my group at the end', () => {
    const rows = timelineRows(
      [msg('me', T, { seq: 1 }), msg('me', T + 1000, { seq: 0, pending: 'sending' })],
      [],
      { readAt: 0, myId: 'me' },
    );
    expect(show(rows)).toEqual(['day', 'msg:me<', 'msg:me>']);
  });

  it('sums up three or more comings and goings in a row; two stay as they are', () => {
    const lines = [
      line(1, 'created', 'a'),
      line(2, 'joined', 'bob'),
      line(3, 'joined', 'carol'),
      line(4, 'joined', 'dave'),
      line(5, 'joined', 'erin'),
      line(6, 'left', 'carol'),
      line(8, 'joined', 'fred'),
      line(9, 'left', 'fred'),
    ];
    const rows = timelineRows([msg('a', T, { seq: 7 })], lines);
    expect(show(rows)).toEqual([
      'day',
      'line:a created',
      'lines:bob, carol and 2 others joined; carol left',
      'msg:a<>',
      'line:fred joined',
      'line:fred left',
    ]);
    const open = timelineRows([msg('a', T, { seq: 7 })], lines, { open: new Set([2]) });
    expect(show(open).slice(2, 8)).toEqual([
      'lines:bob, carol and 2 others joined; carol left (open)',
      'line:bob joined',
      'line:carol joined',
      'line:dave joined',
      'line:erin joined',
      'line:carol left',
    ]);
  });

  it('a moderation line is never folded into a run', () => {
    const rows = timelineRows(
      [],
      [
        line(1, 'joined', 'a'),
        line(2, 'joined', 'b'),
        line(3, 'kicked', 'c'),
        line(4, 'joined', 'd'),
        line(5, 'joined', 'e'),
      ],
    );
    expect(show(rows)).toEqual([
      'day',
      'line:a joined',
      'line:b joined',
      'line:c kicked',
      'line:d joined',
      'line:e joined',
    ]);
  });
});

describe('summaries', () => {
  it('names up to three, then counts', () => {
    expect(nameList(['a'])).toBe('a');
    expect(nameList(['a', 'b'])).toBe('a and b');
    expect(nameList(['a', 'b', 'c'])).toBe('a, b and c');
    expect(nameList(['a', 'b', 'c', 'd', 'e'])).toBe('a, b and 3 others');
  });

  it('one phrase per kind, each person once, hostile names kept as text', () => {
    expect(
      summarize([
        line(1, 'invited', '<b>x</b>'),
        line(2, 'invited', 'y'),
        line(3, 'declined', 'y'),
        line(4, 'joined', 'You'),
        line(5, 'left', 'You'),
        line(6, 'joined', 'You'),
      ]),
    ).toBe('<b>x</b> and y were invited; y declined the invitation; You joined; You left');
  });
});
