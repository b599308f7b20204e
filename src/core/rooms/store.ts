import type { StoredAvatar } from '../files/pictures.js';
import type { StoredMessage } from '../messages/store.js';
import type { Role } from './roles.js';

/**
 * Rooms. A room has one ordered timeline of events (messages, edits,
 * deletions, reactions, joins, leaves, kicks, bans, topic and role changes)
 * numbered 1, 2, 3... per room. A message is stored once, in the shared
 * messages table, under the seq of the event that posted it: the room's
 * timeline, not per-member copies, is what a device catches up from.
 */
export type Visibility = 'public' | 'private';
export type NotifyLevel = 'all' | 'mentions' | 'none';

export interface Room {
  id: string;
  name: string;
  topic: string;
  topicBy: string | null;
  topicAt: number | null;
  topicLocked: boolean;
  visibility: Visibility;
  createdAt: number;
  createdBy: string | null;
  memberCount: number;
  /** The seq of the room's latest event. */
  head: number;
  /** When the latest event happened (orders a room list by activity). */
  lastAt: number;
  /**
   * The room seq from which someone who is not a member may read it: the event that
   * last made it public (0 when it was public from the start).
   */
  publicSince: number;
  /** The room's picture's public hash (core/rooms/avatar.ts), null when none. */
  avatar: string | null;
}

export interface Member {
  roomId: string;
  userId: string;
  role: Role;
  muted: boolean;
  notify: NotifyLevel;
  joinedAt: number;
  /** The first room seq this member may read (set when they join, never changed). */
  historyFrom: number;
}

export interface Ban {
  roomId: string;
  userId: string;
  by: string | null;
  reason: string;
  expiresAt: number | null;
  createdAt: number;
}

export interface RoomEvent {
  roomId: string;
  seq: number;
  at: number;
  name: string;
  actorId: string | null;
  messageId: string | null;
  /** A domain record (core/records.ts): people by id, names filled in when read. */
  data: Record<string, unknown>;
  /** Read back with a message change: the message as it is now, and whom it mentions. */
  message?: StoredMessage;
  mentions?: string[];
}

export type NewRoomMessage = Omit<
  StoredMessage,
  'seq' | 'reactions' | 'editedAt' | 'deletedAt' | 'filtered' | 'visibleToRecipient'
>;

/**
 * What core may read and write about one room inside one transaction. The
 * store holds the room's lock for the whole of it, so checks made here still
 * hold when the writes commit.
 */
export interface RoomTx {
  /** The room (undefined if it does not exist). */
  room(): Promise<Room | undefined>;
  /** False when the name is taken. */
  createRoom(
    room: Omit<
      Room,
      'memberCount' | 'head' | 'lastAt' | 'topicBy' | 'topicAt' | 'publicSince' | 'avatar'
    >,
  ): Promise<boolean>;
  updateRoom(
    patch: Partial<
      Pick<Room, 'topic' | 'topicBy' | 'topicAt' | 'topicLocked' | 'visibility' | 'publicSince'>
    >,
  ): Promise<void>;
  member(userId: string): Promise<Member | undefined>;
  ownerCount(): Promise<number>;
  /** Who a room without an owner passes to: the highest role, then the earliest join. */
  heir(): Promise<(Member & { username: string }) | undefined>;
  /**
   * Deletes the room: its timeline, messages, members, bans, invitations and picture
   * go with it (the caller drops the picture's blob after the commit: read `avatar` first).
   */
  deleteRoom(): Promise<void>;
  /** The room's picture (its blob by sha256). */
  avatar(): Promise<StoredAvatar | undefined>;
  /** Sets (or with null removes) the picture and the room's public hash; resolves to the one replaced. */
  setAvatar(a: StoredAvatar | null): Promise<StoredAvatar | undefined>;
  /** Inserts or updates. */
  putMember(m: Member): Promise<void>;
  removeMember(userId: string): Promise<boolean>;
  ban(userId: string): Promise<Ban | undefined>;
  putBan(b: Ban): Promise<void>;
  removeBan(userId: string): Promise<boolean>;
  invited(userId: string): Promise<boolean>;
  putInvite(userId: string, by: string, at: number): Promise<void>;
  removeInvite(userId: string): Promise<void>;
  /**
   * Appends to the room's timeline; returns the event with its seq. `data` may
   * be built from the seq the event gets (a message view carries it).
   */
  append(
    e: Omit<RoomEvent, 'roomId' | 'seq' | 'data'> & {
      data: Record<string, unknown> | ((seq: number) => Record<string, unknown>);
    },
  ): Promise<RoomEvent>;
  /** The seq the next appended event will get. */
  nextSeq(): Promise<number>;
  /** Appends to one user's own log (room.joined, room.left...): their devices replay it. */
  userLog(userId: string, name: string, data: Record<string, unknown>, at: number): Promise<number>;
  messageByClientId(senderId: string, clientId: string): Promise<StoredMessage | undefined>;
  message(id: string): Promise<StoredMessage | undefined>;
  /** The users a message mentions. */
  mentionsOf(messageId: string): Promise<string[]>;
  /** Stores a message at `seq` (the seq of the event that posts it) and its mentions. */
  insertMessage(m: NewRoomMessage, seq: number, mentions: readonly string[]): Promise<void>;
  updateMessage(
    id: string,
    patch: Partial<Pick<StoredMessage, 'text' | 'editedAt' | 'deletedAt'>>,
  ): Promise<void>;
  /** Adds or takes back one reaction; false when that changed nothing. */
  react(id: string, userId: string, emoji: string, on: boolean, at: number): Promise<boolean>;
}

/** The room's latest message for a chat list (text cut to PREVIEW_SOURCE characters). */
export interface LatestMessage {
  id: string;
  seq: number;
  sender: { userId: string; username: string };
  text: string;
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
}

export interface RoomSummaryRow {
  room: Room;
  member: Member;
  read: number;
  /** As `RoomStore.unread` counts them. */
  unread: number;
  mentions: number;
  last: LatestMessage | undefined;
}

export interface RoomStore {
  /** Runs `fn` as one transaction holding `roomId`'s lock (a new room's id, too). */
  transact<T>(roomId: string, fn: (tx: RoomTx) => Promise<T>): Promise<T>;
  /** With `count: false` the member count (a count over the members) is skipped: memberCount is -1. */
  byName(name: string, opts?: { count?: boolean }): Promise<Room | undefined>;
  byId(id: string): Promise<Room | undefined>;
  /** The room's picture, read outside a transaction (to serve it). */
  avatar(roomId: string): Promise<StoredAvatar | undefined>;
  member(roomId: string, userId: string): Promise<Member | undefined>;
  ban(roomId: string, userId: string): Promise<Ban | undefined>;
  /** Public rooms by name, optionally matching `q` in the name or topic. */
  directory(q: { q?: string; after?: string; limit: number }): Promise<Room[]>;
  /** Members with their usernames (and display names when set), ordered by role (owners first) then username; `after` is a page key. */
  members(
    roomId: string,
    page: { after?: { rank: number; username: string }; limit: number },
  ): Promise<(Member & { username: string; displayName?: string; guest?: boolean })[]>;
  bans(roomId: string, now: number): Promise<(Ban & { username: string })[]>;
  /** Every room the user is a member of, with their read marker, counts and latest message. */
  roomsOf(userId: string): Promise<RoomSummaryRow[]>;
  /** Just the ids (a node learning which room channels a user needs). */
  roomIdsOf(userId: string): Promise<string[]>;
  /** The user's rooms with their timeline's head (a session feed's starting positions, core/feed.ts). */
  headsOf(userId: string): Promise<{ id: string; name: string; head: number }[]>;
  /** Rooms the user is invited to and has not joined. */
  invitesOf(userId: string): Promise<{ room: Room; by: string | null; at: number }[]>;
  events(roomId: string, after: number, limit: number): Promise<RoomEvent[]>;
  /** The users mentioned by each message. */
  mentionsOf(messageIds: readonly string[]): Promise<Map<string, string[]>>;
  /** Messages after `afterSeq` not sent by `userId`, and those mentioning them. */
  unread(
    userId: string,
    roomId: string,
    afterSeq: number,
  ): Promise<{ unread: number; mentions: number }>;
  /** How many rooms `userId` created (and that still exist). */
  createdBy(userId: string): Promise<number>;
}
