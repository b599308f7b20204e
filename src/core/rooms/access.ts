import { ParleyError } from '../errors.js';
import { event } from '../events.js';
import type { HistoryReader } from '../history/service.js';
import type { Hooks } from '../hooks.js';
import type { MessageStore } from '../messages/store.js';
import type { MarkerStore } from '../receipts/store.js';
import type { Router } from '../router.js';
import type { RoomFanout } from './fanout.js';
import { lookupRoomName } from './names.js';
import type { Role } from './roles.js';
import type { Ban, Member, Room, RoomEvent, RoomStore } from './store.js';

export interface RoomUsers {
  byUsername(username: string): Promise<{ id: string; username: string } | undefined>;
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
  limits: { maxMembers: number; maxCreatedPerUser: number };
  rate: { perSecond: number; burst: number };
  hooks?: Hooks;
  now?: () => number;
}

/** A room as clients see it (docs/protocol.md, "Rooms"). */
export interface RoomView {
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
}

export interface MemberView {
  userId: string;
  username: string;
  role: Role;
  muted: boolean;
  joinedAt: number;
}

export const roomView = (r: Room): RoomView => ({
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
});

export const conversationOf = (roomId: string): string => `room:${roomId}`;

/** "a member", "an owner": roles in error texts. */
export const aRole = (role: string): string => (/^[aeiou]/.test(role) ? `an ${role}` : `a ${role}`);

export const activeBan = (b: Ban | undefined, now: number): b is Ban =>
  b !== undefined && (b.expiresAt === null || b.expiresAt > now);

export function roomField(v: unknown): string {
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
  async function find(name: unknown, opts?: { count?: boolean }): Promise<Room> {
    const r = await deps.store.byName(roomField(name), opts);
    if (!r) throw new ParleyError('not-found', 'no such room', { field: 'room' });
    return r;
  }

  async function user(username: unknown, field = 'username') {
    if (typeof username !== 'string' || username.length > 64)
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
  ): void {
    deps.fanout.publish(room.id, event(e.name, timelineData(room, e), connectionId), membership);
  }

  /** A user's own log entry (their other devices replay it), told live too (not to `connectionId`, which gets the reply). */
  function tellUser(
    userId: string,
    name: string,
    seq: number,
    data: Record<string, unknown>,
    connectionId?: string,
  ) {
    deps.router.deliver(userId, event(name, { seq, ...data }, connectionId));
  }

  return { now, find, user, me, mustBeMember, canRead, readsFrom, emit, tellUser };
}

/**
 * A timeline event's data as clients get it, live or replayed: `roomSeq` is
 * the room's position (never `seq`, which always means your own log's).
 */
export function timelineData(
  room: { id: string; name: string },
  e: Pick<RoomEvent, 'seq' | 'at' | 'data'>,
): Record<string, unknown> {
  return { room: { id: room.id, name: room.name }, roomSeq: e.seq, at: e.at, ...e.data };
}

export type RoomAccess = ReturnType<typeof roomAccess>;
