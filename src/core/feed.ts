import { ParleyError } from './errors.js';
import { type CoreEvent, type LogEvent, logSeq, timelinePos } from './events.js';
import type { LiveReadiness } from './live.js';
import type { MessageService } from './messages/service.js';
import type { RoomChat } from './rooms/chat.js';
import type { Session } from './sessions.js';

/**
 * A session's feed: what one connected client receives, whatever its door.
 * A client that comes back with cursors (its user-log position, and a
 * position per room) first gets what it missed, read from the store, then
 * live events, in order and each once: live events that arrive during the
 * replay wait, and those the replay already covered are dropped. Every door
 * (WebSocket, IRC, XMPP, and stream resumption later) consumes this instead
 * of keeping its own copy of the rules.
 *
 * Positions: a log event carries `seq` (the user's log), a room event
 * `roomSeq` and `room.id` (that room's timeline); see DEVELOPING.md 13, 18.
 *
 * When the bus can lose messages (NATS: an outage, a node that reconnects
 * later), a feed also tracks, per stream (the log, each of the user's rooms),
 * the highest position up to which everything was delivered, and `resync()`
 * catches up from there, the same way: live events held, the store read, the
 * held events released, nothing twice. A live event that skips a position
 * (seq 12 after 10) is a gap: events may legitimately arrive a little out of
 * order (two commits finishing on different connections, another node), so a
 * gap that is still open after `gapGraceMs` triggers a resync.
 */

/** Where a door wants its session's events. */
export interface FeedSink {
  /** An event read back from the store during catch-up: built for this session alone. */
  replayed(e: CoreEvent): void;
  /** A live event; the same object may reach many sessions (encode it once, cache per door). */
  live(e: CoreEvent): void;
  /**
   * The catch-up ended: `ok` false when the store failed part-way (the client
   * should sync from the positions given). `rooms` maps the room names asked
   * for to the position reached; a room that can no longer be read is left out.
   */
  caughtUp(r: { ok: boolean; cursor: number; rooms: Record<string, number> }): void;
  /**
   * A resync (after a bus outage or a gap) could not read everything: the
   * client should sync from these positions (room names -> roomSeq). A resync
   * that succeeds says nothing: its events are ordinary events.
   */
  resyncFailed?(r: { cursor: number; rooms: Record<string, number> }): void;
  /** True once the client is gone: the replay stops paging. */
  gone(): boolean;
}

export interface FeedCursors {
  /** The user-log position the client has seen (0: everything). */
  cursor: number;
  /** Room name -> the roomSeq the client has seen. */
  rooms?: Record<string, number>;
}

export interface Feed {
  /** The session's `send`: live events, held while catching up, deduplicated after. */
  push(e: CoreEvent): void;
  /**
   * The session's `passed`: an event this session was not sent because it made
   * the change itself (its reply carries it). Counts as delivered.
   */
  pass(e: CoreEvent): void;
  /**
   * Replays what the client missed, then releases the held live events. Call
   * it once the client has been answered (its events follow the answer). A
   * feed opened without cursors has nothing to replay.
   */
  catchUp(): Promise<void>;
  /**
   * Sends what this session should have received live since its positions and
   * did not (a bus outage), holding live events meanwhile; nothing twice.
   * Without tracking (a bus that cannot lose messages) it does nothing.
   */
  resync(): Promise<void>;
}

export interface Feeds {
  /**
   * A feed for `userId`. With cursors, checks them against the store (a cursor
   * past the end of the log is `bad-request`) and holds live events from now
   * until `catchUp`; without, live events pass straight through.
   */
  open(userId: string, sink: FeedSink, from?: FeedCursors): Promise<Feed>;
  /**
   * Resyncs every open feed (a few at a time); resolves with how many it
   * resynced once all are done.
   */
  resyncAll(): Promise<number>;
}

/** The two callbacks a door's Session takes from its feed. */
export function sessionCallbacks(feed: Feed): Pick<Session, 'send' | 'passed'> {
  return { send: (e) => feed.push(e), passed: (e) => feed.pass(e) };
}

/** At most this many rooms are replayed at once (more: rooms.events). */
export const MAX_REPLAY_ROOMS = 1000;
const PAGE = 200;
/** Positions delivered ahead of a gap, per stream; beyond, resync at once. */
const MAX_AHEAD = 1000;
/** Feeds resynced at the same time by resyncAll. */
const RESYNC_CONCURRENCY = 8;

export interface FeedDeps {
  messages: Pick<MessageService, 'sync' | 'head'>;
  roomChat: Pick<RoomChat, 'events'>;
  live: LiveReadiness;
  onError?: (err: unknown) => void;
  /**
   * Given when the bus can lose messages: feeds then track positions from the
   * start (the log's head and these room heads, read at open) and can resync.
   */
  tracking?: {
    roomHeads(userId: string): Promise<{ id: string; name: string; head: number }[]>;
    /** How long a gap may stay open before it triggers a resync (default 1000 ms). */
    gapGraceMs?: number;
  };
}

export function createFeeds(deps: FeedDeps): Feeds {
  const open = new Set<SessionFeed>();
  let pruneAt = 64;
  const prune = () => {
    for (const f of open) if (f.gone()) open.delete(f);
    pruneAt = Math.max(64, open.size * 2);
  };
  return {
    async open(userId, sink, from) {
      let head: number | undefined;
      if (from) {
        if (!Number.isSafeInteger(from.cursor) || from.cursor < 0)
          throw new ParleyError('bad-request', 'cursor must be a whole number, 0 or more', {
            field: 'cursor',
          });
        if (from.rooms && Object.keys(from.rooms).length > MAX_REPLAY_ROOMS)
          throw new ParleyError('bad-request', `at most ${MAX_REPLAY_ROOMS} rooms are replayed`, {
            field: 'rooms',
          });
        head = await deps.messages.head(userId);
        if (from.cursor > head)
          throw new ParleyError('bad-request', `cursor is past the end of your log (${head})`, {
            field: 'cursor',
          });
      }
      const feed = new SessionFeed(deps, userId, sink, from);
      if (deps.tracking) {
        const rooms = await deps.tracking.roomHeads(userId);
        feed.track(from ? from.cursor : await deps.messages.head(userId), rooms);
        if (open.size >= pruneAt) prune();
        open.add(feed);
      }
      return feed;
    },
    async resyncAll() {
      prune();
      const feeds = [...open];
      let next = 0;
      const worker = async () => {
        while (next < feeds.length) await feeds[next++]!.resync();
      };
      await Promise.all(Array.from({ length: RESYNC_CONCURRENCY }, worker));
      return feeds.length;
    },
  };
}

/**
 * One stream's position: everything up to `pos` was delivered, and the
 * positions in `ahead` too (arrived before a predecessor). `waitingFor` is the
 * first missing position when the gap timer was set.
 */
interface Stream {
  pos: number;
  ahead: Set<number>;
  waitingFor?: number;
}

interface RoomStream extends Stream {
  name: string;
}

const stream = (pos: number): Stream => ({ pos, ahead: new Set() });

/** Records `n` as delivered; false when it already was. */
function mark(s: Stream, n: number): boolean {
  if (n <= s.pos || s.ahead.has(n)) return false;
  if (n === s.pos + 1) {
    s.pos = n;
    while (s.ahead.delete(s.pos + 1)) s.pos++;
  } else s.ahead.add(n);
  return true;
}

/** Everything up to `n` has been delivered (a replay read that far). */
function reach(s: Stream, n: number): void {
  if (n <= s.pos) return;
  s.pos = n;
  for (const a of s.ahead) if (a <= n) s.ahead.delete(a);
  while (s.ahead.delete(s.pos + 1)) s.pos++;
}

const delivered = (s: Stream, n: number) => n <= s.pos || s.ahead.has(n);

/** Read-only in practice: only ever read or deleted from (a no-op when empty). */
const NO_ROOMS = new Map<string, RoomStream>();

class SessionFeed implements Feed {
  /** Live events that arrived while catching up; undefined once live. */
  private held: CoreEvent[] | undefined;
  /**
   * The log position delivered: from the cursor (or the head at open when
   * tracking), moved by the replay and by live events. Undefined: not tracked,
   * live events pass (a feed without cursors on a bus that loses nothing).
   */
  private log: Stream | undefined;
  /** The same per room (room id), for rooms replayed or, when tracking, all the user's rooms. */
  private rooms: Map<string, RoomStream> = NO_ROOMS;
  private tracking = false;
  private resyncing: Promise<void> | undefined;
  private again = false;
  /** A resync asked for while the first catch-up had not finished. */
  private resyncAfterCatchUp = false;
  private gapTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: FeedDeps,
    private readonly userId: string,
    private readonly sink: FeedSink,
    private readonly from: FeedCursors | undefined,
  ) {
    if (from) this.held = [];
  }

  /** Most feeds never track a room: they share one empty map until they do (memory per connection). */
  private writableRooms(): Map<string, RoomStream> {
    if (this.rooms === NO_ROOMS) this.rooms = new Map();
    return this.rooms;
  }

  /** Starts tracking from the log position `cursor` and these room heads. */
  track(cursor: number, rooms: { id: string; name: string; head: number }[]): void {
    this.tracking = true;
    this.log = stream(cursor);
    for (const r of rooms) this.writableRooms().set(r.id, { ...stream(r.head), name: r.name });
  }

  gone(): boolean {
    return this.sink.gone();
  }

  push(e: CoreEvent): void {
    if (this.held) this.held.push(e);
    else this.deliver(e);
  }

  pass(e: CoreEvent): void {
    // Held too: the positions must move in the order the events came.
    if (this.held) this.held.push({ ...e, passed: true } as CoreEvent);
    else this.note(e);
  }

  async catchUp(): Promise<void> {
    if (!this.from || !this.held) return;
    const rooms: Record<string, number> = {};
    let ok = true;
    // Rooms the client gave: replayed from its positions (by name: the ids come with the events).
    const asked = new Map<string, number>(Object.entries(this.from.rooms ?? {}));
    const log = (this.log ??= stream(this.from.cursor));
    log.pos = this.from.cursor;
    try {
      // A change committed on another node after the replay reads the store must reach us live.
      await this.deps.live.ready(this.userId);
      await this.replayLog(log);
      for (const [name, since] of asked) {
        const reached = await this.replayRoom(name, since, (id) => {
          const r = this.rooms.get(id);
          if (r) {
            r.pos = since;
            r.ahead.clear();
            r.name = name;
          } else this.writableRooms().set(id, { ...stream(since), name });
        });
        if (reached !== undefined) rooms[name] = reached;
      }
    } catch (err) {
      ok = false;
      this.deps.onError?.(err);
    } finally {
      this.sink.caughtUp({ ok, cursor: log.pos, rooms });
      this.release();
    }
    if (this.resyncAfterCatchUp) {
      this.resyncAfterCatchUp = false;
      await this.resync();
    }
  }

  resync(): Promise<void> {
    if (!this.tracking || this.sink.gone()) return Promise.resolve();
    // The first catch-up reads from the store after this moment anyway; then once more.
    if (this.held && !this.resyncing) {
      this.resyncAfterCatchUp = true;
      return Promise.resolve();
    }
    if (this.resyncing) {
      this.again = true;
      return this.resyncing;
    }
    this.resyncing = (async () => {
      do {
        this.again = false;
        await this.resyncOnce();
      } while (this.again && !this.sink.gone());
    })().finally(() => (this.resyncing = undefined));
    return this.resyncing;
  }

  private async resyncOnce(): Promise<void> {
    const log = this.log!;
    this.held = [];
    this.clearGapTimer();
    try {
      await this.replayLog(log);
      for (const [id, r] of [...this.rooms]) {
        if (this.sink.gone()) break;
        const reached = await this.replayRoom(r.name, r.pos);
        if (reached === undefined) this.rooms.delete(id);
      }
    } catch (err) {
      this.deps.onError?.(err);
      const rooms: Record<string, number> = {};
      for (const r of this.rooms.values()) rooms[r.name] = r.pos;
      this.sink.resyncFailed?.({ cursor: log.pos, rooms });
    } finally {
      this.release();
    }
  }

  /** Hands out what was held, then goes live. */
  private release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const e of held) {
      if ((e as { passed?: boolean }).passed) this.note(e);
      else this.deliver(e);
    }
  }

  /** The user's log after `log.pos`, leaving out what was delivered live meanwhile. */
  private async replayLog(log: Stream): Promise<void> {
    for (;;) {
      const page = await this.deps.messages.sync(this.userId, log.pos, PAGE);
      for (const e of page.events) {
        const seq = logSeq(e);
        if (seq !== undefined && delivered(log, seq)) continue;
        this.sink.replayed(e);
        this.membership(e);
      }
      reach(log, page.cursor);
      if (!page.more || this.sink.gone()) break;
    }
  }

  /**
   * One room's timeline after `since`, leaving out what was delivered live; the
   * position reached, or undefined when the room cannot be read any more (left,
   * kicked: the user's log says so). `found` learns the room's id from its events.
   */
  private async replayRoom(
    name: string,
    since: number,
    found?: (id: string) => void,
  ): Promise<number | undefined> {
    let at = since;
    let known: RoomStream | undefined;
    for (;;) {
      let page;
      try {
        page = await this.deps.roomChat.events(this.userId, { room: name, after: at, limit: PAGE });
      } catch (err) {
        if ((err as { condition?: string }).condition === 'internal-error') throw err;
        return undefined;
      }
      if (!known) {
        const id = page.events[0]?.room.id;
        if (id !== undefined) {
          found?.(id);
          known = this.rooms.get(id);
        }
      }
      for (const e of page.events) {
        if (known && delivered(known, e.roomSeq)) continue;
        this.sink.replayed(e);
      }
      at = page.cursor;
      if (known) reach(known, at);
      if (!page.more || this.sink.gone()) return at;
    }
  }

  /** A live event, unless it was already sent. */
  private deliver(e: CoreEvent): void {
    if (this.note(e)) this.sink.live(e);
  }

  /**
   * Moves the positions for an event delivered (or passed); false when it
   * already was. Without tracking, only what a replay sent is left out.
   */
  private note(e: CoreEvent): boolean {
    const seq = logSeq(e);
    if (seq !== undefined && this.log) {
      if (!this.tracking) {
        if (seq <= this.log.pos) return false;
      } else {
        if (!mark(this.log, seq)) return false;
        this.membership(e as LogEvent);
        this.watch(this.log);
      }
    }
    const at = timelinePos(e);
    if (at) {
      const r = this.rooms.get(at.room.id);
      if (r && !this.tracking) {
        if (at.roomSeq <= r.pos) return false;
      } else if (r) {
        if (!mark(r, at.roomSeq)) return false;
        r.name = at.room.name;
        this.watch(r);
      }
    }
    return true;
  }

  /** The user's own joins and leaves (log events) start and stop tracking a room. */
  private membership(e: LogEvent): void {
    if (!this.tracking) return;
    if (e.name === 'room.left') this.rooms.delete(e.room.id);
    else if (e.name === 'room.joined' && !this.rooms.has(e.room.id)) {
      const room = e.room;
      // `head` includes the join itself, which reaches the room's members as room.member.
      this.writableRooms().set(room.id, { ...stream(Math.max(0, room.head - 1)), name: room.name });
    }
  }

  /** After a gap: resync if it is still open after the grace period. */
  private watch(s: Stream): void {
    if (s.ahead.size === 0) {
      s.waitingFor = undefined;
      return;
    }
    if (s.ahead.size > MAX_AHEAD) {
      void this.resync();
      return;
    }
    s.waitingFor ??= s.pos + 1;
    this.armGapTimer();
  }

  private armGapTimer(): void {
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      if (this.sink.gone()) return;
      let open = false;
      let waiting = false;
      for (const st of this.streams()) {
        if (st.waitingFor !== undefined && st.pos < st.waitingFor) open = true;
        // A later gap gets a grace period of its own.
        st.waitingFor = st.ahead.size ? st.pos + 1 : undefined;
        waiting ||= st.waitingFor !== undefined;
      }
      if (open) void this.resync();
      else if (waiting) this.armGapTimer();
    }, this.deps.tracking?.gapGraceMs ?? 1000);
    this.gapTimer.unref();
  }

  private *streams(): Iterable<Stream> {
    if (this.log) yield this.log;
    yield* this.rooms.values();
  }

  private clearGapTimer(): void {
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    for (const s of this.streams()) s.waitingFor = undefined;
  }
}
