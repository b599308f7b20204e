import { describe, expect, it } from 'vitest';
import { ParleyError } from './errors.js';
import type { ParleyEvent } from './events.js';
import { createFeeds, type FeedSink } from './feed.js';

/** A user log of `n` message events and rooms' timelines, served in pages like the store does. */
function world(opts: { log: number; rooms?: Record<string, { id: string; head: number }> }) {
  const calls: string[] = [];
  let failAt: number | undefined;
  let onPage: (() => void) | undefined;
  const deps = {
    messages: {
      head: async () => opts.log,
      sync: async (_u: string, after: unknown, limit: unknown) => {
        const from = after as number;
        calls.push(`sync ${from}`);
        onPage?.();
        if (failAt !== undefined && from >= failAt) throw new Error('store down');
        const to = Math.min(opts.log, from + (limit as number));
        const events = [];
        for (let s = from + 1; s <= to; s++)
          events.push({ seq: s, name: 'message', data: { n: s } });
        return { events, cursor: to, head: opts.log, more: to < opts.log };
      },
    },
    roomChat: {
      events: async (_u: string, q: { room: unknown; after?: unknown; limit?: unknown }) => {
        const r = opts.rooms?.[q.room as string];
        if (!r) throw new ParleyError('forbidden', 'not a member');
        const from = q.after as number;
        const to = Math.min(r.head, from + (q.limit as number));
        const events = [];
        for (let s = from + 1; s <= to; s++)
          events.push({
            name: 'room.message',
            data: { roomSeq: s, room: { id: r.id, name: q.room } },
          });
        return { events, cursor: to, head: r.head, more: to < r.head };
      },
    },
    live: { ready: async () => {} },
  };
  return {
    feeds: createFeeds(deps),
    calls,
    failFrom: (n: number) => (failAt = n),
    duringPages: (fn: () => void) => (onPage = fn),
  };
}

function recorder() {
  const out: string[] = [];
  let gone = false;
  const sink: FeedSink = {
    replayed: (e) => out.push(`replay ${e.name} ${(e.data.seq ?? e.data.roomSeq) as number}`),
    live: (e) => out.push(`live ${e.name} ${(e.data.seq ?? e.data.roomSeq ?? '-') as number}`),
    caughtUp: (r) => out.push(`caughtUp ${r.ok} ${r.cursor} ${JSON.stringify(r.rooms)}`),
    gone: () => gone,
  };
  return { out, sink, leave: () => (gone = true) };
}

const logEvent = (seq: number): ParleyEvent => ({ name: 'message', data: { seq } });
const roomEvent = (id: string, roomSeq: number): ParleyEvent => ({
  name: 'room.message',
  data: { roomSeq, room: { id } },
});

describe('a session feed', () => {
  it('without cursors passes live events straight through', async () => {
    const { feeds } = world({ log: 5 });
    const r = recorder();
    const feed = await feeds.open('u', r.sink);
    feed.push(logEvent(6));
    feed.push({ name: 'typing', data: {} });
    await feed.catchUp();
    expect(r.out).toEqual(['live message 6', 'live typing -']);
  });

  it('holds live events during the replay, then sends them once, after what was missed', async () => {
    const w = world({ log: 450 });
    const r = recorder();
    const feed = await w.feeds.open('u', r.sink, { cursor: 440 });
    // Arrive before and during the replay: one already in the store, one new.
    feed.push(logEvent(445));
    w.duringPages(() => feed.push(logEvent(451)));
    await feed.catchUp();
    expect(r.out).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `replay message ${441 + i}`),
      'caughtUp true 450 {}',
      'live message 451',
    ]);
    // A late duplicate from another node after going live is still dropped.
    feed.push(logEvent(450));
    feed.push(logEvent(452));
    expect(r.out.slice(-1)).toEqual(['live message 452']);
  });

  it('replays in pages from the cursor to the head', async () => {
    const w = world({ log: 450 });
    const r = recorder();
    const feed = await w.feeds.open('u', r.sink, { cursor: 0 });
    await feed.catchUp();
    expect(w.calls).toEqual(['sync 0', 'sync 200', 'sync 400']);
    expect(r.out.filter((l) => l.startsWith('replay'))).toHaveLength(450);
    expect(r.out.at(-1)).toBe('caughtUp true 450 {}');
  });

  it('replays each room from its cursor and drops live room events the replay covered', async () => {
    const w = world({ log: 0, rooms: { tardis: { id: 'R1', head: 7 } } });
    const r = recorder();
    const feed = await w.feeds.open('u', r.sink, { cursor: 0, rooms: { tardis: 5, gone: 2 } });
    feed.push(roomEvent('R1', 7));
    feed.push(roomEvent('R1', 8));
    await feed.catchUp();
    expect(r.out).toEqual([
      'replay room.message 6',
      'replay room.message 7',
      // A room that can no longer be read is left out of the positions.
      'caughtUp true 0 {"tardis":7}',
      'live room.message 8',
    ]);
  });

  it('says how far it got when the store fails part-way, and still goes live', async () => {
    const w = world({ log: 450 });
    w.failFrom(200);
    const r = recorder();
    const feed = await w.feeds.open('u', r.sink, { cursor: 0 });
    feed.push(logEvent(451));
    await feed.catchUp();
    expect(r.out.slice(-2)).toEqual(['caughtUp false 200 {}', 'live message 451']);
  });

  it('stops paging when the client is gone', async () => {
    const w = world({ log: 450 });
    const r = recorder();
    const feed = await w.feeds.open('u', r.sink, { cursor: 0 });
    w.duringPages(() => r.leave());
    await feed.catchUp();
    expect(w.calls).toEqual(['sync 0']);
  });

  it('refuses cursors past the end of the log, negative or fractional', async () => {
    const { feeds } = world({ log: 3 });
    const r = recorder();
    for (const cursor of [4, -1, 1.5])
      await expect(feeds.open('u', r.sink, { cursor })).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'cursor',
      });
    await expect(
      feeds.open('u', r.sink, {
        cursor: 0,
        rooms: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`r${i}`, 0])),
      }),
    ).rejects.toMatchObject({ condition: 'bad-request', field: 'rooms' });
  });
});
