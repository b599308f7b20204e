import { describe, expect, it } from 'vitest';
import { firstLine } from './quote.js';
import { iReacted, reactionLabel } from './reactions.js';
import { snippetPieces } from './snippet.js';
import { laterMarkers, tickFor } from './ticks.js';
import { detachedUpdate, keepNewest, keepOldest } from './window.js';

const msg = (n: number, pending?: 'sending') => ({ id: `m${n}`, clientId: `c${n}`, pending });

describe('history window', () => {
  it('keeps the newest stored messages and every pending one', () => {
    const list = [msg(1), msg(2), msg(3), msg(4, 'sending')];
    expect(keepNewest(list, 2)).toEqual({
      list: [msg(2), msg(3), msg(4, 'sending')],
      dropped: true,
    });
    expect(keepNewest(list, 3)).toEqual({ list, dropped: false });
  });

  it('keeps the oldest stored messages and every pending one', () => {
    expect(keepOldest([msg(1), msg(2), msg(3)], 2)).toEqual({
      list: [msg(1), msg(2)],
      dropped: true,
    });
    const pending = [msg(1), msg(2), msg(3, 'sending')];
    expect(keepOldest(pending, 1)).toEqual({ list: [msg(1), msg(3, 'sending')], dropped: true });
    expect(keepOldest(pending, 2)).toEqual({ list: pending, dropped: false });
  });

  it('while detached, only updates what is shown and lets landed sends go', () => {
    const list = [
      msg(1),
      msg(2),
      { id: 'pending:c9', clientId: 'c9', pending: 'sending' as const },
    ];
    const r = detachedUpdate(list, [msg(2), msg(7), msg(9)]);
    expect(r.shown).toEqual([msg(2)]);
    expect(r.list).toEqual([msg(1), msg(2)]);
  });
});

describe('snippets', () => {
  it('splits marked matches from text', () => {
    expect(snippetPieces('\u0002Tea\u0003 at 4? \u0002tea\u0003!')).toEqual([
      { text: 'Tea', mark: true },
      { text: ' at 4? ', mark: false },
      { text: 'tea', mark: true },
      { text: '!', mark: false },
    ]);
  });

  it('keeps markup as text and drops stray markers', () => {
    expect(snippetPieces('<b>x</b>\u0003 y')).toEqual([
      { text: '<b>x</b>', mark: false },
      { text: ' y', mark: false },
    ]);
  });
});

describe('quotes', () => {
  it('takes the first non-empty line and cuts long ones', () => {
    expect(firstLine('\n  hello\nworld')).toBe('hello');
    expect(firstLine('abcdef', 4)).toBe('abc…');
    expect(firstLine('👍👍👍', 3)).toBe('👍👍👍');
  });
});

describe('reactions', () => {
  const r = { emoji: '👍', count: 2, userIds: ['a', 'b'] };
  it('says the count and whether I reacted', () => {
    expect(reactionLabel(r, 'a')).toBe('👍 2, you reacted');
    expect(reactionLabel(r, 'c')).toBe('👍 2');
    expect(iReacted([r], '👍', 'b')).toBe(true);
    expect(iReacted([r], '🎉', 'b')).toBe(false);
    expect(iReacted([r], '👍', undefined)).toBe(false);
  });
});

describe('ticks', () => {
  it('follows the other person’s markers', () => {
    const theirs = { delivered: 5, read: 3 };
    expect(tickFor({ seq: 3 }, theirs)).toBe('read');
    expect(tickFor({ seq: 4 }, theirs)).toBe('delivered');
    expect(tickFor({ seq: 6 }, theirs)).toBe('sent');
    expect(tickFor({ seq: 1 }, null)).toBe('sent');
    expect(tickFor({ seq: 0, pending: 'sending' }, theirs)).toBe('sending');
  });

  it('never moves markers back; read implies delivered', () => {
    expect(laterMarkers({ delivered: 5, read: 3 }, { delivered: 4, read: 4 })).toEqual({
      delivered: 5,
      read: 4,
    });
    expect(laterMarkers(null, { delivered: 0, read: 2 })).toEqual({ delivered: 2, read: 2 });
  });

  it('a message they never saw stays "sent" once markers pass it, and stays so', () => {
    const theirs = laterMarkers({ delivered: 9, read: 9, unseen: [4] }, { delivered: 9, read: 9 });
    expect(tickFor({ seq: 4 }, theirs)).toBe('sent');
    expect(tickFor({ seq: 5 }, theirs)).toBe('read');
    const more = laterMarkers(theirs, { delivered: 12, read: 12, unseen: [11, 4] });
    expect(more.unseen).toEqual([4, 11]);
  });
});
