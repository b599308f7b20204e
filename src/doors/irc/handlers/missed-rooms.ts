import type { MyRoom } from '../../../core/rooms/service.js';
import type { IrcMessage } from '../codec/line.js';
import type { IrcConnection } from '../connection.js';
import { roomToChannel } from '../mapping/channel.js';
import { hostmask, privmsgLines } from '../mapping/events.js';
import { batch, CHATHISTORY_CAP } from './history.js';

/** Rooms, and messages per room, one login replays at most. */
export const MISSED_ROOMS = 20;
export const MISSED_PER_ROOM = 50;

/**
 * After login, the room messages that came while the account was away: in each
 * joined room with unread messages, the newest up to MISSED_PER_ROOM past the
 * account's read marker (the web's marker: Parley keeps no per-device "last
 * seen"), oldest first; what the marker counts as unread, so your own sends from
 * other devices are among them only for context. Like Ergo's always-on clients with
 * autoreplay-missed (and soju's backlog), only for clients without
 * draft/chathistory: those ask for it themselves (CHATHISTORY). With `batch` and
 * `server-time` each room comes in a chathistory batch; otherwise as plain lines
 * (text prefixed with `[YYYY-MM-DD HH:MM]` without server-time) followed by a
 * NOTICE in the channel saying what they were. The marker does not move.
 * `rooms`: the account's rooms as autojoin read them.
 */
export async function deliverMissedRooms(
  c: IrcConnection,
  rooms: readonly MyRoom[],
): Promise<void> {
  if (c.guest || !c.auth || c.caps.has(CHATHISTORY_CAP)) return;
  const userId = c.auth.user.id;
  const batched = c.caps.has('batch') && c.caps.has('server-time');
  const stamped = c.caps.has('server-time');
  try {
    let replayed = 0;
    for (const r of rooms) {
      if (r.unread === 0 || !c.channels.has(r.id)) continue;
      if (replayed++ >= MISSED_ROOMS) break;
      const page = await c.core.history.read(
        userId,
        { kind: 'room', roomId: r.id },
        { kind: 'latest', after: { seq: r.read } },
        MISSED_PER_ROOM,
      );
      const channel = roomToChannel(r.name);
      const lines: IrcMessage[] = [];
      let shown = 0;
      for (const m of page.messages) {
        if (m.deletedAt !== null) continue;
        const text = stamped ? m.text : `[${minute(m.createdAt)}] ${m.text}`;
        lines.push(
          ...privmsgLines(c.viewer(), hostmask(m.sender, c.server), channel, { ...m, text }),
        );
        shown++;
      }
      if (shown === 0) continue;
      if (batched) {
        batch(c, 'chathistory', [channel], lines);
        continue;
      }
      for (const l of lines) c.send(l);
      const earlier = page.more ? ' (earlier ones: on the web, or with a CHATHISTORY client)' : '';
      c.notice(
        `${shown} message${shown === 1 ? '' : 's'} arrived in ${channel} while you were away (shown above)${earlier}.`,
        channel,
      );
    }
  } catch (err) {
    c.log.warn({ err }, 'irc: could not read room messages missed while away');
  }
}

/** `YYYY-MM-DD HH:MM` (UTC), the time prefix for clients without server-time. */
export function minute(at: number): string {
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ');
}
