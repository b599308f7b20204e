import { signal } from '@preact/signals';
import type {
  ConversationSummary,
  Marker,
  Message,
  MessagePreview,
  MyRoom,
  RoomMarker,
  RoomMessage,
} from '../../../src/sdk/index.js';
import { filesLine } from '../lib/files.js';
import { client } from './client.js';
import { describe } from './errors.js';
import { isBlocked, me, myRooms, roomUnread, unread } from './signals.js';

/**
 * The chat list: my direct conversations (from `conversations.list`, then live
 * `message` events) and my rooms (from `rooms.mine`, then live `room.message`
 * events), with unread counts that follow my read markers across devices.
 *
 * A count loaded from the server already includes every message up to the
 * latest one it saw (`counted`), so a live or replayed message at or below that
 * point is never counted twice, whichever arrives first after a reconnect.
 */
export interface Preview {
  at: number;
  seq: number;
  fromMe: boolean;
  /** Who sent it (rooms show it). */
  from: string;
  text: string;
  deleted: boolean;
}

export interface DmChat {
  username: string;
  userId: string;
  displayName: string | null;
  /** My read marker (a conversation seq). */
  read: number;
  last: Preview;
}

const PAGE = 50;
const PREVIEW_CHARS = 100;

/** Direct conversations by lowercase username. */
export const dmChats = signal<Record<string, DmChat>>({});
/** The latest message seen live in each room (rooms.mine carries none), by room name. */
export const roomLast = signal<Record<string, Preview>>({});
/** Unread mentions of me by room name. */
export const roomMentions = signal<Record<string, number>>({});
/** Where the next page of older conversations starts (undefined: none). */
export const chatsNext = signal<string | undefined>(undefined);
/** Why the list could not be loaded ('' when it could). */
export const chatsError = signal('');
/** True until the first page has come (or failed), and while a page is being read. */
export const chatsLoading = signal(true);

/** Highest seq already reflected in each count, by 'dm:<username>' or 'room:<name>'. */
const counted = new Map<string, number>();

const BLOCKED_PREVIEW = 'A message from someone you blocked.';
const cut = (text: string) => [...text].slice(0, PREVIEW_CHARS).join('');

function fromSummary(c: ConversationSummary): DmChat {
  const mine = c.last.from.userId === me.value?.id;
  return {
    username: c.with.username.toLowerCase(),
    userId: c.with.userId,
    displayName: c.with.displayName,
    read: c.read,
    last: {
      at: c.lastAt,
      seq: c.last.seq,
      fromMe: mine,
      from: c.last.from.username,
      text: c.last.text || (c.last.deleted ? '' : filesLine(undefined)),
      deleted: c.last.deleted,
    },
  };
}

function takePage(list: ConversationSummary[]): void {
  const chats = { ...dmChats.value };
  const counts = { ...unread.value };
  for (const c of list) {
    const chat = fromSummary(c);
    const old = chats[chat.username];
    // A live message newer than the page (it moved meanwhile) wins.
    if (old && old.last.seq > chat.last.seq) continue;
    chats[chat.username] = chat;
    counts[chat.username] = c.unread;
    counted.set(`dm:${chat.username}`, c.last.seq);
  }
  dmChats.value = chats;
  unread.value = counts;
}

function roomPreview(last: MessagePreview): Preview {
  const mine = last.from.userId === me.value?.id;
  return {
    at: last.createdAt,
    seq: last.seq,
    fromMe: mine,
    from: last.from.username,
    text:
      !mine && isBlocked(last.from.userId)
        ? BLOCKED_PREVIEW
        : last.text || (last.deleted ? '' : filesLine(undefined)),
    deleted: last.deleted,
  };
}

/** My rooms' counts as rooms.mine gave them (loadMyRooms has just run). */
function takeRooms(rooms: MyRoom[]): void {
  const u = { ...roomUnread.value };
  const m = { ...roomMentions.value };
  const l = { ...roomLast.value };
  for (const r of rooms) {
    u[r.name] = r.unread;
    m[r.name] = r.mentions;
    counted.set(`room:${r.name}`, r.head);
    // The server's latest message, unless a newer one already came live.
    if (r.last && (!l[r.name] || l[r.name]!.seq <= r.last.seq)) l[r.name] = roomPreview(r.last);
  }
  roomUnread.value = u;
  roomMentions.value = m;
  roomLast.value = l;
}

/** Reads the first page of conversations and my rooms' counts (sign-in, reconnect). */
export async function loadChats(): Promise<void> {
  chatsLoading.value = true;
  try {
    takeRooms(Object.values(myRooms.value));
    const page = await client.conversations({ limit: PAGE });
    takePage(page.conversations);
    // Only the first load decides where "older" starts; a reconnect keeps what was paged in.
    if (chatsNext.value === undefined || !page.next) chatsNext.value = page.next;
    chatsError.value = '';
  } catch (err) {
    chatsError.value = `Could not load your chats: ${describe(err)}`;
  } finally {
    chatsLoading.value = false;
  }
}

export async function loadOlderChats(): Promise<void> {
  const before = chatsNext.value;
  if (!before || chatsLoading.value) return;
  chatsLoading.value = true;
  try {
    const page = await client.conversations({ before, limit: PAGE });
    takePage(page.conversations);
    chatsNext.value = page.next;
    chatsError.value = '';
  } catch (err) {
    chatsError.value = `Could not load older chats: ${describe(err)}`;
  } finally {
    chatsLoading.value = false;
  }
}

/** Whether a new message in this chat is being read as it arrives (set by reading.ts). */
let readingNow: (kind: 'dm' | 'room', key: string) => boolean = () => false;
export function setReadingCheck(fn: typeof readingNow): void {
  readingNow = fn;
}

/** A direct message, live or replayed from my log. */
export function chatMessage(m: Message, change: string | undefined): void {
  const user = me.value;
  if (!user) return;
  const mine = m.from.userId === user.id;
  const other = mine ? m.to : m.from;
  const key = other.username.toLowerCase();
  const old = dmChats.value[key];
  const preview: Preview = {
    at: m.createdAt,
    seq: m.seq,
    fromMe: mine,
    from: m.from.username,
    text: cut(m.text || (m.deleted ? '' : filesLine(m.attachments))),
    deleted: m.deleted,
  };
  if (change === 'new' && (!old || m.seq > old.last.seq))
    dmChats.value = {
      ...dmChats.value,
      [key]: {
        username: key,
        userId: other.userId,
        displayName: old?.displayName ?? null,
        read: old?.read ?? 0,
        last: preview,
      },
    };
  else if (old && old.last.seq === m.seq && (change === 'edited' || change === 'deleted'))
    dmChats.value = { ...dmChats.value, [key]: { ...old, last: preview } };
  if (mine) return;
  // A chat that someone's live message just started knows only the username: ask for the name.
  if (!old && change === 'new') void nameChat(key);
  const id = `dm:${key}`;
  if (change === 'new' && m.seq > (counted.get(id) ?? 0)) {
    counted.set(id, m.seq);
    if (!readingNow('dm', key))
      unread.value = { ...unread.value, [key]: (unread.value[key] ?? 0) + 1 };
  } else if (change === 'deleted' && m.seq > (old?.read ?? 0) && m.seq <= (counted.get(id) ?? 0)) {
    // An unread message taken back is no longer unread (the server's count leaves it out too).
    unread.value = { ...unread.value, [key]: Math.max(0, (unread.value[key] ?? 0) - 1) };
  }
}

async function nameChat(key: string): Promise<void> {
  const profile = await client.profile(key).catch(() => undefined);
  const c = dmChats.value[key];
  if (profile?.displayName && c && !c.displayName)
    dmChats.value = { ...dmChats.value, [key]: { ...c, displayName: profile.displayName } };
}

/** A room message from the room's timeline, live or replayed. */
export function chatRoomMessage(room: string, m: RoomMessage, change: string | undefined): void {
  const user = me.value;
  if (!user || !myRooms.value[room]) return;
  const mine = m.from.userId === user.id;
  // Someone I blocked: counted as unread (it is in the room), never as a mention or in a preview.
  const blockedSender = !mine && isBlocked(m.from.userId);
  const old = roomLast.value[room];
  const preview: Preview = {
    at: m.createdAt,
    seq: m.seq,
    fromMe: mine,
    from: m.from.username,
    text: blockedSender
      ? BLOCKED_PREVIEW
      : cut(m.text || (m.deleted ? '' : filesLine(m.attachments))),
    deleted: m.deleted,
  };
  if ((change === 'new' && (!old || m.seq > old.seq)) || (old && old.seq === m.seq))
    roomLast.value = { ...roomLast.value, [room]: preview };
  if (mine || change !== 'new') return;
  const id = `room:${room}`;
  if (m.seq <= (counted.get(id) ?? 0)) return;
  counted.set(id, m.seq);
  if (readingNow('room', room)) return;
  roomUnread.value = { ...roomUnread.value, [room]: (roomUnread.value[room] ?? 0) + 1 };
  if (m.mentions.includes(user.id) && !blockedSender)
    roomMentions.value = { ...roomMentions.value, [room]: (roomMentions.value[room] ?? 0) + 1 };
}

/** My read marker moved (here, or on another device: the `marker` event). */
export function dmMarker(mk: Pick<Marker, 'with' | 'read' | 'unread'>): void {
  const key = mk.with.username.toLowerCase();
  const old = dmChats.value[key];
  if (old && mk.read > old.read)
    dmChats.value = { ...dmChats.value, [key]: { ...old, read: mk.read } };
  unread.value = { ...unread.value, [key]: mk.unread };
}

export function roomMarker(room: string, mk: RoomMarker): void {
  const r = myRooms.value[room];
  if (r && mk.read > r.read) myRooms.value = { ...myRooms.value, [room]: { ...r, read: mk.read } };
  roomUnread.value = { ...roomUnread.value, [room]: mk.unread };
  roomMentions.value = { ...roomMentions.value, [room]: mk.mentions };
}

const roomName = (d: Record<string, unknown>) => {
  const r = d.room as { name?: string } | string | undefined;
  return (typeof r === 'string' ? r : (r?.name ?? '')).replace(/^#/, '').toLowerCase();
};

/** Live-only events about my markers and settings (docs/protocol.md 5.38, 12.31). */
export function markerEvent(name: string, d: Record<string, unknown>): void {
  if (name === 'marker') return dmMarker(d as unknown as Marker);
  const room = roomName(d);
  if (name === 'room.marker') return roomMarker(room, d as unknown as RoomMarker);
  if (name === 'room.notify') {
    const r = myRooms.value[room];
    if (r)
      myRooms.value = { ...myRooms.value, [room]: { ...r, notify: d.notify as MyRoom['notify'] } };
  }
}

export function forgetChats(): void {
  dmChats.value = {};
  roomLast.value = {};
  roomMentions.value = {};
  chatsNext.value = undefined;
  chatsError.value = '';
  chatsLoading.value = true;
  counted.clear();
}
