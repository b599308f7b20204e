import type { Readable } from 'node:stream';
import { ParleyError } from '../errors.js';
import type { AvatarInfo } from '../events.js';
import { type Pictures, publicAvatar, type StoredAvatar } from '../files/pictures.js';
import { type RoomDeps, roomAccess } from './access.js';
import { canConfigure } from './roles.js';
import { current } from './service.js';
import type { Member, Room } from './store.js';

/**
 * A room's picture: set or removed by its admins and owners (the room permission
 * table's "settings", as visibility), checked, re-encoded and kept as a blob by
 * core/files/pictures.ts like a person's avatar. The room record carries its
 * public hash (RoomSummary.avatar); each change is a `room.updated` event
 * (`changes.avatar`: the new hash, or null) in the room's timeline, so every
 * member's devices on every node follow it, and a replay too. Served to whoever
 * may read the room (members of a private one, anyone not banned from a public
 * one). The blob goes when the picture is replaced, removed, or the room closes,
 * unless a file or another avatar shares it.
 */
export interface RoomAvatarService {
  /** The same picture again changes nothing (and tells no one). */
  set(userId: string, room: string, bytes: Uint8Array): Promise<AvatarInfo>;
  /** False when the room had none. */
  remove(userId: string, room: string): Promise<boolean>;
  /** The room's picture, to whoever may read the room (`not-found` when none). */
  of(viewerId: string, room: string): Promise<StoredAvatar>;
  read(a: StoredAvatar): Readable;
}

function mayChange(room: Room, m: Member | undefined): void {
  if (!m) throw new ParleyError('forbidden', `you are not a member of #${room.name}`);
  if (!canConfigure(m.role))
    throw new ParleyError('forbidden', "only admins and owners change the room's picture", {
      field: 'avatar',
    });
}

export function createRoomAvatars(deps: RoomDeps & { pictures: Pictures }): RoomAvatarService {
  const { store, pictures } = deps;
  const a = roomAccess(deps);

  /** Writes the picture (or none) under the room's lock, with its timeline event. */
  async function change(userId: string, room: Room, pic: StoredAvatar | null) {
    const by = await a.me(userId);
    const t = a.now();
    return store.transact(room.id, async (tx) => {
      const cur = await current(tx);
      mayChange(cur, await tx.member(userId));
      const before = await tx.avatar();
      if ((before?.hash ?? null) === (pic?.hash ?? null))
        return { room: cur, e: undefined, before: undefined };
      await tx.setAvatar(pic);
      const e = await tx.append({
        at: t,
        name: 'room.updated',
        actorId: userId,
        messageId: null,
        data: { changes: { avatar: pic?.hash ?? null }, by },
      });
      return { room: cur, e, before };
    });
  }

  return {
    async set(userId, roomName, bytes) {
      const room = await a.find(roomName, { count: false });
      // Before the image work: someone who may not change it costs no decoding.
      mayChange(room, await store.member(room.id, userId));
      return pictures.accept(userId, bytes, async (pic, keep) => {
        const r = await keep(() => change(userId, room, pic));
        if (r.e) a.emit(r.room, r.e);
        if (r.before && r.before.sha256 !== pic.sha256) await pictures.drop(r.before.sha256);
        return publicAvatar(pic)!;
      });
    },

    async remove(userId, roomName) {
      const room = await a.find(roomName, { count: false });
      const r = await change(userId, room, null);
      if (!r.e || !r.before) return false;
      a.emit(r.room, r.e);
      await pictures.drop(r.before.sha256);
      return true;
    },

    async of(viewerId, roomName) {
      const room = await a.find(roomName, { count: false });
      await a.canRead(room, viewerId);
      const pic = await store.avatar(room.id);
      if (!pic)
        throw new ParleyError('not-found', `#${room.name} has no picture`, { field: 'room' });
      return pic;
    },

    read: (pic) => pictures.read(pic),
  };
}
