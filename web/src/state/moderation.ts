import type { NotifyLevel, RoomRole } from '../../../src/sdk/index.js';
import { client } from './client.js';
import { myRooms } from './signals.js';

/**
 * What a member does to the room and to others in it (docs/protocol.md 12.12 -
 * 12.21). Each call throws the server's refusal for the caller to show; what
 * changed comes back as timeline events (state/rooms.ts), which the asker's
 * connection gets too.
 */

function patchMine(room: string, patch: Partial<(typeof myRooms.value)[string]>): void {
  const r = myRooms.value[room];
  if (r) myRooms.value = { ...myRooms.value, [room]: { ...r, ...patch } };
}

export function invite(room: string, username: string): Promise<void> {
  return client.rooms.invite(room, username.trim());
}

export function kick(room: string, username: string, reason: string): Promise<void> {
  return client.rooms.kick(room, username, reason.trim());
}

/** `seconds`: null for a ban until lifted. */
export function ban(
  room: string,
  username: string,
  reason: string,
  seconds: number | null,
): Promise<void> {
  return client.rooms.ban(room, username, {
    reason: reason.trim(),
    ...(seconds ? { seconds } : {}),
  });
}

export function unban(room: string, username: string): Promise<void> {
  return client.rooms.unban(room, username);
}

export function bans(room: string) {
  return client.rooms.bans(room);
}

export async function mute(room: string, username: string, on: boolean): Promise<void> {
  await client.rooms.mute(room, username, on);
}

export async function setRole(room: string, username: string, role: RoomRole): Promise<void> {
  await client.rooms.setRole(room, username, role);
}

/** Topic, topic lock, visibility: the room as the server now has it is shown at once. */
export async function updateRoom(
  room: string,
  patch: { topic?: string; topicLocked?: boolean; visibility?: 'public' | 'private' },
): Promise<void> {
  const r = await client.rooms.update(room, patch);
  const { head: _head, ...fields } = r.room;
  patchMine(room, fields);
}

/** My notify level, stored on the server (so my other devices follow). */
export async function setNotify(room: string, notify: NotifyLevel): Promise<void> {
  const r = await client.rooms.setNotify(room, notify);
  patchMine(room, { notify: r.notify });
}
