import { signal } from '@preact/signals';
import type {
  BlockedUser,
  Contact,
  Message,
  MyRoom,
  Presence,
  Room,
  RoomMember,
  RoomMessage,
  User,
} from '../../../src/sdk/index.js';
import type { RoomLine } from '../lib/roomEvents.js';

/** What a message view needs of a direct or room message. */
export type Shown = Pick<
  Message,
  | 'id'
  | 'seq'
  | 'from'
  | 'clientId'
  | 'text'
  | 'createdAt'
  | 'editedAt'
  | 'deleted'
  | 'replyTo'
  | 'reactions'
  | 'attachments'
> & { pending?: 'sending' | 'failed' };

/** Where a history view is: `newer` when the window stops short of the newest message (after a jump); `jump` asks the list to scroll to a message (or to the end). */
export interface Windowing {
  newer?: boolean;
  jump?: { seq: number | 'latest'; at: number };
}

/** A message as the client holds it: sent ones are `pending` until the server stores them. */
export type ChatMessage = Message & { pending?: 'sending' | 'failed' };
export type RoomChatMessage = RoomMessage & { pending?: 'sending' | 'failed' };

export interface RoomView extends Windowing {
  name: string;
  /** Oldest first (by roomSeq); pending sends at the end. */
  messages: RoomChatMessage[];
  more: boolean;
  loading: boolean;
  error: string;
  /** null until loaded. */
  members: RoomMember[] | null;
  /** The next page of members (`rooms.members` `next`), or null when all are loaded. */
  membersNext: string | null;
  /** Joins, kicks, topic changes... among the messages (by roomSeq). */
  lines: RoomLine[];
  /** Why I am no longer in the room (kicked, banned), or empty. */
  gone: string;
}

export interface Conversation extends Windowing {
  /** The other person's username, lowercase. */
  with: string;
  /** Oldest first; pending sends at the end. */
  messages: ChatMessage[];
  /** Older messages exist on the server. */
  more: boolean;
  loading: boolean;
  error: string;
}

export type Show = 'available' | 'away' | 'dnd' | 'xa' | 'invisible';

/** Who is signed in (null: the sign-in screen). */
export const me = signal<User | null>(null);
/** My contact list, including strangers' waiting requests (`inRoster: false`). */
export const contacts = signal<Contact[]>([]);
/** Presence by user id, as last heard (`at` orders crossing events). */
export const presence = signal<Record<string, Presence & { at?: number }>>({});
/** Open conversations by lowercase username. */
export const conversations = signal<Record<string, Conversation>>({});
/** Unread counts by lowercase username, for conversations not on screen. */
export const unread = signal<Record<string, number>>({});
/** The conversation on screen (lowercase username), or null. */
export const selected = signal<string | null>(null);
/** The live connection. */
export const connection = signal<'offline' | 'connecting' | 'online'>('offline');
/** Set when a live connection was lost or refused, until one is up again: the retries are "offline". */
export const lostConnection = signal(false);
/** What I chose to show others, for the account (the server keeps it; every device shows it). */
export const myShow = signal<Show>('available');
/** My status text ("" for none), shown with my presence to my contacts. */
export const myStatus = signal('');
/** This device shows me away because nobody used it for a while (state/idle.ts). */
export const idleAway = signal(false);
/** A problem to tell the user about (empty: none). */
export const notice = signal('');
/** The rooms I am in, by name (without "#"). */
export const myRooms = signal<Record<string, MyRoom>>({});
/** Rooms I am invited to and have not joined. */
export const roomInvites = signal<{ room: Room; by: string | null }[]>([]);
/** Open rooms by name. */
export const roomViews = signal<Record<string, RoomView>>({});
/** New room messages by room name, for rooms not on screen. */
export const roomUnread = signal<Record<string, number>>({});
/** The room on screen, or null. */
export const selectedRoom = signal<string | null>(null);
/** The room directory is on screen. */
export const browsing = signal(false);

/** Who I block, by user id (null until loaded). Kept current by the log's block events (people.ts). */
export const blocked = signal<Record<string, BlockedUser> | null>(null);

export function isBlocked(userId: string): boolean {
  return !!blocked.value?.[userId];
}
