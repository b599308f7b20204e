import type {
  MyRoom,
  Room,
  RoomMember,
  RoomMessage,
  RoomMessageResult,
  User,
} from '../../../src/sdk/index.js';
import { ParleyApiError } from '../../../src/sdk/index.js';
import { newClientId } from '../lib/ids.js';
import { addLines, roomLine, type RoomLine } from '../lib/roomEvents.js';
import { chatRoomMessage } from './chats.js';
import { client } from './client.js';
import { describe } from './errors.js';
import { sendRefusal } from './refusals.js';
import { older, latest } from './history.js';
import { incoming } from './incoming.js';
import { enqueue, handleLogged, merge, mergeLive } from './log.js';
import { remember } from './quotes.js';
import { nameOf } from './names.js';
import { room as roomTarget, sourceOf } from './target.js';
import { showPane } from './nav.js';
import { post, registerSender, waiting, type Outgoing } from './outbox.js';
import {
  me,
  myRooms,
  notice,
  roomInvites,
  roomUnread,
  roomViews,
  selectedRoom,
  isBlocked,
  type RoomChatMessage,
  type RoomView,
} from './signals.js';

/**
 * Rooms (docs/protocol.md section 12). Each room has its own gapless timeline
 * (`roomSeq`); this device keeps one cursor per room, applies each event once,
 * fills gaps with `rooms.events`, and hands the cursors to `auth` on reconnect.
 */
const PAGE = 30;
const MEMBER_PAGE = 50;
/** How far back an opened room's joins, kicks and topic changes are read. */
const LINES_BACK = 500;
const cursors = new Map<string, number>();

const bare = (name: string) => name.replace(/^#/, '').toLowerCase();

/** Room name -> last roomSeq applied, for `auth` (`rooms`). */
export function roomCursors(): Record<string, number> {
  return Object.fromEntries(cursors);
}

export function forgetRooms(): void {
  cursors.clear();
}

function setRoom(r: MyRoom): void {
  myRooms.value = { ...myRooms.value, [r.name]: r };
  // Back in a room I was removed from: read it afresh when it is opened.
  if (roomViews.value[r.name]?.gone) {
    const { [r.name]: _old, ...views } = roomViews.value;
    roomViews.value = views;
  }
  if (!cursors.has(r.name)) cursors.set(r.name, r.head);
}

/** The room leaves my list; `why` (kicked, banned) stays on its view, or in the notice. */
function dropRoom(name: string, why = ''): void {
  const { [name]: _gone, ...rest } = myRooms.value;
  myRooms.value = rest;
  cursors.delete(name);
  if (why && selectedRoom.value === name) update(name, (v) => ({ ...v, gone: why }));
  else if (why) notice.value = why;
  else if (selectedRoom.value === name) showPane({});
}

function removedText(d: Record<string, unknown>): string {
  const room = `#${(d.room as { name: string }).name}`;
  const by = (d.by as { username: string } | null)?.username;
  const reason = typeof d.reason === 'string' && d.reason.trim() ? `: ${d.reason.trim()}` : '';
  if (d.change === 'kicked') return `${by ?? 'A moderator'} removed you from ${room}${reason}`;
  if (d.change === 'banned') return `${by ?? 'A moderator'} banned you from ${room}${reason}`;
  return '';
}

function asMine(room: Room, role: MyRoom['role']): MyRoom {
  return {
    ...room,
    role,
    muted: false,
    notify: 'all',
    read: room.head,
    unread: 0,
    mentions: 0,
    last: null,
  };
}

/** My rooms and invitations, read when (re)connecting. */
export async function loadMyRooms(): Promise<void> {
  const r = await client.rooms.mine();
  const names = new Set(r.rooms.map((x) => x.name));
  for (const name of Object.keys(myRooms.value)) if (!names.has(name)) dropRoom(name);
  for (const room of r.rooms) setRoom({ ...(myRooms.value[room.name] ?? {}), ...room });
  roomInvites.value = r.invites.map((i) => ({ room: i.room, by: i.by }));
}

handleLogged('room.joined', (d) => {
  const room = d.room as Room;
  setRoom(asMine(room, (d.role as MyRoom['role']) ?? 'member'));
  roomInvites.value = roomInvites.value.filter((i) => i.room.id !== room.id);
});
handleLogged('room.left', (d) => dropRoom((d.room as { name: string }).name, removedText(d)));
// Declined on another device: gone here too.
handleLogged('room.declined', (d) => {
  const id = (d.room as { id: string } | undefined)?.id;
  roomInvites.value = roomInvites.value.filter((i) => i.room.id !== id);
});
handleLogged('room.invited', (d) => {
  const room = d.room as Room;
  const by = (d.by as { username: string } | null)?.username ?? null;
  roomInvites.value = [...roomInvites.value.filter((i) => i.room.id !== room.id), { room, by }];
});

function update(name: string, fn: (v: RoomView) => RoomView): void {
  const v = roomViews.value[name];
  if (v) roomViews.value = { ...roomViews.value, [name]: fn(v) };
}

/** Changes my own membership as a timeline event tells it (role, mute). */
function updateMine(room: string, patch: Partial<MyRoom>): void {
  const r = myRooms.value[room];
  if (r) myRooms.value = { ...myRooms.value, [room]: { ...r, ...patch } };
}

/** My notify level changed on another device (`room.notify`). */
export function roomNotify(d: Record<string, unknown>): void {
  const room = (d.room as { name: string } | undefined)?.name;
  const notify = d.notify as MyRoom['notify'];
  if (room && (notify === 'all' || notify === 'mentions' || notify === 'none'))
    updateMine(room, { notify });
}

/** The non-message lines of a page of timeline events. */
function linesOf(events: { name: string; data: Record<string, unknown> }[]): RoomLine[] {
  const out: RoomLine[] = [];
  for (const e of events) {
    const l = roomLine(e.name, e.data, me.value?.id, nameOf);
    if (l) out.push(l);
  }
  return out;
}

/** A timeline event, live or replayed: applied once, in roomSeq order. */
export async function roomEvent(name: string, data: Record<string, unknown>): Promise<void> {
  const room = (data.room as { name: string }).name;
  const seq = data.roomSeq as number;
  const cur = cursors.get(room);
  if (cur !== undefined) {
    if (seq <= cur) return;
    if (seq > cur + 1) {
      await roomCatchUp(room);
      if (seq <= (cursors.get(room) ?? 0)) return;
    }
    cursors.set(room, seq);
  }
  applyRoom(room, name, data);
}

/** Reads a room's timeline from its cursor to its end. */
export async function roomCatchUp(room: string): Promise<void> {
  for (;;) {
    const cur = cursors.get(room);
    if (cur === undefined) return;
    const page = await client.rooms.events(room, cur, 200);
    for (const e of page.events) {
      const seq = e.data.roomSeq as number;
      if (seq <= (cursors.get(room) ?? 0)) continue;
      cursors.set(room, seq);
      applyRoom(room, e.name, e.data);
    }
    if (!page.more || page.events.length === 0) return;
  }
}

function applyRoom(room: string, name: string, d: Record<string, unknown>): void {
  const line = roomLine(name, d, me.value?.id, nameOf);
  if (line) update(room, (v) => ({ ...v, lines: addLines(v.lines, [line]) }));
  if (name === 'room.message') {
    const m = d.message as RoomMessage;
    update(room, (v) => ({ ...v, ...mergeLive(v, [m]) }));
    // The chat list, unread and mention counts included (state/chats.ts).
    chatRoomMessage(room, m, d.change as string | undefined);
    const mine = m.from.userId === me.value?.id;
    // Someone I blocked never alerts me (their message shows folded).
    if (!mine && d.change === 'new' && !m.deleted && !isBlocked(m.from.userId))
      incoming({
        kind: 'room',
        key: room,
        from: m.from.username,
        text: m.text,
        mentionsMe: !!me.value && m.mentions.includes(me.value.id),
        createdAt: m.createdAt,
      });
  } else if (name === 'room.updated') {
    // Topic, lock, visibility and picture (`avatar`: its new hash, or null) as the room now has them.
    const changes = d.changes as Partial<Room>;
    const r = myRooms.value[room];
    if (r) myRooms.value = { ...myRooms.value, [room]: { ...r, ...changes } };
  } else if (name === 'room.member') {
    const user = d.user as { id: string; username: string };
    const change = d.change as string;
    if (user.id === me.value?.id) {
      if (change === 'role') updateMine(room, { role: d.role as MyRoom['role'] });
      if (change === 'muted' || change === 'unmuted')
        updateMine(room, { muted: change === 'muted' });
    }
    update(room, (v) => {
      if (!v.members) return v;
      const others = v.members.filter((m) => m.userId !== user.id);
      if (change === 'joined')
        return {
          ...v,
          members: [
            ...others,
            {
              userId: user.id,
              username: user.username,
              role: 'member',
              muted: false,
              joinedAt: 0,
              ...(d.guest === true ? { guest: true as const } : {}),
            },
          ],
        };
      if (change === 'left' || change === 'kicked' || change === 'banned')
        return { ...v, members: others };
      if (change === 'role' || change === 'muted' || change === 'unmuted')
        return {
          ...v,
          members: v.members.map((m) =>
            m.userId !== user.id
              ? m
              : change === 'role'
                ? { ...m, role: d.role as RoomMember['role'] }
                : { ...m, muted: change === 'muted' },
          ),
        };
      return v;
    });
  }
}

/** Shows a room, loading its latest messages and members the first time. */
export async function openRoom(name: string): Promise<void> {
  const room = bare(name);
  showPane({ room });
  roomUnread.value = { ...roomUnread.value, [room]: 0 };
  if (roomViews.value[room]) return;
  const user = me.value;
  roomViews.value = {
    ...roomViews.value,
    [room]: {
      name: room,
      messages: user ? waiting('room', room).map((o) => pendingRoomMessage(o, user)) : [],
      more: false,
      loading: true,
      error: '',
      members: null,
      membersNext: null,
      lines: [],
      gone: '',
    },
  };
  try {
    const [page, members] = await Promise.all([
      client.rooms.history(room, { limit: PAGE }),
      client.rooms.members(room, { limit: MEMBER_PAGE }),
    ]);
    remember(page.messages);
    update(room, (v) => ({
      ...v,
      messages: merge(v.messages, page.messages),
      more: page.more,
      loading: false,
      members: members.members,
      membersNext: members.next ?? null,
    }));
    // What happened around the messages shown (joins, kicks, topic changes):
    // at most LINES_BACK events before the head, none older than the messages
    // shown while older ones are still to load.
    const head = cursors.get(room) ?? myRooms.value[room]?.head ?? 0;
    const first = page.messages[0]?.seq ?? 1;
    const after = Math.max(0, head - LINES_BACK, page.more ? first - 1 : 0);
    const events = await client.rooms.events(room, after, 500);
    update(room, (v) => ({ ...v, lines: addLines(v.lines, linesOf(events.events)) }));
  } catch (err) {
    update(room, (v) => ({ ...v, loading: false, error: describe(err) }));
  }
}

export function loadOlderRoom(room: string): Promise<void> {
  return older(sourceOf(roomTarget(room)));
}

/**
 * The timeline lines (joins, kicks, topic changes...) among a page of messages
 * just loaded: between its messages, and up to the neighbour it was loaded
 * next to (`before`/`after`), where only such events can be. At most 500.
 */
export async function linesForPage(
  room: string,
  q: { before?: number; after?: number },
  messages: { seq: number }[],
): Promise<void> {
  const from = q.after ?? messages[0]?.seq;
  const to = q.before !== undefined ? q.before - 1 : messages.at(-1)?.seq;
  if (from === undefined || to === undefined || to < from) return;
  const events = await client.rooms.events(room, from - 1, Math.min(500, to - from + 1));
  const lines = linesOf(events.events.filter((e) => (e.data.roomSeq as number) <= to));
  if (lines.length) update(room, (v) => ({ ...v, lines: addLines(v.lines, lines) }));
}

/** The next page of a big room's members. */
export async function loadMoreMembers(room: string): Promise<void> {
  const v = roomViews.value[room];
  if (!v?.membersNext) return;
  const page = await client.rooms.members(room, { after: v.membersNext, limit: MEMBER_PAGE });
  update(room, (x) => {
    const known = new Set((x.members ?? []).map((m) => m.userId));
    return {
      ...x,
      members: [...(x.members ?? []), ...page.members.filter((m) => !known.has(m.userId))],
      membersNext: page.next ?? null,
    };
  });
}

function pendingRoomMessage(o: Outgoing, user: User): RoomChatMessage {
  return {
    id: `pending:${o.clientId}`,
    conversationId: '',
    seq: 0,
    from: { userId: user.id, username: user.username },
    room: { id: '', name: o.to },
    mentions: [],
    clientId: o.clientId,
    text: o.text,
    replyTo: o.replyTo ?? null,
    createdAt: o.createdAt,
    editedAt: null,
    deleted: false,
    reactions: [],
    pending: 'sending',
  };
}

/** Applies the answer to my own send, edit, deletion or reaction (the server sends me no event for it). */
export function applyRoomResult(room: string, r: RoomMessageResult, change: string): Promise<void> {
  return enqueue(() =>
    r.roomSeq === null
      ? applyRoom(room, 'room.message', { message: r.message })
      : roomEvent('room.message', {
          room: { name: room },
          roomSeq: r.roomSeq,
          change,
          message: r.message,
        }),
  );
}

registerSender('room', {
  send: (o) => client.rooms.send(o.to, o.text, o.clientId, o.replyTo, o.attachments),
  sent: (o, r) => applyRoomResult(o.to, r, 'new'),
  failed: (o, err) =>
    update(o.to, (v) => ({
      ...v,
      messages: v.messages.map((m) =>
        m.id === `pending:${o.clientId}` ? { ...m, pending: 'failed' } : m,
      ),
      error: sendRefusal(err),
    })),
});

/** Sends to a room: pending at once; offline, it waits in the outbox and goes on reconnect. */
export async function sendToRoom(
  room: string,
  text: string,
  clientId = newClientId(),
  replyTo: string | null = null,
  attachments?: string[],
): Promise<void> {
  const user = me.value;
  if (!user) return;
  // Sending from an older part of the history: the new message shows with the newest.
  if (roomViews.value[room]?.newer) await latest(sourceOf(roomTarget(room)));
  const o: Outgoing = {
    clientId,
    kind: 'room',
    to: room,
    text,
    createdAt: Date.now(),
    ...(replyTo ? { replyTo } : {}),
    ...(attachments?.length ? { attachments } : {}),
  };
  update(room, (v) => ({ ...v, messages: merge(v.messages, [pendingRoomMessage(o, user)]) }));
  post(o);
}

/** The room's error is over (I was unmuted, or it was about a state that changed). */
export function clearRoomError(room: string): void {
  if (roomViews.value[room]?.error) update(room, (v) => ({ ...v, error: '' }));
}

/** A refused message out of the room's view (deleted, or back in the composer to edit). */
export function dropFailedRoom(room: string, m: RoomChatMessage): void {
  update(room, (v) => {
    const messages = v.messages.filter((x) => x.id !== m.id);
    const left = messages.some((x) => x.pending === 'failed');
    return { ...v, messages, error: left ? v.error : '' };
  });
}

export async function joinRoom(name: string): Promise<void> {
  const r = await client.rooms.join(bare(name));
  const room = r.room;
  cursors.set(room.name, room.head);
  setRoom(myRooms.value[room.name] ?? asMine(room, 'member'));
  roomInvites.value = roomInvites.value.filter((i) => i.room.id !== room.id);
  await openRoom(room.name);
}

/**
 * Turns an invitation down (the room's members see it). One already gone (declined
 * on another device, or the room closed) is dropped here all the same.
 */
export async function declineInvite(name: string): Promise<void> {
  try {
    await client.rooms.decline(bare(name));
  } catch (err) {
    if (!(err instanceof ParleyApiError && err.condition === 'not-found')) throw err;
  }
  roomInvites.value = roomInvites.value.filter((i) => i.room.name !== name);
}

export async function createRoom(
  name: string,
  topic: string,
  visibility: 'public' | 'private',
): Promise<void> {
  const r = await client.rooms.create(bare(name), { topic, visibility });
  cursors.set(r.room.name, r.room.head);
  setRoom(asMine(r.room, 'owner'));
  await openRoom(r.room.name);
}

export async function leaveRoom(name: string): Promise<void> {
  await client.rooms.leave(name);
  dropRoom(name);
}

/** Sets a room's picture (admins and owners); the room's `room.updated` tells the others. */
export async function setRoomPicture(room: string, file: Blob): Promise<void> {
  const a = await client.rooms.setAvatar(room, file);
  updateMine(room, { avatar: a.hash });
}

export async function removeRoomPicture(room: string): Promise<void> {
  try {
    await client.rooms.removeAvatar(room);
  } catch (err) {
    // Removed meanwhile (on another device): gone all the same.
    if (!(err instanceof ParleyApiError && err.condition === 'not-found')) throw err;
  }
  updateMine(room, { avatar: null });
}

/** The public room directory (optionally filtered). */
export function searchRooms(q: string) {
  return client.rooms.directory({ ...(q.trim() ? { q: q.trim() } : {}), limit: 50 });
}
