import { isParleyError } from '../../../core/errors.js';
import type { MarkerEvent, RoomMarkerEvent } from '../../../core/events.js';
import type { Conversation } from '../../../core/history/service.js';
import type { IrcMessage } from '../codec/line.js';
import type { IrcConnection } from '../connection.js';
import { channelToRoom, roomToChannel } from '../mapping/channel.js';
import { nickToUsername, usernameToNick } from '../mapping/nick.js';
import { standardReply } from '../mapping/numerics.js';
import type { Handler } from './index.js';

/**
 * IRCv3 draft/read-marker (https://ircv3.net/specs/extensions/read-marker): the
 * same read markers the web moves (`receipts.mark` in direct conversations,
 * `roomChat.mark` in rooms). Core keeps a marker as a position; IRC names it by
 * the `time` of the last message read, so a timestamp becomes the position of
 * the newest message at or before it, and a position the time of the newest
 * message at or before it. Messages within one millisecond share a timestamp:
 * marking one marks them all.
 */
export const READ_MARKER_CAP = 'draft/read-marker';

/** A buffer MARKREAD may name: the conversation, and how core's marker calls name it. */
type Buffer =
  | { kind: 'room'; room: string; conversation: Conversation }
  | { kind: 'direct'; username: string; conversation: Conversation };

async function bufferOf(c: IrcConnection, target: string): Promise<Buffer | undefined> {
  const userId = c.auth!.user.id;
  if (target.startsWith('#')) {
    const p = channelToRoom(target);
    if (!p.ok) return undefined;
    const { room } = await c.core.rooms.get(userId, p.room);
    return { kind: 'room', room: room.name, conversation: { kind: 'room', roomId: room.id } };
  }
  const username = nickToUsername(target);
  if (username === undefined) return undefined;
  const p = await c.core.profiles.view(userId, username);
  return { kind: 'direct', username, conversation: { kind: 'direct', peerId: p.userId } };
}

/** `timestamp=...` of the newest message at or before position `read`, or `*` for none. */
export async function readTimestamp(
  c: IrcConnection,
  conversation: Conversation,
  read: number,
): Promise<string> {
  if (read <= 0) return '*';
  const page = await c.core.history.read(
    c.auth!.user.id,
    conversation,
    { kind: 'before', anchor: { seq: read + 1 } },
    1,
  );
  const m = page.messages[0];
  return m ? `timestamp=${new Date(m.createdAt).toISOString()}` : '*';
}

/** The position of the newest message at or before `at` (0 for none). */
async function positionAt(c: IrcConnection, conversation: Conversation, at: number) {
  const page = await c.core.history.read(
    c.auth!.user.id,
    conversation,
    { kind: 'before', anchor: { at: at + 1 } },
    1,
  );
  return page.messages[0]?.seq ?? 0;
}

function markread(c: IrcConnection, target: string, timestamp: string): IrcMessage {
  return { tags: new Map(), source: c.server, command: 'MARKREAD', params: [target, timestamp] };
}

/** `timestamp=YYYY-MM-DDThh:mm:ss.sssZ` as ms, or undefined. */
export function parseMarkTimestamp(p: string): number | undefined {
  const m = /^timestamp=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z)$/.exec(p);
  if (!m) return undefined;
  const at = Date.parse(m[1]!);
  return Number.isFinite(at) && at >= 0 ? at : undefined;
}

async function markreadCommand(c: IrcConnection, m: IrcMessage): Promise<void> {
  const target = m.params[0]!;
  const fail = (code: string, text: string) =>
    c.send(standardReply('FAIL', 'MARKREAD', code, [target.slice(0, 64)], text, c.server));
  const given = m.params[1];
  const at = given === undefined ? undefined : parseMarkTimestamp(given);
  if (given !== undefined && at === undefined)
    return fail('INVALID_PARAMS', 'the timestamp must be timestamp=YYYY-MM-DDThh:mm:ss.sssZ');
  const userId = c.auth!.user.id;
  try {
    const buffer = await bufferOf(c, target).catch((err: unknown) => {
      if (isParleyError(err) && err.condition !== 'unavailable') return undefined;
      throw err;
    });
    if (!buffer) return fail('INVALID_PARAMS', 'no such channel or nick for you');
    let read: number;
    if (at === undefined)
      read =
        buffer.kind === 'room'
          ? (await c.core.roomChat.marker(userId, buffer.room)).read
          : (await c.core.receipts.markers(userId, buffer.username)).read;
    else {
      const to = await positionAt(c, buffer.conversation, at);
      // Nothing at or before that time: the stored marker stands, and is the answer.
      read =
        buffer.kind === 'room'
          ? to > 0
            ? (await c.core.roomChat.mark(userId, buffer.room, to, c.connectionId)).read
            : (await c.core.roomChat.marker(userId, buffer.room)).read
          : to > 0
            ? (
                await c.core.receipts.mark(
                  userId,
                  { with: buffer.username, read: to },
                  c.connectionId,
                )
              ).read
            : (await c.core.receipts.markers(userId, buffer.username)).read;
    }
    c.send(markread(c, target, await readTimestamp(c, buffer.conversation, read)));
  } catch (err) {
    if (isParleyError(err) && (err.condition === 'forbidden' || err.condition === 'not-found'))
      return fail('INVALID_PARAMS', err.message);
    if (isParleyError(err) && err.condition === 'bad-request')
      return fail('INVALID_PARAMS', err.message);
    if (!isParleyError(err) || err.condition !== 'unavailable')
      c.log.warn({ err }, 'markread failed');
    fail('INTERNAL_ERROR', 'The read timestamp could not be set');
  }
}

/** A marker moved on another device (web or IRC): MARKREAD to this client, per spec. */
export async function tellMarker(c: IrcConnection, e: MarkerEvent | RoomMarkerEvent) {
  if (!c.caps.has(READ_MARKER_CAP) || !c.auth) return;
  const [target, conversation]: [string, Conversation] =
    e.name === 'marker'
      ? [usernameToNick(e.with.username), { kind: 'direct', peerId: e.with.userId }]
      : [roomToChannel(e.room.name), { kind: 'room', roomId: e.room.id }];
  try {
    c.write(markread(c, target, await readTimestamp(c, conversation, e.read)));
  } catch (err) {
    c.log.debug({ err }, 'read marker not told');
  }
}

/** On JOIN (before RPL_ENDOFNAMES): the channel's marker, `*` when never set. */
export async function joinMarker(c: IrcConnection, roomId: string, name: string, read?: number) {
  if (!c.caps.has(READ_MARKER_CAP) || c.guest) return;
  const conversation: Conversation = { kind: 'room', roomId };
  try {
    const at = read ?? (await c.core.roomChat.marker(c.auth!.user.id, name)).read;
    c.send(markread(c, roomToChannel(name), await readTimestamp(c, conversation, at)));
  } catch (err) {
    c.log.debug({ err }, 'read marker on join not told');
    c.send(markread(c, roomToChannel(name), '*'));
  }
}

export const MARKERS: Record<string, Handler> = {
  MARKREAD: {
    minParams: 0,
    async run(c, m) {
      if (!m.params[0])
        return c.send(
          standardReply('FAIL', 'MARKREAD', 'NEED_MORE_PARAMS', [], 'Missing parameters', c.server),
        );
      await markreadCommand(c, m);
    },
  },
};
