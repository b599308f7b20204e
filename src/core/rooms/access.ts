import { ParleyError } from '../errors.js';
import { except, type LogEvent, type RoomMessage, type TimelineEvent } from '../events.js';
import { roomMessage } from '../messages/domain.js';
import { fillNames, type NameDirectory } from '../records.js';
import type { Pictures } from '../files/pictures.js';
import type { HistoryReader } from '../history/service.js';
import type { Hooks } from '../hooks.js';
import type { MessageStore } from '../messages/store.js';
import type { MarkerStore } from '../receipts/store.js';
import type { Router } from '../router.js';
import type { RoomFanout } from './fanout.js';
import { lookupRoomName } from './names.js';
import type { Role } from './roles.js';
import type { Ban, Member, Room, RoomEvent, RoomStore } from './store.js';

export interface RoomUsers extends NameDirectory {
  byUsername(
    username: string,
  ): Promise<{ id: string; username: string; guest?: boolean } | undefined>;
  usernameOf(id: string): Promise<string | undefined>;
  /** True when `ownerId` blocked `otherId`. */
  isBlocked(ownerId: string, otherId: string): Promise<boolean>;
}

export interface RoomDeps {
  store: RoomStore;
  messages: MessageStore;
  /** Reads of the room's messages by position (rooms.history). */
  history: HistoryReader;
  markers: MarkerStore;
  users: RoomUsers;
  router: Router;
  fanout: RoomFanout;
  limits: {
    maxMembers: number;
    maxCreatedPerUser: number;
    /** Guests may create rooms (config rooms.guests_may_create); absent: they may not. */
    guestsMayCreate?: boolean;
  };
  rate: { perSecond: number; burst: number };
  hooks?: Hooks;
  /** Rooms' pictures (core/rooms/avatar.ts): a closed room's goes with it. */
  pictures?: Pick<Pictures, 'drop'>;
  now?: () => number;
}

/** What core tells about a room (the native door shows it as its Room, docs/protocol.md "Rooms"). */
export interface RoomSummary {
  id: string;
  name: string;
  topic: string;
  topicBy: string | null;
  topicAt: number | null;
  topicLocked: boolean;
  visibility: 'public' | 'private';
  memberCount: number;
  createdAt: number;
  /** The seq of the room's latest event: `rooms.events` after your cursor catches up to it. */
  head: number;
  lastAt: number;
  /** The room's picture's hash (GET /rooms/:room/avatar?v=hash), null when none. */
  avatar: string | null;
}

export interface MemberView {
  userId: string;
  username: string;
  /** Their profile's display name, only when they set one (rooms.members). */
  displayName?: string;
  /** A guest (core/accounts/guests.ts): no account, gone when its connection ends. Only when true. */
  guest?: true;
  role: Role;
  muted: boolean;
  joinedAt: number;
}

export const roomSummary = (r: Room): RoomSummary => ({
  id: r.id,
  name: r.name,
  topic: r.topic,
  topicBy: r.topicBy,
  topicAt: r.topicAt,
  topicLocked: r.topicLocked,
  visibility: r.visibility,
  memberCount: r.memberCount,
  createdAt: r.createdAt,
  head: r.head,
  lastAt: r.lastAt,
  avatar: r.avatar,
});

export const conversationOf = (roomId: string): string => `room:${roomId}`;

/** "a member", "an owner": roles in error texts. */
export const aRole = (role: string): string => (/^[aeiou]/.test(role) ? `an ${role}` : `a ${role}`);

export const activeBan = (b: Ban | undefined, now: number): b is Ban =>
  b !== undefined && (b.expiresAt === null || b.expiresAt > now);

export function roomField(v: string): string {
  const name = lookupRoomName(v);
  if (name === undefined)
    throw new ParleyError('bad-request', 'room must be a room name such as "#tardis"', {
      field: 'room',
    });
  return name;
}

/**
 * Who may read a room, and from which room seq: members from their
 * `historyFrom`, anyone not banned looking into a public room from its
 * `publicSince`. Every read of a room's messages goes through this (room chat,
 * core/history); it throws `forbidden` for everyone else.
 */
export async function roomReader(
  store: Pick<RoomStore, 'member' | 'ban'>,
  room: Room,
  userId: string,
  now: number,
): Promise<{ member: Member | undefined; from: number }> {
  const m = await store.member(room.id, userId);
  if (m) return { member: m, from: m.historyFrom };
  if (room.visibility === 'private')
    throw new ParleyError('forbidden', `#${room.name} is private: members only`);
  if (activeBan(await store.ban(room.id, userId), now))
    throw new ParleyError('forbidden', `you are banned from #${room.name}`);
  return { member: undefined, from: room.publicSince };
}

/** Shared by the room services: lookups, permission checks and event publishing. */
export function roomAccess(deps: RoomDeps) {
  const now = deps.now ?? Date.now;

  /** `count: false` on hot paths (sending, marking) that never show the member count. */
  async function find(name: string, opts?: { count?: boolean }): Promise<Room> {
    const r = await deps.store.byName(roomField(name), opts);
    if (!r) throw new ParleyError('not-found', 'no such room', { field: 'room' });
    return r;
  }

  async function user(username: string, field = 'username') {
    if (username.length > 64)
      throw new ParleyError('bad-request', `${field} must be a username`, { field });
    const u = await deps.users.byUsername(username.toLowerCase());
    if (!u) throw new ParleyError('not-found', 'no such user', { field });
    // Only these two: the account record also holds the password hash, and this
    // value is written into events every member can read.
    return { id: u.id, username: u.username };
  }

  async function me(userId: string) {
    return { id: userId, username: (await deps.users.usernameOf(userId)) ?? '' };
  }

  function mustBeMember(room: Room, m: Member | undefined): Member {
    if (!m) throw new ParleyError('forbidden', `you are not a member of #${room.name}`);
    return m;
  }

  async function canRead(room: Room, userId: string): Promise<Member | undefined> {
    return (await roomReader(deps.store, room, userId, now())).member;
  }

  /**
   * The first room seq `member` (or, when undefined, someone looking in) may read:
   * a room made public shows only what came after the switch to those who were
   * not in it then.
   */
  function readsFrom(room: Room, member: Member | undefined): number {
    return member ? member.historyFrom : room.publicSince;
  }

  /** Hands a committed timeline event to the room's online members on every node. */
  function emit(
    room: { id: string; name: string },
    e: RoomEvent,
    connectionId?: string,
    membership?: { userId: string; joined: boolean },
    message?: RoomMessage,
  ): void {
    deps.fanout.publish(room.id, except(timelineEvent(room, e, message), connectionId), membership);
  }

  /** A user's own log entry (their other devices replay it), told live too (not to `connectionId`, which gets the reply). */
  function tellUser(
    userId: string,
    name: LogEvent['name'],
    seq: number,
    data: Record<string, unknown>,
    connectionId?: string,
  ) {
    deps.router.deliver(userId, except({ ...data, name, seq } as LogEvent, connectionId));
  }

  return { now, find, user, me, mustBeMember, canRead, readsFrom, emit, tellUser };
}

/**
 * A timeline entry as an event: `roomSeq` is the room's position (never `seq`,
 * which always means a user's own log). A message change carries the message.
 */
export function timelineEvent(
  room: { id: string; name: string },
  e: Pick<RoomEvent, 'name' | 'seq' | 'at' | 'data'>,
  message?: RoomMessage,
): TimelineEvent {
  return {
    ...e.data,
    name: e.name,
    room: { id: room.id, name: room.name },
    roomSeq: e.seq,
    at: e.at,
    ...(message ? { message } : {}),
  } as TimelineEvent;
}

/** Timeline entries read back as events: today's names, messages as they are now. */
export async function timelineEvents(
  room: { id: string; name: string },
  rows: readonly RoomEvent[],
  users: NameDirectory,
): Promise<TimelineEvent[]> {
  const extra = rows.flatMap((r) => (r.message ? [r.message.senderId] : []));
  const names = await fillNames(
    rows.map((r) => r.data),
    users,
    extra,
  );
  const out: TimelineEvent[] = [];
  for (const r of rows) {
    if (r.name === 'room.message') {
      // Gone with its sender's account: the position still passes, with nothing to show.
      if (!r.message) continue;
      const { message: _old, ...data } = r.data;
      out.push(
        timelineEvent(room, { ...r, data }, roomMessage(r.message, room, names, r.mentions ?? [])),
      );
    } else out.push(timelineEvent(room, r));
  }
  return out;
}

export type RoomAccess = ReturnType<typeof roomAccess>;
