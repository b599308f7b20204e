import type { Message, MessagePreview } from './types.js';

/** Shapes of the room part of the native protocol (docs/protocol.md, "Rooms"). */
export type RoomRole = 'owner' | 'admin' | 'moderator' | 'member';
export type NotifyLevel = 'all' | 'mentions' | 'none';

export interface Room {
  id: string;
  /** Without the leading "#". */
  name: string;
  topic: string;
  topicBy: string | null;
  topicAt: number | null;
  topicLocked: boolean;
  visibility: 'public' | 'private';
  memberCount: number;
  createdAt: number;
  /** The roomSeq of the room's latest event. */
  head: number;
  lastAt: number;
  /** The room's picture's hash (GET /rooms/:room/avatar?v=hash), null when none. */
  avatar: string | null;
}

export interface MyRoom extends Room {
  role: RoomRole;
  muted: boolean;
  notify: NotifyLevel;
  read: number;
  unread: number;
  mentions: number;
  /** The room's latest message; null before the first. */
  last: MessagePreview | null;
}

export interface RoomMember {
  userId: string;
  username: string;
  /** Their display name, only when they set one. */
  displayName?: string;
  role: RoomRole;
  muted: boolean;
  joinedAt: number;
  /** Present (true) for a guest: no account, gone when its connection ends. */
  guest?: true;
}

export interface RoomMessage extends Omit<Message, 'to'> {
  room: { id: string; name: string };
  mentions: string[];
}

export interface RoomMessageResult {
  message: RoomMessage;
  roomSeq: number | null;
  duplicate: boolean;
}

export interface RoomEventsPage {
  events: { name: string; data: Record<string, unknown> }[];
  cursor: number;
  head: number;
  more: boolean;
}

export interface RoomMarker {
  read: number;
  unread: number;
  mentions: number;
}
