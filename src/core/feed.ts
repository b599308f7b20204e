import { ParleyError } from './errors.js';
import type { ParleyEvent } from './events.js';
import type { LiveReadiness } from './live.js';
import type { MessageService } from './messages/service.js';
import type { RoomChat } from './rooms/chat.js';

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
 * `roomSeq` and `room.id` (that room's timeline); see DEVELOPING.md 11, 18.
 */

/** One event as the feed hands it to a door. */
export interface FeedEvent {
  name: string;
  data: Record<string, unknown>;
}

/** Where a door wants its session's events. */
export interface FeedSink {
  /** An event read back from the store during catch-up: built for this session alone. */
  replayed(e: FeedEvent): void;
  /** A live event; the same object may reach many sessions (encode it once, cache per door). */
  live(e: ParleyEvent): void;
  /**
   * The catch-up ended: `ok` false when the store failed part-way (the client
   * should sync from the positions given). `rooms` maps the room names asked
   * for to the position reached; a room that can no longer be read is left out.
   */
  caughtUp(r: { ok: boolean; cursor: number; rooms: Record<string, number> }): void;
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
  push(e: ParleyEvent): void;
  /**
   * Replays what the client missed, then releases the held live events. Call
   * it once the client has been answered (its events follow the answer). A
   * feed opened without cursors has nothing to replay.
   */
  catchUp(): Promise<void>;
}

export interface Feeds {
  /**
   * A feed for `userId`. With cursors, checks them against the store (a cursor
   * past the end of the log is `bad-request`) and holds live events from now
   * until `catchUp`; without, live events pass straight through.
   */
  open(userId: string, sink: FeedSink, from?: FeedCursors): Promise<Feed>;
}

/** At most this many rooms are replayed at once (more: rooms.events). */
export const MAX_REPLAY_ROOMS = 1000;
const PAGE = 200;

export function createFeeds(deps: {
  messages: Pick<MessageService, 'sync' | 'head'>;
  roomChat: Pick<RoomChat, 'events'>;
  live: LiveReadiness;
  onError?: (err: unknown) => void;
}): Feeds {
  return {
    async open(userId, sink, from) {
      if (from) {
        if (!Number.isSafeInteger(from.cursor) || from.cursor < 0)
          throw new ParleyError('bad-request', 'cursor must be a whole number, 0 or more', {
            field: 'cursor',
          });
        if (from.rooms && Object.keys(from.rooms).length > MAX_REPLAY_ROOMS)
          throw new ParleyError('bad-request', `at most ${MAX_REPLAY_ROOMS} rooms are replayed`, {
            field: 'rooms',
          });
        const head = await deps.messages.head(userId);
        if (from.cursor > head)
          throw new ParleyError('bad-request', `cursor is past the end of your log (${head})`, {
            field: 'cursor',
          });
      }
      return new SessionFeed(deps, userId, sink, from);
    },
  };
}

class SessionFeed implements Feed {
  /** Live events that arrived while catching up; undefined once live. */
  private held: ParleyEvent[] | undefined;
  /**
   * The log position the replay reached. A live event at or below it was already
   * sent; from another node it can arrive late, after the held events went out.
   */
  private replayedTo = 0;
  /** The same, per room (room id -> roomSeq), for rooms replayed. */
  private readonly roomsReplayedTo = new Map<string, number>();

  constructor(
    private readonly deps: Parameters<typeof createFeeds>[0],
    private readonly userId: string,
    private readonly sink: FeedSink,
    private readonly from: FeedCursors | undefined,
  ) {
    if (from) this.held = [];
  }

  push(e: ParleyEvent): void {
    if (this.held) this.held.push(e);
    else this.deliver(e);
  }

  async catchUp(): Promise<void> {
    if (!this.from || !this.held) return;
    let at = this.from.cursor;
    const rooms: Record<string, number> = {};
    let ok = true;
    try {
      // A change committed on another node after the replay reads the store must reach us live.
      await this.deps.live.ready(this.userId);
      for (;;) {
        const page = await this.deps.messages.sync(this.userId, at, PAGE);
        for (const e of page.events)
          this.sink.replayed({ name: e.name, data: { seq: e.seq, ...e.data } });
        at = page.cursor;
        if (!page.more || this.sink.gone()) break;
      }
      for (const [name, since] of Object.entries(this.from.rooms ?? {})) {
        const reached = await this.replayRoom(name, since);
        if (reached !== undefined) rooms[name] = reached;
      }
    } catch (err) {
      ok = false;
      this.deps.onError?.(err);
    } finally {
      this.sink.caughtUp({ ok, cursor: at, rooms });
      const held = this.held;
      this.held = undefined;
      this.replayedTo = at;
      for (const e of held) this.deliver(e);
    }
  }

  /**
   * One room's timeline after `since`; the position reached, or undefined when
   * the room cannot be read any more (left, kicked: the user's log says so).
   */
  private async replayRoom(name: string, since: number): Promise<number | undefined> {
    let at = since;
    for (;;) {
      let page;
      try {
        page = await this.deps.roomChat.events(this.userId, { room: name, after: at, limit: PAGE });
      } catch (err) {
        if ((err as { condition?: string }).condition === 'internal-error') throw err;
        return undefined;
      }
      for (const e of page.events) this.sink.replayed({ name: e.name, data: e.data });
      at = page.cursor;
      const id = (page.events[0]?.data.room as { id?: string } | undefined)?.id;
      if (id) this.roomsReplayedTo.set(id, at);
      if (!page.more || this.sink.gone()) return at;
    }
  }

  /** A live event, unless the replay already sent it. */
  private deliver(e: ParleyEvent): void {
    const seq = e.data.seq;
    if (typeof seq === 'number' && seq <= this.replayedTo) return;
    const roomSeq = e.data.roomSeq;
    if (typeof roomSeq === 'number' && this.roomsReplayedTo.size > 0) {
      const room = (e.data.room as { id?: string } | undefined)?.id;
      const done = room === undefined ? undefined : this.roomsReplayedTo.get(room);
      if (done !== undefined && roomSeq <= done) return;
    }
    this.sink.live(e);
  }
}
