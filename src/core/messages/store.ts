import type { Attachment } from '../files/types.js';

/**
 * Direct messages and the per-user event log.
 *
 * A message is stored once. Every durable change a user must see (a new
 * message, an edit, a deletion, a reaction) is also appended to that user's log
 * under a per-user sequence number: the log is what a reconnecting device
 * replays from its cursor, so nothing depends on having been online.
 */
export interface StoredMessage {
  id: string;
  conversationId: string;
  /** Order within the conversation (1, 2, 3...). */
  seq: number;
  senderId: string;
  recipientId: string;
  clientId: string;
  text: string;
  replyTo: string | null;
  createdAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  /**
   * False when the recipient had blocked the sender (it never reaches them) or
   * while it is held by one of their keyword filters.
   */
  visibleToRecipient: boolean;
  /** The recipient's keyword filters: `held` in their filtered folder, `cleared` from it. */
  filtered: 'no' | 'held' | 'cleared';
  reactions: { emoji: string; userIds: string[] }[];
  /** The files it carries (core/files), absent when none. */
  attachments?: Attachment[];
}

/**
 * One entry of a user's log: a domain record (core/records.ts), not a view. An
 * entry about a message comes with the message as it is now (absent once the
 * message itself is gone).
 */
export interface LogEntry {
  userId: string;
  seq: number;
  at: number;
  name: string;
  data: Record<string, unknown>;
  message?: StoredMessage;
}

/**
 * The record logged for one user about a message change (inside the transaction):
 * `{ name: 'message', data: { change } }`; the message is the row's message_id.
 */
export type LogPayload = (
  m: StoredMessage,
  userId: string,
) => { name: string; data: Record<string, unknown> };

export interface Appended {
  message: StoredMessage;
  /** The log sequence number written for each user. */
  seqs: Map<string, number>;
}

/** A user's keyword filters (stored as typed; matched case-insensitively). */
export interface FilterStore {
  list(userId: string): Promise<string[]>;
  add(userId: string, phrase: string, at: number): Promise<boolean>;
  remove(userId: string, phrase: string): Promise<boolean>;
}

export interface MessageStore {
  /**
   * Stores a new message and its log entries in one transaction; each user it is
   * logged for also has the conversation moved to it in their conversation list
   * (ConversationStore). If the sender
   * already sent `clientId`, nothing is written and the earlier message comes
   * back with `duplicate: true` (a retried send).
   */
  insert(
    m: Omit<StoredMessage, 'seq' | 'reactions' | 'editedAt' | 'deletedAt' | 'filtered'> & {
      held?: boolean;
    },
    logFor: (m: StoredMessage) => string[],
    payload: LogPayload,
  ): Promise<Appended & { duplicate: boolean }>;
  /**
   * What a send must know before it is stored, read at once (one statement in the
   * usual case, where five separate lookups cost five round trips on PostgreSQL): the
   * sender's username (undefined once deleted), the recipient by username, whether the
   * recipient blocked the sender or the sender the recipient, the recipient's keyword filters, and the message
   * the sender already sent with this client id (a retry).
   */
  sendContext(
    senderId: string,
    toUsername: string,
    clientId: string,
  ): Promise<{
    senderName: string | undefined;
    /** A guest (core/accounts/guests.ts) sends, or `to` is one. */
    senderGuest: boolean;
    to: { id: string; username: string; guest: boolean } | undefined;
    blocked: boolean;
    /** The sender blocks the recipient: they must unblock before writing. */
    blocking: boolean;
    phrases: string[];
    earlier: StoredMessage | undefined;
  }>;
  bySenderClientId(senderId: string, clientId: string): Promise<StoredMessage | undefined>;
  byId(id: string): Promise<StoredMessage | undefined>;
  /**
   * Applies `change` to the stored message (edit, delete) and logs it, in one
   * transaction; undefined if gone. A release (`filtered` back to `no`) also moves
   * the conversation forward for the users it is logged for. `change` sees the message as it is under the
   * lock and may throw to refuse (nothing is written).
   */
  update(
    id: string,
    change: (
      m: StoredMessage,
    ) => Partial<Pick<StoredMessage, 'text' | 'editedAt' | 'deletedAt' | 'filtered'>>,
    logFor: (m: StoredMessage) => string[],
    payload: LogPayload,
  ): Promise<Appended | undefined>;
  /** Adds or removes one user's reaction and logs the result, in one transaction; undefined if the message is gone or deleted. */
  react(
    id: string,
    userId: string,
    emoji: string,
    on: boolean,
    at: number,
    logFor: (m: StoredMessage) => string[],
    payload: LogPayload,
  ): Promise<Appended | undefined>;
  /**
   * Full-text search over the messages `viewerId` may see (not deleted), newest
   * first, optionally in one conversation; `before` continues after a result.
   * `terms` are plain words (the service strips any query syntax). Room
   * messages count as visible in rooms `viewerId` is a member of; with
   * `wholeConversation` (a public room looked into) the one conversation is
   * searched whoever the viewer is. A room member sees the room's messages from
   * their `history_from` on; `fromSeq` narrows one conversation further.
   */
  search(
    viewerId: string,
    terms: readonly string[],
    opts: {
      conversationId?: string;
      before?: { createdAt: number; id: string };
      limit: number;
      wholeConversation?: boolean;
      fromSeq?: number;
      /** Direct messages only: no room's. */
      directOnly?: boolean;
      /** Inclusive bounds on `createdAt`. */
      start?: number;
      end?: number;
    },
  ): Promise<{ message: StoredMessage; snippet: string }[]>;
  /** Messages to `userId` held by their keyword filters, newest first. */
  held(
    userId: string,
    page: { before?: { createdAt: number; id: string }; limit: number },
  ): Promise<StoredMessage[]>;
  /** Appends a non-message event (contact changes...) to the user's log; returns its seq. */
  appendEvent(
    userId: string,
    name: string,
    data: Record<string, unknown>,
    at: number,
  ): Promise<number>;
  /** The user's log after `after`, in order. */
  log(userId: string, after: number, limit: number): Promise<LogEntry[]>;
  /** The user's latest log sequence number (0 when empty). */
  logHead(userId: string): Promise<number>;
  /** The log position at which the user first heard of a message (a retried send answers with it). */
  firstLogSeq(userId: string, messageId: string): Promise<number | undefined>;
}
