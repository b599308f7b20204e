import { ParleyApiError } from './errors.js';
import type { AvatarInfo } from './types.js';
import type {
  MyRoom,
  NotifyLevel,
  Room,
  RoomEventsPage,
  RoomMarker,
  RoomMember,
  RoomMessage,
  RoomMessageResult,
  RoomRole,
} from './room-types.js';

type Call = <T>(
  method: string,
  path: string,
  body?: unknown,
  query?: Record<string, unknown>,
) => Promise<T>;

/** A request with a raw body (or none), answered as a Response; errors as `call`'s. */
type Raw = (method: string, path: string, body?: Blob | Uint8Array) => Promise<Response>;

/** Room names go in paths without their "#". */
const at = (room: string) => `/rooms/${encodeURIComponent(room.replace(/^#/, ''))}`;

/** The REST side of rooms: `client.rooms.create('#tardis')`... */
export class RoomsApi {
  constructor(
    private readonly call: Call,
    private readonly raw: Raw,
  ) {}

  create(name: string, opts: { topic?: string; visibility?: 'public' | 'private' } = {}) {
    return this.call<{ room: Room; seq: number }>('POST', '/rooms', { name, ...opts });
  }
  get(room: string) {
    return this.call<{
      room: Room;
      membership: (Omit<RoomMember, 'userId' | 'username'> & { notify: NotifyLevel }) | null;
    }>('GET', at(room));
  }
  directory(q: { q?: string; after?: string; limit?: number } = {}) {
    return this.call<{ rooms: Room[]; next?: string }>('GET', '/rooms', undefined, q);
  }
  mine() {
    return this.call<{
      rooms: MyRoom[];
      invites: { room: Room; by: string | null; at: number }[];
    }>('GET', '/me/rooms');
  }
  join(room: string) {
    return this.call<{ room: Room; seq: number | null }>('POST', `${at(room)}/join`);
  }
  leave(room: string) {
    return this.call<{ seq: number | null }>('POST', `${at(room)}/leave`);
  }
  async invite(room: string, username: string) {
    await this.call('POST', `${at(room)}/invites`, { username });
  }
  /** Turns down an invitation to `room` (its members see `declined`). */
  async decline(room: string) {
    await this.call('POST', `${at(room)}/decline`);
  }
  members(room: string, page: { after?: string; limit?: number } = {}) {
    return this.call<{ members: RoomMember[]; next?: string }>(
      'GET',
      `${at(room)}/members`,
      undefined,
      page,
    );
  }
  update(
    room: string,
    patch: { topic?: string; topicLocked?: boolean; visibility?: 'public' | 'private' },
  ) {
    return this.call<{ room: Room }>('PATCH', at(room), patch);
  }
  async setRole(room: string, username: string, role: RoomRole) {
    return (
      await this.call<{ member: RoomMember }>(
        'PUT',
        `${at(room)}/members/${encodeURIComponent(username)}/role`,
        { role },
      )
    ).member;
  }
  async kick(room: string, username: string, reason?: string) {
    await this.call(
      'POST',
      `${at(room)}/members/${encodeURIComponent(username)}/kick`,
      reason === undefined ? {} : { reason },
    );
  }
  /** `seconds`: how long the ban lasts (omit for until lifted). */
  async ban(room: string, username: string, opts: { reason?: string; seconds?: number } = {}) {
    await this.call('PUT', `${at(room)}/bans/${encodeURIComponent(username)}`, opts);
  }
  async unban(room: string, username: string) {
    await this.call('DELETE', `${at(room)}/bans/${encodeURIComponent(username)}`);
  }
  async bans(room: string) {
    return (
      await this.call<{
        bans: { username: string; reason: string; expiresAt: number | null; createdAt: number }[];
      }>('GET', `${at(room)}/bans`)
    ).bans;
  }
  async mute(room: string, username: string, on = true) {
    return (
      await this.call<{ member: RoomMember }>(
        'POST',
        `${at(room)}/members/${encodeURIComponent(username)}/mute`,
        { on },
      )
    ).member;
  }
  setNotify(room: string, notify: NotifyLevel) {
    return this.call<{ notify: NotifyLevel }>('PUT', `${at(room)}/notify`, { notify });
  }
  /** Reuse `clientId` when retrying: the server answers with the same message. */
  send(room: string, text: string, clientId: string, replyTo?: string, attachments?: string[]) {
    return this.call<RoomMessageResult>('POST', `${at(room)}/messages`, {
      text,
      clientId,
      ...(replyTo ? { replyTo } : {}),
      ...(attachments?.length ? { attachments } : {}),
    });
  }
  edit(room: string, id: string, text: string) {
    return this.call<RoomMessageResult>('PATCH', `${at(room)}/messages/${encodeURIComponent(id)}`, {
      text,
    });
  }
  delete(room: string, id: string) {
    return this.call<RoomMessageResult>('DELETE', `${at(room)}/messages/${encodeURIComponent(id)}`);
  }
  react(room: string, id: string, emoji: string, on = true) {
    return this.call<RoomMessageResult>(
      'POST',
      `${at(room)}/messages/${encodeURIComponent(id)}/reactions`,
      { emoji, on },
    );
  }
  /** A page of the room's messages, oldest first (`before`/`after` are roomSeq values). */
  history(room: string, page: { before?: number; after?: number; limit?: number } = {}) {
    return this.call<{ messages: RoomMessage[]; more: boolean }>(
      'GET',
      `${at(room)}/messages`,
      undefined,
      page,
    );
  }
  search(room: string, q: string, opts: { before?: string; limit?: number } = {}) {
    return this.call<{ results: { message: RoomMessage; snippet: string }[]; next?: string }>(
      'GET',
      `${at(room)}/search`,
      undefined,
      { q, ...opts },
    );
  }
  /** The room's timeline after `after` (a roomSeq): what you missed, in order. */
  events(room: string, after: number, limit?: number) {
    return this.call<RoomEventsPage>('GET', `${at(room)}/events`, undefined, { after, limit });
  }
  /** Sets the room's picture (admins and owners): PNG, JPEG, WebP or GIF bytes. */
  async setAvatar(room: string, data: Blob | Uint8Array): Promise<AvatarInfo> {
    const res = await this.raw('PUT', `${at(room)}/avatar`, data);
    return ((await res.json()) as { avatar: AvatarInfo }).avatar;
  }
  async removeAvatar(room: string): Promise<void> {
    await this.raw('DELETE', `${at(room)}/avatar`);
  }
  /**
   * The room's picture as bytes, or undefined when it has none. With the `hash`
   * its record names (Room.avatar), the URL is that picture's for good: a browser
   * may keep it.
   */
  async avatar(room: string, hash?: string): Promise<Blob | undefined> {
    const v = hash ? `?v=${encodeURIComponent(hash)}` : '';
    try {
      return await (await this.raw('GET', `${at(room)}/avatar${v}`)).blob();
    } catch (err) {
      if (err instanceof ParleyApiError && err.condition === 'not-found') return undefined;
      throw err;
    }
  }
  async markRead(room: string, read: number) {
    return (await this.call<{ marker: RoomMarker }>('POST', `${at(room)}/markers`, { read }))
      .marker;
  }
}
