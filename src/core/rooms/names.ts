import { ParleyError } from '../errors.js';

/**
 * A room name must work unchanged on every door: as an IRC channel (`#tardis`:
 * no spaces, commas, colons or control characters, case-insensitive) and as an
 * XMPP room localpart (`tardis@rooms.example`: lowercase, none of "&'/:<>@).
 * So names are lowercase ASCII letters, digits and `-_.`, 2-32 characters,
 * starting with a letter or digit. Clients show them with a leading `#`.
 */
const ROOM_NAME = /^[a-z0-9][a-z0-9_.-]{1,31}$/;

export const MAX_TOPIC = 512;

/** The canonical name for `input` ("#Tardis" -> "tardis"), or undefined if it can never be a room name. */
export function lookupRoomName(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > 40) return undefined;
  const bare = (input.startsWith('#') ? input.slice(1) : input).toLowerCase();
  return ROOM_NAME.test(bare) && !bare.endsWith('.') ? bare : undefined;
}

/** Checks a name offered for a new room (a clear error naming the rule). */
export function newRoomName(input: unknown): string {
  const name = lookupRoomName(input);
  if (name === undefined)
    throw new ParleyError(
      'bad-request',
      'a room name is 2-32 characters: letters a-z, digits, "-", "_" or "." (not last), starting with a letter or digit; a leading "#" is optional',
      { field: 'name' },
    );
  return name;
}

export function checkTopic(v: unknown): string {
  if (typeof v !== 'string')
    throw new ParleyError('bad-request', 'topic must be a string', { field: 'topic' });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(v))
    throw new ParleyError('bad-request', 'topic must be one line without control characters', {
      field: 'topic',
    });
  if ([...v].length > MAX_TOPIC)
    throw new ParleyError('bad-request', `topic is longer than ${MAX_TOPIC} characters`, {
      field: 'topic',
    });
  return v.trim();
}
