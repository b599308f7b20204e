/**
 * Rooms <-> channels, and room roles <-> channel membership modes. Pure.
 *
 *   roomToChannel('tardis')   -> '#tardis'
 *   channelToRoom('#TARDIS')  -> { ok: true, room: 'tardis' }
 *   channelToRoom('&local')   -> { ok: false, reason: 'unsupported-type', message: ... }
 *   prefixOf('moderator')     -> '@'       roleOfMode('q') -> 'owner'
 *
 * A room name (core/rooms/names.ts) is `[a-z0-9][a-z0-9_.-]{1,31}` not ending in '.',
 * valid unchanged in a channel name, so a channel is '#' + the name (CHANTYPES=#) and
 * parsing is the room-name lookup after checking the '#': case-insensitive under ASCII
 * (the Kelvin sign is not a 'k'). Other channel types ('&' local, '+' modeless,
 * '!' safe) do not exist here and are refused with a clear reason; the session answers
 * 403 ERR_NOSUCHCHANNEL (or 476 ERR_BADCHANMASK for 'bad-name') with `message`.
 *
 * Roles: each Parley role (core/rooms/roles.ts) is one channel membership mode:
 * owner +q '~', admin +a '&', moderator +o '@', member nothing. There is no halfop or
 * voice: Parley has no such roles, and advertising them would let clients offer
 * commands that could only fail. So PREFIX=(qao)~&@. A member holds exactly one role,
 * so even with multi-prefix NAMES shows one prefix per member.
 */
import { lookupRoomName } from '../../../core/rooms/names.js';
import type { Role } from '../../../core/rooms/roles.js';

export const CHANTYPES = '#';
/** CHANNELLEN for RPL_ISUPPORT: '#' + 32. */
export const CHANNELLEN = 33;

export function roomToChannel(room: string): string {
  return `#${room}`;
}

export type ChannelParse =
  | { ok: true; room: string }
  | {
      ok: false;
      /** 'not-a-channel': no channel prefix (a nick?); 'unsupported-type': &, +, !. */
      reason: 'not-a-channel' | 'unsupported-type' | 'bad-name';
      message: string;
    };

export function channelToRoom(channel: string): ChannelParse {
  if (typeof channel !== 'string' || channel === '')
    return { ok: false, reason: 'not-a-channel', message: 'No channel name given' };
  const first = channel[0]!;
  if (first === '&' || first === '+' || first === '!')
    return {
      ok: false,
      reason: 'unsupported-type',
      message: `Only # channels exist on this server (CHANTYPES=#), not ${first} channels`,
    };
  if (first !== '#')
    return { ok: false, reason: 'not-a-channel', message: 'A channel name starts with #' };
  const room = channel.length <= CHANNELLEN ? lookupRoomName(channel) : undefined;
  if (room === undefined)
    return {
      ok: false,
      reason: 'bad-name',
      message:
        'A channel name is # and 2-32 of a-z, 0-9, "-", "_" or "." (not last), starting with a letter or digit',
    };
  return { ok: true, room };
}

/** Role -> membership mode letter and NAMES/WHO prefix, highest first. */
export const ROLE_MODES: readonly { role: Role; mode: string; prefix: string }[] = [
  { role: 'owner', mode: 'q', prefix: '~' },
  { role: 'admin', mode: 'a', prefix: '&' },
  { role: 'moderator', mode: 'o', prefix: '@' },
];

/** The PREFIX token value for RPL_ISUPPORT. */
export const PREFIX = `(${ROLE_MODES.map((r) => r.mode).join('')})${ROLE_MODES.map((r) => r.prefix).join('')}`;

/** The prefix shown before a member's nick ('' for members). */
export function prefixOf(role: Role): string {
  return ROLE_MODES.find((r) => r.role === role)?.prefix ?? '';
}

/** The mode letter of a role, or undefined for plain members. */
export function modeOf(role: Role): string | undefined {
  return ROLE_MODES.find((r) => r.role === role)?.mode;
}

/** The role a membership mode letter grants (MODE #room +o nick), or undefined. */
export function roleOfMode(mode: string): Role | undefined {
  return ROLE_MODES.find((r) => r.mode === mode)?.role;
}

/** The role a NAMES prefix stands for ('' or unknown: member). */
export function roleOfPrefix(prefix: string): Role {
  return ROLE_MODES.find((r) => r.prefix === prefix)?.role ?? 'member';
}
