import { describe, expect, it, vi } from 'vitest';
import { ParleyError } from './errors.js';
import {
  type CoreEvent,
  type LogEvent,
  logSeq,
  type TimelineEvent,
  timelinePos,
} from './events.js';
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
          events.push({ seq: s, name: 'message', n: s } as unknown as LogEvent);
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
            roomSeq: s,
            room: { id: r.id, name: q.room as string },
          } as unknown as TimelineEvent);
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
    replayed: (e) => out.push(`replay ${e.name} ${pos(e)}`),
    live: (e) => out.push(`live ${e.name} ${pos(e)}`),
    caughtUp: (r) => out.push(`caughtUp ${r.ok} ${r.cursor} ${JSON.stringify(r.rooms)}`),
    gone: () => gone,
  };
  return { out, sink, leave: () => (gone = true) };
}

const pos = (e: CoreEvent) => logSeq(e) ?? timelinePos(e)?.roomSeq ?? '-';
const typing = { name: 'typing' } as unknown as CoreEvent;
const logEvent = (seq: number) => ({ name: 'message', seq }) as unknown as CoreEvent;
const roomEvent = (id: string, roomSeq: number) =>
  ({ name: 'room.message', roomSeq, room: { id, name: id } }) as unknown as CoreEvent;

describe('a session feed', () => {
  it('without cursors passes live events straight through', async () => {
    const { feeds } = world({ log: 5 });
    const r = recorder();
    const feed = await feeds.open('u', r.sink);
    feed.push(logEvent(6));
    feed.push(typing);
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

/**
 * A store that changes under the feed (a bus outage: events are stored but
 * never arrive live), for feeds that track positions.
 */
function liveWorld() {
  const log: LogEvent[] = [];
  const rooms = new Map<string, { id: string; head: number; members: Set<string> }>();
  let failing = false;
  const roomEvent = (name: string, roomSeq: number): TimelineEvent => {
    const r = rooms.get(name)!;
    return { name: 'room.message', roomSeq, room: { id: r.id, name } } as unknown as TimelineEvent;
  };
  const deps = {
    messages: {
      head: async () => log.length,
      sync: async (_u: string, after: unknown, limit: unknown) => {
        if (failing) throw new Error('store down');
        const from = after as number;
        const page = log.slice(from, from + (limit as number));
        const cursor = from + page.length;
        return { events: page, cursor, head: log.length, more: cursor < log.length };
      },
    },
    roomChat: {
      events: async (u: string, q: { room: unknown; after?: unknown; limit?: unknown }) => {
        const r = rooms.get(q.room as string);
        if (!r || !r.members.has(u)) throw new ParleyError('forbidden', 'not a member');
        const from = q.after as number;
        const to = Math.min(r.head, from + (q.limit as number));
        const events = [];
        for (let s = from + 1; s <= to; s++) events.push(roomEvent(q.room as string, s));
        return { events, cursor: to, head: r.head, more: to < r.head };
      },
    },
    live: { ready: async () => {} },
    tracking: {
      roomHeads: async (u: string) =>
        [...rooms.entries()]
          .filter(([, r]) => r.members.has(u))
          .map(([name, r]) => ({ id: r.id, name, head: r.head })),
      gapGraceMs: 1000,
    },
  };
  return {
    feeds: createFeeds(deps),
    /** Stores a log event; returns it as it would arrive live. */
    append(name = 'message', data: Record<string, unknown> = {}): CoreEvent {
      const e = { ...data, name, seq: log.length + 1 } as unknown as LogEvent;
      log.push(e);
      return e;
    },
    room(name: string, id: string, members: string[], head = 0) {
      rooms.set(name, { id, head, members: new Set(members) });
    },
    /** Stores a room event; returns it as it would arrive live. */
    post(name: string): CoreEvent {
      const r = rooms.get(name)!;
      r.head++;
      return roomEvent(name, r.head);
    },
    leave(name: string, u: string) {
      rooms.get(name)!.members.delete(u);
    },
    fail: (on: boolean) => (failing = on),
  };
}

describe('a tracking feed (a bus that can lose messages)', () => {
  it('resyncs what a bus outage lost, log and rooms, each once, holding live events meanwhile', async () => {
    const w = liveWorld();
    w.room('tardis', 'R1', ['u']);
    w.append();
    const r = recorder();
    const feed = await w.feeds.open('u', r.sink);
    feed.push(w.append()); // seq 2 and roomSeq 1 arrive live
    feed.push(w.post('tardis'));
    // The outage: stored, never told. One of the user's own sends was answered, not sent.
    w.append();
    w.post('tardis');
    w.post('tardis');
    feed.pass(w.append());
    // Arrives after the bus came back, before the resync reads the store.
    const late = w.append();
    feed.push(late);
    r.out.length = 0;
    await feed.resync();
    expect(r.out).toEqual(['replay message 3', 'replay room.message 2', 'replay room.message 3']);
    // Later live copies (another node's buffer flushed late) are dropped.
    feed.push(late);
    feed.push(w.post('tardis'));
    expect(r.out.slice(3)).toEqual(['live room.message 4']);
    // Nothing new: a second resync sends nothing.
    await feed.resync();
    expect(r.out).toHaveLength(4);
  });

  it('holds live events that arrive during a resync and sends them after, once', async () => {
    const w = liveWorld();
    const r = recorder();
    const feed = await w.feeds.open('u', r.sink);
    w.append(); // lost
    const p = feed.resync();
    const during = w.append();
    feed.push(during);
    feed.push(typing);
    await p;
    expect(r.out).toEqual(['replay message 1', 'live message 2', 'live typing -']);
  });

  it('follows the rooms the user joins and leaves meanwhile (from the log)', async () => {
    const w = liveWorld();
    w.room('old', 'R1', ['u'], 4);
    const r = recorder();
    const feed = await w.feeds.open('u', r.sink);
    // During the outage: joined a new room (its join is roomSeq 1), two messages there; left the old one.
    w.room('new', 'R2', ['u']);
    w.post('new');
    w.append('room.joined', { room: { id: 'R2', name: 'new', head: 1 } });
    w.post('new');
    w.post('new');
    w.leave('old', 'u');
    w.post('old');
    w.append('room.left', { room: { id: 'R1', name: 'old' } });
    await feed.resync();
    expect(r.out).toEqual([
      'replay room.joined 1',
      'replay room.left 2',
      'replay room.message 1',
      'replay room.message 2',
      'replay room.message 3',
    ]);
  });

  it('takes a gap for one only after a grace period, then resyncs', async () => {
    vi.useFakeTimers();
    try {
      const w = liveWorld();
      const r = recorder();
      const feed = await w.feeds.open('u', r.sink);
      const [e1, e2, e3, e4] = [w.append(), w.append(), w.append(), w.append()];
      // Out of order within the grace period: no resync.
      feed.push(e2);
      feed.push(e1);
      await vi.advanceTimersByTimeAsync(5000);
      // 3 never comes (lost on the bus): 4 opens a gap that the grace period does not close.
      feed.push(e4);
      await vi.advanceTimersByTimeAsync(999);
      expect(r.out).toEqual(['live message 2', 'live message 1', 'live message 4']);
      await vi.advanceTimersByTimeAsync(1);
      await vi.waitFor(() => expect(r.out).toHaveLength(4));
      expect(r.out[3]).toBe('replay message 3');
      feed.push(e3);
      expect(r.out).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('tells the client to sync when the store fails during a resync, and tries again next time', async () => {
    const w = liveWorld();
    w.room('tardis', 'R1', ['u'], 2);
    const r = recorder();
    r.sink.resyncFailed = (x) => r.out.push(`resyncFailed ${x.cursor} ${JSON.stringify(x.rooms)}`);
    const feed = await w.feeds.open('u', r.sink);
    w.append();
    w.fail(true);
    await feed.resync();
    expect(r.out).toEqual(['resyncFailed 0 {"tardis":2}']);
    w.fail(false);
    await feed.resync();
    expect(r.out.slice(1)).toEqual(['replay message 1']);
  });

  it('resyncAll reaches every open feed, not the gone ones; a cursor feed resyncs after its catch-up', async () => {
    const w = liveWorld();
    const a = recorder();
    const b = recorder();
    const c = recorder();
    await w.feeds.open('u', a.sink);
    const fb = await w.feeds.open('u', b.sink, { cursor: 0 });
    await w.feeds.open('u', c.sink);
    c.leave();
    w.append();
    // b has not caught up yet: its catch-up reads the store anyway.
    expect(await w.feeds.resyncAll()).toBe(2);
    expect(a.out).toEqual(['replay message 1']);
    await fb.catchUp();
    expect(b.out).toEqual(['replay message 1', 'caughtUp true 1 {}']);
    expect(c.out).toEqual([]);
  });
});
