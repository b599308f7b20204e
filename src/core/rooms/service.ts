import { ParleyError } from '../errors.js';
import { except } from '../events.js';
import { NO_HOOKS } from '../hooks.js';
import { newId } from '../ids.js';
import { type MessagePreview, messagePreview } from '../messages/preview.js';
import {
  activeBan,
  aRole,
  type MemberView,
  type RoomDeps,
  type RoomSummary,
  roomAccess,
  roomSummary,
} from './access.js';
import { checkTopic, newRoomName } from './names.js';
import {
  canConfigure,
  canLockTopic,
  canModerate,
  canSetRole,
  isRole,
  rank,
  type Role,
} from './roles.js';
import type { Member, NotifyLevel, Room, RoomEvent, RoomTx } from './store.js';

export const DIRECTORY_MAX = 100;
export const MEMBERS_MAX = 500;
export const MAX_REASON = 300;
/** A ban can last at most a year when it has an expiry at all. */
const MAX_BAN_SECONDS = 366 * 24 * 3600;

export interface MyRoom extends RoomSummary {
  role: Role;
  muted: boolean;
  notify: NotifyLevel;
  /** Your read marker (a room seq). */
  read: number;
  unread: number;
  mentions: number;
  /** The room's latest message, for a list of chats; null before the first. */
  last: MessagePreview | null;
}

type Who = { id: string; username: string };

export interface RoomService {
  create(
    userId: string,
    /** `visibility`: "public" (the default) or "private". */
    req: { name: string; topic?: string; visibility?: string },
    connectionId?: string,
  ): Promise<{ room: RoomSummary; seq: number }>;
  get(
    userId: string,
    room: string,
  ): Promise<{ room: RoomSummary; membership: Omit<MemberView, 'username' | 'userId'> | null }>;
  /** `after` is the `next` of the previous page. */
  directory(
    userId: string,
    q: { q?: string; after?: string; limit?: number },
  ): Promise<{ rooms: RoomSummary[]; next?: string }>;
  mine(userId: string): Promise<{
    rooms: MyRoom[];
    invites: { room: RoomSummary; by: string | null; at: number }[];
  }>;
  join(
    userId: string,
    room: string,
    connectionId?: string,
  ): Promise<{ room: RoomSummary; seq: number | null }>;
  /** `reason`: what the members are told (IRC's PART message), at most MAX_REASON. */
  leave(
    userId: string,
    room: string,
    connectionId?: string,
    reason?: string,
  ): Promise<{ seq: number | null }>;
  invite(userId: string, room: string, username: string): Promise<void>;
  /** Turns down an invitation: it is gone, and the members see `declined`. */
  decline(userId: string, room: string): Promise<void>;
  members(
    userId: string,
    room: string,
    q: { after?: string; limit?: number },
  ): Promise<{ members: MemberView[]; next?: string }>;
  update(
    userId: string,
    room: string,
    patch: { topic?: string; topicLocked?: boolean; visibility?: string },
  ): Promise<{ room: RoomSummary }>;
  /** `role`: one of ROLES (core/rooms/roles.ts), checked here. */
  setRole(userId: string, room: string, username: string, role: string): Promise<MemberView>;
  kick(userId: string, room: string, username: string, reason?: string): Promise<void>;
  /** `seconds`: how long; absent or null bans until unbanned. */
  ban(
    userId: string,
    room: string,
    username: string,
    reason?: string,
    seconds?: number | null,
  ): Promise<void>;
  unban(userId: string, room: string, username: string): Promise<void>;
  bans(
    userId: string,
    room: string,
  ): Promise<{ username: string; reason: string; expiresAt: number | null; createdAt: number }[]>;
  /** `on` (default true) mutes; false unmutes. */
  mute(userId: string, room: string, username: string, on?: boolean): Promise<MemberView>;
  /** `level`: "all", "mentions" or "none", checked here. */
  setNotify(
    userId: string,
    room: string,
    level: string,
    connectionId?: string,
  ): Promise<{ notify: NotifyLevel }>;
  /**
   * Takes an account that is being deleted out of every room it is in, as a leave
   * the members see; a room it was the last owner of passes on (or closes).
   */
  removeAccount(userId: string): Promise<void>;
}

function reasonField(v: string | undefined): string {
  if (v === undefined) return '';
  if ([...v].length > MAX_REASON)
    throw new ParleyError(
      'bad-request',
      `reason must be text of at most ${MAX_REASON} characters`,
      {
        field: 'reason',
      },
    );
  // eslint-disable-next-line no-control-regex
  return v.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
}

function intField(v: number, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new ParleyError('bad-request', `${field} must be a whole number from ${min} to ${max}`, {
      field,
    });
  return v;
}

const memberView = (m: Member, username: string): MemberView => ({
  userId: m.userId,
  username,
  role: m.role,
  muted: m.muted,
  joinedAt: m.joinedAt,
});

/**
 * A room must always be run by someone, and never by a newcomer: once its last
 * owner is gone it passes to the highest-ranking member who remains (the
 * earliest to join among equals), and a room nobody remains in is deleted.
 * Runs inside the room's transaction, after the departure.
 */
async function succession(
  tx: RoomTx,
  t: number,
): Promise<{ e?: RoomEvent; closed?: true; picture?: string }> {
  if ((await tx.ownerCount()) > 0) return {};
  const heir = await tx.heir();
  if (!heir) {
    // Its picture's blob goes after the commit (it may be shared: Pictures.drop checks).
    const picture = (await tx.avatar())?.sha256;
    await tx.deleteRoom();
    return picture ? { closed: true, picture } : { closed: true };
  }
  const { username, ...member } = heir;
  await tx.putMember({ ...member, role: 'owner' });
  const e = await tx.append({
    at: t,
    name: 'room.member',
    actorId: null,
    messageId: null,
    data: {
      change: 'role',
      role: 'owner',
      from: heir.role,
      user: { id: heir.userId, username },
      by: null,
    },
  });
  return { e };
}

/** The room as it is under the lock: it may have closed since it was looked up. */
export async function current(tx: RoomTx): Promise<Room> {
  const cur = await tx.room();
  if (!cur) throw new ParleyError('not-found', 'no such room', { field: 'room' });
  return cur;
}

export function createRoomService(deps: RoomDeps): RoomService {
  const { store } = deps;
  const a = roomAccess(deps);
  const hooks = deps.hooks ?? NO_HOOKS;

  /** After the commit that closed a room: its picture's blob, unless something else names it. */
  async function closed(picture: string | undefined): Promise<void> {
    // The room is gone either way; a blob that could not go is only unnamed bytes.
    if (picture) await deps.pictures?.drop(picture).catch(() => {});
  }

  /** After commit: `userId` is now a member (the timeline event `e` says so). */
  function joined(room: Room, userId: string, role: Role, e: RoomEvent, via: 'create' | 'join') {
    hooks.emit('member.joined', {
      roomId: room.id,
      roomName: room.name,
      userId,
      role,
      roomSeq: e.seq,
      at: e.at,
      via,
    });
  }

  /** A change one member makes to another, checked and applied under the room's lock. */
  async function moderate(
    actorId: string,
    roomName: string,
    username: string,
    apply: (
      tx: RoomTx,
      ctx: { room: Room; actor: Member; target: Member | undefined; them: Who; t: number },
    ) => Promise<
      | {
          name: string;
          data: Record<string, unknown>;
          left?: { change: string; reason: string };
        }
      | undefined
    >,
  ): Promise<{ room: Room; target: Member | undefined; them: Who }> {
    const room = await a.find(roomName);
    const them = await a.user(username);
    const by = await a.me(actorId);
    const t = a.now();
    const out = await store.transact(room.id, async (tx) => {
      const cur = await current(tx);
      const actor = a.mustBeMember(cur, await tx.member(actorId));
      const target = await tx.member(them.id);
      const change = await apply(tx, { room: cur, actor, target, them, t });
      if (!change) return { room: cur, target: await tx.member(them.id) };
      const e = await tx.append({
        at: t,
        name: change.name,
        actorId,
        messageId: null,
        data: { ...change.data, user: them, by },
      });
      let logSeq: number | undefined;
      if (change.left)
        logSeq = await tx.userLog(
          them.id,
          'room.left',
          {
            room: { id: cur.id, name: cur.name },
            change: change.left.change,
            reason: change.left.reason,
            by,
          },
          t,
        );
      return { room: cur, target: await tx.member(them.id), e, logSeq, left: change.left };
    });
    if ('e' in out && out.e) {
      a.emit(out.room, out.e, undefined, out.left ? { userId: them.id, joined: false } : undefined);
      if (out.logSeq !== undefined && out.left)
        a.tellUser(them.id, 'room.left', out.logSeq, {
          room: { id: out.room.id, name: out.room.name },
          change: out.left.change,
          reason: out.left.reason,
          by,
        });
    }
    return { room: out.room, target: out.target, them };
  }

  return {
    async create(userId, req, connectionId) {
      if (
        !deps.limits.guestsMayCreate &&
        (await deps.users.byUsername((await a.me(userId)).username))?.guest
      )
        throw new ParleyError('forbidden', 'guests cannot create rooms: sign up for an account');
      const name = newRoomName(req.name);
      const topic = req.topic === undefined ? '' : checkTopic(req.topic);
      const visibility = req.visibility ?? 'public';
      if (visibility !== 'public' && visibility !== 'private')
        throw new ParleyError('bad-request', 'visibility must be "public" or "private"', {
          field: 'visibility',
        });
      if ((await store.createdBy(userId)) >= deps.limits.maxCreatedPerUser)
        throw new ParleyError(
          'conflict',
          `you have created ${deps.limits.maxCreatedPerUser} rooms, the most allowed`,
        );
      const by = await a.me(userId);
      const t = a.now();
      const id = newId(t);
      const r = await store.transact(id, async (tx) => {
        const ok = await tx.createRoom({
          id,
          name,
          topic,
          topicLocked: false,
          visibility,
          createdAt: t,
          createdBy: userId,
        });
        if (!ok) throw new ParleyError('conflict', `#${name} already exists`, { field: 'name' });
        if (topic) await tx.updateRoom({ topicBy: by.username, topicAt: t });
        await tx.putMember({
          roomId: id,
          userId,
          historyFrom: 0,
          role: 'owner',
          muted: false,
          notify: 'all',
          joinedAt: t,
        });
        const e = await tx.append({
          at: t,
          name: 'room.created',
          actorId: userId,
          messageId: null,
          data: { by, topic, visibility },
        });
        const room = (await tx.room())!;
        const seq = await tx.userLog(
          userId,
          'room.joined',
          { room: roomSummary(room), role: 'owner' },
          t,
        );
        return { room, e, seq };
      });
      a.emit(r.room, r.e, connectionId, { userId, joined: true });
      a.tellUser(
        userId,
        'room.joined',
        r.seq,
        { room: roomSummary(r.room), role: 'owner' },
        connectionId,
      );
      joined(r.room, userId, 'owner', r.e, 'create');
      return { room: roomSummary(r.room), seq: r.seq };
    },

    async get(userId, roomName) {
      const room = await a.find(roomName);
      const m = await a.canRead(room, userId);
      return {
        room: roomSummary(room),
        membership: m
          ? { role: m.role, muted: m.muted, joinedAt: m.joinedAt, notify: m.notify }
          : null,
      };
    },

    async directory(_userId, q) {
      const limit = q.limit === undefined ? 50 : intField(q.limit, 'limit', 1, DIRECTORY_MAX);
      if (q.q !== undefined && q.q.length > 100)
        throw new ParleyError('bad-request', 'q must be text of at most 100 characters', {
          field: 'q',
        });
      if (q.after !== undefined && q.after.length > 40)
        throw new ParleyError('bad-request', 'after must be a `next` value from an earlier page', {
          field: 'after',
        });
      const query: { q?: string; after?: string; limit: number } = { limit: limit + 1 };
      if (q.q !== undefined && q.q.trim()) query.q = q.q.trim();
      if (q.after !== undefined) query.after = q.after;
      const rows = await store.directory(query);
      const page = rows.slice(0, limit);
      const rooms = page.map(roomSummary);
      return rows.length > limit ? { rooms, next: page[page.length - 1]!.name } : { rooms };
    },

    async mine(userId) {
      const rows = await store.roomsOf(userId);
      const rooms: MyRoom[] = [];
      for (const r of rows) {
        const last = r.last ? messagePreview(r.last, r.last.sender) : null;
        rooms.push({
          ...roomSummary(r.room),
          role: r.member.role,
          muted: r.member.muted,
          notify: r.member.notify,
          read: r.read,
          unread: r.unread,
          mentions: r.mentions,
          last,
        });
      }
      const invites: { room: RoomSummary; by: string | null; at: number }[] = [];
      for (const i of await store.invitesOf(userId)) {
        // One from someone blocked since stays hidden while the block lasts.
        if (i.by && (await deps.users.isBlocked(userId, i.by))) continue;
        // Invites name the inviter by username.
        const by = i.by ? ((await deps.users.usernameOf(i.by)) ?? null) : null;
        invites.push({ room: roomSummary(i.room), by, at: i.at });
      }
      return { rooms, invites };
    },

    async join(userId, roomName, connectionId) {
      const room = await a.find(roomName);
      const me = await a.me(userId);
      // Members are told a guest joins as a guest (a fact for its whole short life).
      const guest = (await deps.users.byUsername(me.username))?.guest === true;
      // The joiner's display name rides with the event (IRC's extended-join shows it); the
      // record keeps it blank and fills it in on read, as every name (core/records.ts).
      const displayName = (await deps.users.displayNames([userId])).get(userId) ?? '';
      const t = a.now();
      const r = await store.transact(room.id, async (tx) => {
        const cur = await current(tx);
        if (await tx.member(userId)) return { room: cur };
        const ban = await tx.ban(userId);
        if (activeBan(ban, t))
          throw new ParleyError(
            'forbidden',
            `you are banned from #${cur.name}${ban.reason ? `: ${ban.reason}` : ''}`,
          );
        const invited = await tx.invited(userId);
        if (cur.visibility === 'private' && !invited)
          throw new ParleyError('forbidden', `#${cur.name} is invite-only`);
        if (cur.memberCount >= deps.limits.maxMembers)
          throw new ParleyError(
            'conflict',
            `#${cur.name} is full (${deps.limits.maxMembers} members)`,
          );
        // A room left without an owner (by an older version, or a departure racing an
        // account deletion) passes on before anyone joins: never to the newcomer.
        const heir = await succession(tx, t);
        if (heir.closed) return { closed: true as const, picture: heir.picture };
        const role: Role = 'member';
        await tx.putMember({
          roomId: cur.id,
          userId,
          // Invited into a private room: all of it. Into a public one: what anyone
          // looking in may read (a room once private keeps that part to its members then).
          historyFrom: cur.visibility === 'public' ? cur.publicSince : 0,
          role,
          muted: false,
          notify: 'all',
          joinedAt: t,
        });
        if (invited) await tx.removeInvite(userId);
        const e = await tx.append({
          at: t,
          name: 'room.member',
          actorId: userId,
          messageId: null,
          data: {
            change: 'joined',
            user: { ...me, displayName },
            by: null,
            ...(guest ? { guest: true } : {}),
          },
        });
        const fresh = (await tx.room())!;
        const seq = await tx.userLog(userId, 'room.joined', { room: roomSummary(fresh), role }, t);
        return { room: fresh, e, seq, role, passed: heir.e };
      });
      if ('closed' in r) {
        await closed(r.picture);
        throw new ParleyError('not-found', 'no such room', { field: 'room' });
      }
      if (!('e' in r) || !r.e || r.seq === undefined || !r.role)
        return { room: roomSummary(r.room), seq: null };
      if (r.passed) a.emit(r.room, r.passed);
      a.emit(r.room, r.e, connectionId, { userId, joined: true });
      a.tellUser(
        userId,
        'room.joined',
        r.seq,
        { room: roomSummary(r.room), role: r.role },
        connectionId,
      );
      joined(r.room, userId, r.role, r.e, 'join');
      return { room: roomSummary(r.room), seq: r.seq };
    },

    async leave(userId, roomName, connectionId, reason) {
      const why = reasonField(reason);
      const room = await a.find(roomName);
      const me = await a.me(userId);
      // A guest's rooms pass on when it disconnects (guests.end): leaving one earlier
      // does the same, as a channel operator may always PART on IRC.
      const guest = (await deps.users.byUsername(me.username))?.guest === true;
      const t = a.now();
      const r = await store.transact(room.id, async (tx) => {
        const cur = await current(tx);
        const m = await tx.member(userId);
        if (!m) return undefined;
        if (m.role === 'owner' && cur.memberCount > 1 && !guest) {
          // The last owner cannot walk away from a room others are still in.
          if ((await tx.ownerCount()) < 2)
            throw new ParleyError(
              'conflict',
              `you are the only owner of #${cur.name}: make someone else owner first`,
            );
        }
        await tx.removeMember(userId);
        const e = await tx.append({
          at: t,
          name: 'room.member',
          actorId: userId,
          messageId: null,
          data: { change: 'left', user: me, by: null, ...(why ? { reason: why } : {}) },
        });
        const seq = await tx.userLog(
          userId,
          'room.left',
          { room: { id: cur.id, name: cur.name }, change: 'left', reason: '', by: null },
          t,
        );
        // The last one out closes the room (an owner leaves only when alone).
        const next = await succession(tx, t);
        return { room: cur, e, seq, passed: next.e, picture: next.picture };
      });
      if (!r) throw new ParleyError('conflict', `you are not a member of #${room.name}`);
      await closed(r.picture);
      a.emit(r.room, r.e, connectionId, { userId, joined: false });
      if (r.passed) a.emit(r.room, r.passed);
      a.tellUser(
        userId,
        'room.left',
        r.seq,
        { room: { id: r.room.id, name: r.room.name }, change: 'left', reason: '', by: null },
        connectionId,
      );
      return { seq: r.seq };
    },

    async invite(userId, roomName, username) {
      const room = await a.find(roomName);
      const them = await a.user(username);
      if (await deps.users.isBlocked(userId, them.id))
        throw new ParleyError('conflict', `you blocked ${them.username}; unblock them first`, {
          field: 'username',
        });
      // Someone who blocked you gets no invitation from you, and you are not told:
      // the room's history shows the invitation as for anyone else.
      const silent = await deps.users.isBlocked(them.id, userId);
      const by = await a.me(userId);
      const t = a.now();
      const r = await store.transact(room.id, async (tx) => {
        const cur = await current(tx);
        const actor = a.mustBeMember(cur, await tx.member(userId));
        if (actor.muted) throw new ParleyError('forbidden', `you are muted in #${cur.name}`);
        if (await tx.member(them.id))
          throw new ParleyError('conflict', `${them.username} is already in #${cur.name}`, {
            field: 'username',
          });
        if (activeBan(await tx.ban(them.id), t))
          throw new ParleyError('forbidden', `${them.username} is banned from #${cur.name}`, {
            field: 'username',
          });
        if (!silent) await tx.putInvite(them.id, userId, t);
        const e = await tx.append({
          at: t,
          name: 'room.member',
          actorId: userId,
          messageId: null,
          data: { change: 'invited', user: them, by },
        });
        const seq = silent
          ? undefined
          : await tx.userLog(them.id, 'room.invited', { room: roomSummary(cur), by }, t);
        return { room: cur, e, seq };
      });
      a.emit(r.room, r.e);
      if (r.seq !== undefined)
        a.tellUser(them.id, 'room.invited', r.seq, { room: roomSummary(r.room), by });
    },

    async decline(userId, roomName) {
      const room = await a.find(roomName);
      const me = await a.me(userId);
      const t = a.now();
      const r = await store.transact(room.id, async (tx) => {
        const cur = await current(tx);
        if (!(await tx.invited(userId))) return undefined;
        await tx.removeInvite(userId);
        const e = await tx.append({
          at: t,
          name: 'room.member',
          actorId: userId,
          messageId: null,
          data: { change: 'declined', user: me, by: null },
        });
        const seq = await tx.userLog(
          userId,
          'room.declined',
          { room: { id: cur.id, name: cur.name } },
          t,
        );
        return { room: cur, e, seq };
      });
      // Nothing to turn down: said plainly, so a client can drop a stale invitation.
      if (!r)
        throw new ParleyError('not-found', `you have no invitation to #${room.name}`, {
          field: 'room',
        });
      // The members (the inviter among them) learn it; my other devices drop the invitation.
      a.emit(r.room, r.e);
      a.tellUser(userId, 'room.declined', r.seq, { room: { id: r.room.id, name: r.room.name } });
    },

    async members(userId, roomName, q) {
      const room = await a.find(roomName);
      await a.canRead(room, userId);
      const limit = q.limit === undefined ? 100 : intField(q.limit, 'limit', 1, MEMBERS_MAX);
      const page: { after?: { rank: number; username: string }; limit: number } = {
        limit: limit + 1,
      };
      if (q.after !== undefined) {
        const m = /^([0-3])\.([a-z0-9_.-]{1,64})$/.exec(q.after);
        if (!m)
          throw new ParleyError(
            'bad-request',
            'after must be a `next` value from an earlier page',
            {
              field: 'after',
            },
          );
        page.after = { rank: Number(m[1]), username: m[2]! };
      }
      const rows = await store.members(room.id, page);
      const list = rows.slice(0, limit);
      const members = list.map((m) => ({
        ...memberView(m, m.username),
        ...(m.displayName ? { displayName: m.displayName } : {}),
        ...(m.guest ? { guest: true as const } : {}),
      }));
      const last = list[list.length - 1];
      return rows.length > limit && last
        ? { members, next: `${rank(last.role)}.${last.username}` }
        : { members };
    },

    async update(userId, roomName, patch) {
      const room = await a.find(roomName);
      const by = await a.me(userId);
      const t = a.now();
      const topic = patch.topic === undefined ? undefined : checkTopic(patch.topic);
      const vis = patch.visibility;
      if (vis !== undefined && vis !== 'public' && vis !== 'private')
        throw new ParleyError('bad-request', 'visibility must be "public" or "private"', {
          field: 'visibility',
        });
      if (topic === undefined && patch.topicLocked === undefined && vis === undefined)
        throw new ParleyError('bad-request', 'give topic, topicLocked or visibility');
      const r = await store.transact(room.id, async (tx) => {
        const cur = await current(tx);
        const m = a.mustBeMember(cur, await tx.member(userId));
        const changes: Record<string, unknown> = {};
        if (topic !== undefined) {
          // Checked even when the topic would not change: whether you may set it
          // does not depend on what it already says.
          if (m.muted) throw new ParleyError('forbidden', `you are muted in #${cur.name}`);
          const locked = patch.topicLocked ?? cur.topicLocked;
          if (locked && !canLockTopic(m.role))
            throw new ParleyError('forbidden', `the topic of #${cur.name} is locked`, {
              field: 'topic',
            });
        }
        if (topic !== undefined && topic !== cur.topic) {
          await tx.updateRoom({ topic, topicBy: by.username, topicAt: t });
          changes.topic = topic;
        }
        if (patch.topicLocked !== undefined && patch.topicLocked !== cur.topicLocked) {
          if (!canLockTopic(m.role))
            throw new ParleyError('forbidden', 'only moderators and up lock the topic', {
              field: 'topicLocked',
            });
          await tx.updateRoom({ topicLocked: patch.topicLocked });
          changes.topicLocked = patch.topicLocked;
        }
        if (vis !== undefined && vis !== cur.visibility) {
          if (!canConfigure(m.role))
            throw new ParleyError('forbidden', 'only admins and owners change the visibility', {
              field: 'visibility',
            });
          await tx.updateRoom({ visibility: vis });
          changes.visibility = vis;
        }
        if (Object.keys(changes).length === 0) return { room: cur };
        const e = await tx.append({
          at: t,
          name: 'room.updated',
          actorId: userId,
          messageId: null,
          data: { changes, by },
        });
        // What was said while the room was private stays with those who were in it:
        // anyone else reads from the switch on.
        if (changes.visibility === 'public') await tx.updateRoom({ publicSince: e.seq });
        return { room: (await tx.room())!, e };
      });
      if ('e' in r && r.e) a.emit(r.room, r.e);
      return { room: roomSummary(r.room) };
    },

    async setRole(userId, roomName, username, role) {
      if (!isRole(role))
        throw new ParleyError('bad-request', 'role must be owner, admin, moderator or member', {
          field: 'role',
        });
      const r = await moderate(userId, roomName, username, async (tx, c) => {
        if (!c.target)
          throw new ParleyError('not-found', `${c.them.username} is not a member`, {
            field: 'username',
          });
        if (!canSetRole(c.actor.role, c.target.role, role))
          throw new ParleyError(
            'forbidden',
            `${aRole(c.actor.role)} cannot make ${aRole(c.target.role)} ${aRole(role)}`,
          );
        if (c.target.role === role) return undefined;
        if (c.target.userId === userId && c.target.role === 'owner') {
          if ((await tx.ownerCount()) < 2)
            throw new ParleyError(
              'conflict',
              'a room needs an owner: make someone else owner first',
            );
        }
        await tx.putMember({ ...c.target, role });
        return { name: 'room.member', data: { change: 'role', role, from: c.target.role } };
      });
      return memberView(r.target!, r.them.username);
    },

    async kick(userId, roomName, username, reason) {
      const why = reasonField(reason);
      await moderate(userId, roomName, username, async (tx, c) => {
        if (!c.target)
          throw new ParleyError('not-found', `${c.them.username} is not a member`, {
            field: 'username',
          });
        if (!canModerate(c.actor.role, c.target.role))
          throw new ParleyError('forbidden', `you cannot kick ${aRole(c.target.role)}`);
        await tx.removeMember(c.them.id);
        return {
          name: 'room.member',
          data: { change: 'kicked', reason: why },
          left: { change: 'kicked', reason: why },
        };
      });
    },

    async ban(userId, roomName, username, reason, seconds) {
      const why = reasonField(reason);
      const secs =
        seconds === undefined || seconds === null
          ? null
          : intField(seconds, 'seconds', 1, MAX_BAN_SECONDS);
      await moderate(userId, roomName, username, async (tx, c) => {
        if (c.them.id === userId) throw new ParleyError('bad-request', 'you cannot ban yourself');
        if (!canModerate(c.actor.role, c.target?.role))
          throw new ParleyError('forbidden', `you cannot ban ${aRole(c.target?.role ?? 'member')}`);
        const expiresAt = secs === null ? null : c.t + secs * 1000;
        await tx.putBan({
          roomId: c.room.id,
          userId: c.them.id,
          by: userId,
          reason: why,
          expiresAt,
          createdAt: c.t,
        });
        await tx.removeInvite(c.them.id);
        const wasMember = c.target !== undefined && (await tx.removeMember(c.them.id));
        return {
          name: 'room.member',
          data: { change: 'banned', reason: why, expiresAt },
          ...(wasMember ? { left: { change: 'banned', reason: why } } : {}),
        };
      });
    },

    async unban(userId, roomName, username) {
      await moderate(userId, roomName, username, async (tx, c) => {
        if (!canModerate(c.actor.role, undefined))
          throw new ParleyError('forbidden', 'only moderators and up unban');
        if (!activeBan(await tx.ban(c.them.id), c.t)) {
          throw new ParleyError('not-found', `${c.them.username} is not banned`, {
            field: 'username',
          });
        }
        await tx.removeBan(c.them.id);
        return { name: 'room.member', data: { change: 'unbanned' } };
      });
    },

    async bans(userId, roomName) {
      const room = await a.find(roomName);
      const m = a.mustBeMember(room, await store.member(room.id, userId));
      if (!canModerate(m.role, undefined))
        throw new ParleyError('forbidden', 'only moderators and up see the ban list');
      return (await store.bans(room.id, a.now())).map((b) => ({
        username: b.username,
        reason: b.reason,
        expiresAt: b.expiresAt,
        createdAt: b.createdAt,
      }));
    },

    async mute(userId, roomName, username, on) {
      const muted = on !== false;
      const r = await moderate(userId, roomName, username, async (tx, c) => {
        if (!c.target)
          throw new ParleyError('not-found', `${c.them.username} is not a member`, {
            field: 'username',
          });
        if (!canModerate(c.actor.role, c.target.role))
          throw new ParleyError('forbidden', `you cannot mute ${aRole(c.target.role)}`);
        if (c.target.muted === muted) return undefined;
        await tx.putMember({ ...c.target, muted });
        return { name: 'room.member', data: { change: muted ? 'muted' : 'unmuted' } };
      });
      return memberView(r.target!, r.them.username);
    },

    async setNotify(userId, roomName, level, connectionId) {
      if (level !== 'all' && level !== 'mentions' && level !== 'none')
        throw new ParleyError('bad-request', 'notify must be "all", "mentions" or "none"', {
          field: 'notify',
        });
      const room = await a.find(roomName);
      await store.transact(room.id, async (tx) => {
        const m = a.mustBeMember(room, await tx.member(userId));
        await tx.putMember({ ...m, notify: level });
      });
      // Your other devices follow; not logged (rooms.mine has the current setting).
      deps.router.deliver(
        userId,
        except(
          { name: 'room.notify', room: { id: room.id, name: room.name }, notify: level },
          connectionId,
        ),
      );
      return { notify: level };
    },

    async removeAccount(userId) {
      const me = await a.me(userId);
      for (const roomId of await store.roomIdsOf(userId)) {
        const t = a.now();
        const r = await store.transact(roomId, async (tx) => {
          const cur = await tx.room();
          if (!cur || !(await tx.removeMember(userId))) return undefined;
          const e = await tx.append({
            at: t,
            name: 'room.member',
            actorId: userId,
            messageId: null,
            data: { change: 'left', user: me, by: null, reason: 'account deleted' },
          });
          const next = await succession(tx, t);
          return { room: cur, e, passed: next.e, picture: next.picture };
        });
        if (!r) continue;
        await closed(r.picture);
        a.emit(r.room, r.e, undefined, { userId, joined: false });
        if (r.passed) a.emit(r.room, r.passed);
      }
    },
  };
}
