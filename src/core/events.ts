import type { ContactItem } from './contacts/service.js';
import type { Attachment } from './files/types.js';
import type { PresenceInfo } from './presence/service.js';
import type { Choice, Show } from './presence/store.js';
import type { Profile } from './profiles/store.js';
import type { MarkerView } from './receipts/service.js';
import type { RoomSummary } from './rooms/access.js';
import type { Role } from './rooms/roles.js';

/**
 * What core tells a user's sessions: a discriminated union (on `name`) of
 * domain facts made of ids, usernames, positions and timestamps. No wire format
 * lives here: each door turns an event into its own form (doors/native/events.ts
 * for the JSON protocol; IRC lines, XMPP stanzas) and keeps its own encoding
 * cache, keyed by the event object, which core never copies once built (one
 * event reaches all of a room's members).
 *
 * Positions: a log event (in the user's log, replayed from their cursor) carries
 * `seq`; a timeline event (in a room's timeline) carries `room` and `roomSeq`.
 * Others are live only.
 */

/** A person as events name them: their id and current username ('' once deleted). */
export interface UserRef {
  id: string;
  username: string;
}

/** A room as events name it. */
export interface RoomRef {
  id: string;
  name: string;
}

export type MessageChange = 'new' | 'edited' | 'deleted' | 'reaction';

/** A message as core knows it after a change; a deleted one keeps no text (`deletedAt` set). */
export interface Message {
  id: string;
  conversationId: string;
  /** Its place in its conversation (a room's messages share the room's positions). */
  seq: number;
  sender: UserRef;
  clientId: string;
  text: string;
  replyTo: string | null;
  createdAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  reactions: readonly { emoji: string; userIds: readonly string[] }[];
  /** The files it carries (core/files); absent when none, and once it is deleted. */
  attachments?: readonly Attachment[];
}

export interface DirectMessage extends Message {
  recipient: UserRef;
}

export interface RoomMessage extends Message {
  room: RoomRef;
  /** User ids of the members it mentions. */
  mentions: readonly string[];
}

/** Delivery detail, not part of the fact: the session that caused it has the reply instead. */
interface Delivery {
  exceptSession?: string;
}

// ---- in the user's log (carry `seq`) ----

/** What one reaction change was: the emoji, added (`on`) or taken back. */
export interface ReactionChange {
  emoji: string;
  on: boolean;
}

/**
 * Live only, on a new direct message: the names (Session.resource) of the session
 * it was sent from and of the recipient's session the sender addressed, as the
 * sending door knew them. Core stores and delivers by user; a door that addresses
 * sessions (XMPP, RFC 6121 8.5) uses them to stamp addresses and pick resources.
 */
export interface MessageRoute {
  from?: string;
  to?: string;
  /** The sender marked it a single message rather than a line of a chat (XMPP `normal`, RFC 6121 5.2.2). */
  single?: true;
}

export interface MessageEvent extends Delivery {
  name: 'message';
  seq: number;
  change: MessageChange;
  message: DirectMessage;
  route?: MessageRoute;
  /** Live only, on a reaction: who reacted, and with what (a replay has the message as it is now). */
  by?: UserRef;
  reaction?: ReactionChange;
}

/**
 * Who made a contact change: `self` (the user the event is for, on any device)
 * or `contact` (the other person). XMPP tells the other side's changes as
 * presence (RFC 6121 3.2.3, 3.3.3: `unsubscribed`, `unsubscribe`).
 */
export type ContactActor = 'self' | 'contact';

export interface ContactUpdatedEvent extends Delivery {
  name: 'contact.updated';
  seq?: number;
  contact: ContactItem;
  actor?: ContactActor;
}

/** A contact entry is gone, or someone was blocked or unblocked: the person it is about. */
export interface ContactPersonEvent extends Delivery {
  name: 'contact.removed' | 'block.added' | 'block.removed';
  seq?: number;
  userId: string;
  username: string;
  actor?: ContactActor;
}

export interface RoomJoinedEvent extends Delivery {
  name: 'room.joined';
  seq: number;
  room: RoomSummary;
  role: Role;
}

export interface RoomLeftEvent extends Delivery {
  name: 'room.left';
  seq: number;
  room: RoomRef;
  change: 'left' | 'kicked' | 'banned';
  reason: string;
  by: UserRef | null;
}

export interface RoomInvitedEvent extends Delivery {
  name: 'room.invited';
  seq: number;
  room: RoomSummary;
  by: UserRef | null;
}

/** You turned an invitation down (rooms.decline): your other devices drop it. */
export interface RoomDeclinedEvent extends Delivery {
  name: 'room.declined';
  seq: number;
  room: RoomRef;
}

export type LogEvent =
  | MessageEvent
  | ContactUpdatedEvent
  | ContactPersonEvent
  | RoomJoinedEvent
  | RoomLeftEvent
  | RoomInvitedEvent
  | RoomDeclinedEvent;

// ---- in a room's timeline (carry `room`, `roomSeq`, `at`) ----

interface Timeline extends Delivery {
  room: RoomRef;
  roomSeq: number;
  at: number;
}

export interface RoomCreatedEvent extends Timeline {
  name: 'room.created';
  by: UserRef | null;
  topic: string;
  visibility: 'public' | 'private';
}

export type MemberChange =
  | 'joined'
  | 'left'
  | 'invited'
  | 'declined'
  | 'kicked'
  | 'banned'
  | 'unbanned'
  | 'role'
  | 'muted'
  | 'unmuted';

export interface RoomMemberEvent extends Timeline {
  name: 'room.member';
  change: MemberChange;
  /** On `joined`, with their display name as it is now ('' for none). */
  user: UserRef & { displayName?: string };
  by: UserRef | null;
  reason?: string;
  expiresAt?: number | null;
  role?: Role;
  from?: Role;
  /** On `joined`: the one who joined is a guest (no account). */
  guest?: true;
}

export interface RoomUpdatedEvent extends Timeline {
  name: 'room.updated';
  changes: {
    topic?: string;
    topicLocked?: boolean;
    visibility?: 'public' | 'private';
    /** The room's new picture's hash, null once removed (core/rooms/avatar.ts). */
    avatar?: string | null;
  };
  by: UserRef | null;
}

export interface RoomMessageEvent extends Timeline {
  name: 'room.message';
  change: MessageChange;
  message: RoomMessage;
  /** Who made an edit, deletion or reaction (a moderator's deletion is not the sender's). */
  by?: UserRef;
  /** On a reaction: which emoji, added or taken back (kept in the timeline record, a fact like `by`). */
  reaction?: ReactionChange;
}

export type TimelineEvent =
  RoomCreatedEvent | RoomMemberEvent | RoomUpdatedEvent | RoomMessageEvent;

// ---- live only ----

export interface ProfileUpdatedEvent extends Delivery {
  name: 'profile.updated';
  profile: Profile;
}

/** A person's picture as events and views describe it (core/profiles/avatars.ts). */
export interface AvatarInfo {
  /** SHA-1 of the stored bytes, lowercase hex: the ETag, XEP-0084's id, XEP-0153's photo. */
  hash: string;
  type: string;
  size: number;
  width: number;
  height: number;
}

/**
 * Someone's display name, avatar or other profile fields (`details`: birth
 * year, city, country, about) changed: told to everyone who sees their
 * presence (their watchers) and to their own sessions, so contacts' lists, XMPP
 * PEP notifications (XEP-0084, XEP-0172, XEP-0292) and XEP-0153 hashes follow.
 * The fields themselves are read as the viewer may see them.
 */
export interface ContactProfileEvent extends Delivery {
  name: 'contact.profile';
  userId: string;
  username: string;
  displayName: string;
  avatar: AvatarInfo | null;
  changed: readonly ProfileChange[];
}

/** What a `contact.profile` says changed: the name, the picture, or the other fields. */
export type ProfileChange = 'displayName' | 'avatar' | 'details';

/**
 * A personal eventing node changed (XMPP PEP, core/pep): an item published,
 * retracted, or the node deleted. Told to the owner's sessions and, unless the
 * node is the owner's alone, to their watchers; only sessions with `pep`.
 */
export interface PepEvent extends Delivery {
  name: 'pep.item';
  userId: string;
  username: string;
  node: string;
  /** The item published (its payload is the door's, opaque to core). */
  item?: { id: string; payload: string };
  /** The id of the item taken back. */
  retracted?: string;
  deleted?: true;
}

/**
 * One of the account's private values changed (core/private): told to the
 * owner's other sessions with `pep`, with the writer's note of what changed
 * (for XMPP the PEP items of bookmarks, XEP-0402), so other devices follow.
 */
export interface PrivateChangedEvent extends Delivery {
  name: 'private.changed';
  key: string;
  note: string;
}

export interface SessionRevokedEvent extends Delivery {
  name: 'session.revoked';
  sessionIds: string[];
}

export interface PresenceEvent extends Delivery, PresenceInfo {
  name: 'presence';
}

/**
 * One session's presence (an XMPP resource): told to the user's watchers and
 * their own other sessions whenever a session comes, changes or goes, and to
 * someone it was directed at (`directed`). `offline`: that session is gone or
 * went invisible. Only sessions with the `resources` capability get it.
 */
export interface PresenceResourceEvent extends Delivery {
  name: 'presence.resource';
  userId: string;
  username: string;
  resource: string;
  show: Show | 'offline';
  status: string;
  priority: number;
  /** When this state began (ms, the session's node clock; `presence.resources` calls it `since`). */
  at: number;
  directed?: true;
  /** Directed only: the recipient's session it was addressed to, and the sender's id for it. */
  route?: MessageRoute;
  id?: string;
}

/** The account's chosen status changed (on another device), or a session learns it on connect. */
export interface PresenceChosenEvent extends Delivery, Choice {
  name: 'presence.chosen';
}

export interface PresenceSnapshotEvent extends Delivery {
  name: 'presence.snapshot';
  contacts: PresenceInfo[];
}

/**
 * Your filtered folder changed: a message to you was held by your keyword filters
 * (`held`), or you released or cleared one on another device. Only the folder's
 * owner is told, never the sender (26); the message itself is read with filtered.list.
 */
export interface FilteredChangedEvent extends Delivery {
  name: 'filtered.changed';
  change: 'held' | 'released' | 'cleared';
  messageId: string;
}

/** Your markers in a direct conversation moved (on another device). */
export interface MarkerEvent extends Delivery, MarkerView {
  name: 'marker';
}

export interface ReceiptEvent extends Delivery {
  name: 'receipt';
  conversationId: string;
  userId: string;
  username: string;
  delivered: number;
  read: number;
  /** Seqs of the receiver's messages these markers passed that `userId` never saw. */
  unseen?: number[];
}

export interface TypingEvent extends Delivery {
  name: 'typing';
  conversationId: string;
  userId: string;
  username: string;
  state: 'start' | 'stop';
  expiresInMs: number;
}

/**
 * A message that is never stored (XMPP `headline`, RFC 6121 5.2.2: news, alerts):
 * told live to the recipient's sessions that show notices (capability `notices`),
 * or to nobody. Its own sender's sessions are not told.
 */
export interface NoticeEvent extends Delivery {
  name: 'notice';
  from: UserRef;
  text: string;
  /** The sender's own id for it (its door's, e.g. the XMPP stanza id), if any. */
  id?: string;
  route?: MessageRoute;
}

export interface RoomMarkerEvent extends Delivery {
  name: 'room.marker';
  room: RoomRef;
  read: number;
  unread: number;
  mentions: number;
}

export interface RoomTypingEvent extends Delivery {
  name: 'room.typing';
  room: RoomRef;
  user: UserRef;
  state: 'start' | 'stop';
  expiresIn?: number;
}

export interface RoomNotifyEvent extends Delivery {
  name: 'room.notify';
  room: RoomRef;
  notify: string;
}

/**
 * A member's display name changed: told to the rooms they are in, for sessions
 * that show it beside others' messages (`names`: IRC's setname). Once per room.
 */
export interface RoomProfileEvent extends Delivery {
  name: 'room.profile';
  room: RoomRef;
  user: UserRef;
  displayName: string;
}

export interface RoomOccupantEvent extends Delivery {
  name: 'room.occupant';
  room: RoomRef;
  userId: string;
  present: boolean;
  at: number;
}

/** Core's news between nodes, for no client (`router.onLocalEvent` hooks read it). */
export interface InternalEvent extends Delivery {
  name: `core.${string}`;
  [key: string]: unknown;
}

export type LiveEvent =
  | ProfileUpdatedEvent
  | ContactProfileEvent
  | PepEvent
  | PrivateChangedEvent
  | SessionRevokedEvent
  | PresenceEvent
  | PresenceResourceEvent
  | PresenceSnapshotEvent
  | PresenceChosenEvent
  | FilteredChangedEvent
  | MarkerEvent
  | ReceiptEvent
  | TypingEvent
  | NoticeEvent
  | RoomMarkerEvent
  | RoomTypingEvent
  | RoomNotifyEvent
  | RoomOccupantEvent
  | RoomProfileEvent;

export type CoreEvent = LogEvent | TimelineEvent | LiveEvent | InternalEvent;

export type EventName = CoreEvent['name'];

/** The event for `exceptSession` to skip (it has the reply), or the event itself. */
export function except<E extends CoreEvent>(e: E, exceptSession: string | undefined): E {
  return exceptSession === undefined ? e : { ...e, exceptSession };
}

/** Narrowing helpers for the feed: where an event sits in the user's log or a room's timeline. */
export function logSeq(e: CoreEvent): number | undefined {
  return 'seq' in e && typeof e.seq === 'number' ? e.seq : undefined;
}

export function timelinePos(e: CoreEvent): { room: RoomRef; roomSeq: number } | undefined {
  return 'roomSeq' in e && typeof e.roomSeq === 'number' && 'room' in e
    ? { room: e.room as RoomRef, roomSeq: e.roomSeq }
    : undefined;
}
