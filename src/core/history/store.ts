import type { StoredMessage } from '../messages/store.js';

/**
 * Reading conversations by position, for every door alike (Ergo's irc/history,
 * IRCv3 CHATHISTORY, XMPP MAM). A direct conversation and a room are both rows
 * of the shared `messages` table under one `conversation_id`, ordered by `seq`;
 * the store reads them, the service (service.ts) decides who may read what.
 */

/** One side of a range, exclusive: a position in the conversation or a time (ms). */
export type Bound = { seq: number } | { at: number };

export interface HistoryRange {
  conversationId: string;
  /** Whose view: hidden messages (blocked, held by filters) are seen only by their sender. */
  viewerId: string;
  /** The first seq the viewer may read (a room's `readsFrom`); 0 for all. */
  fromSeq: number;
  /** Only messages strictly after this. */
  after?: Bound;
  /** Only messages strictly before this. */
  before?: Bound;
  /** `asc`: the oldest of the range first; `desc`: the newest first. */
  order: 'asc' | 'desc';
  limit: number;
}

/** A conversation's latest message in a time window (CHATHISTORY TARGETS). */
export interface ActiveConversation {
  conversationId: string;
  /** The other person (direct) or the room's id. */
  peerId: string;
  lastAt: number;
}

export interface TargetsQuery {
  userId: string;
  /** Exclusive time bounds, `after < before`. */
  after: number;
  before: number;
  /** `asc`: the conversations whose latest message is oldest first. */
  order: 'asc' | 'desc';
  limit: number;
}

/**
 * A user's archive of direct messages (XEP-0313 MAM): one conversation by its
 * `seq`, or all of them in the order the user heard of each message (their
 * log). Only what the viewer may read now: never deleted, hidden or held ones.
 */
export interface ArchiveRange {
  viewerId: string;
  /** One direct conversation; without it, every direct conversation of the viewer. */
  conversationId?: string;
  /** Exclusive archive positions (`archivePosition`). */
  afterPos?: number;
  beforePos?: number;
  /** Inclusive bounds on `createdAt` (ms). */
  start?: number;
  end?: number;
  /** `asc`: the oldest of the range first; `desc`: the newest first. */
  order: 'asc' | 'desc';
  limit: number;
}

export interface HistoryStore {
  /**
   * Messages of one conversation inside the range as the viewer may see them
   * (deleted ones too, as tombstones), in `order` of seq. A time bound compares
   * `createdAt`; the order is still the conversation's (seq).
   */
  range(q: HistoryRange): Promise<StoredMessage[]>;
  /** One message by id, whoever may see it (the service checks). */
  message(id: string): Promise<StoredMessage | undefined>;
  /**
   * The user's direct conversations whose latest message visible to them
   * (by seq, among those created before `before`) was created after `after`.
   */
  activeDirect(q: TargetsQuery): Promise<ActiveConversation[]>;
  /** The same for the rooms the user is a member of, counting from their `history_from`. */
  activeRooms(q: TargetsQuery): Promise<ActiveConversation[]>;
  /** The archive's messages in the range, in `order` of position. */
  archive(q: ArchiveRange): Promise<StoredMessage[]>;
  /**
   * Where a direct message the viewer may read (deleted ones too) sits in their
   * archive: its `seq` in `conversationId` when given, else the first entry of
   * it in their log. Undefined when it is not theirs to read (or not there).
   */
  archivePosition(
    viewerId: string,
    messageId: string,
    conversationId?: string,
  ): Promise<number | undefined>;
}
