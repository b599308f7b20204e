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
export function lookupRoomName(input: string): string | undefined {
  if (input.length > 40) return undefined;
  const raw = input.startsWith('#') ? input.slice(1) : input;
  // Checked before lowercasing: some non-ASCII letters lowercase to ASCII (the Kelvin sign to "k").
  if (!/^[A-Za-z0-9_.-]*$/.test(raw)) return undefined;
  const bare = raw.toLowerCase();
  return ROOM_NAME.test(bare) && !bare.endsWith('.') ? bare : undefined;
}

/** Checks a name offered for a new room (a clear error naming the rule). */
export function newRoomName(input: string): string {
  const name = lookupRoomName(input);
  if (name === undefined)
    throw new ParleyError(
      'bad-request',
      'a room name is 2-32 characters: letters a-z, digits, "-", "_" or "." (not last), starting with a letter or digit; a leading "#" is optional',
      { field: 'name' },
    );
  return name;
}

export function checkTopic(v: string): string {
  // One line of plain text every door can carry: no C0/C1 controls, line or paragraph
  // separators, bidi overrides (they make a topic display as something else), or lone surrogates.
  if (
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(v) ||
    /\p{Cs}/u.test(v.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))
  )
    throw new ParleyError('bad-request', 'topic must be one line without control characters', {
      field: 'topic',
    });
  if ([...v].length > MAX_TOPIC)
    throw new ParleyError('bad-request', `topic is longer than ${MAX_TOPIC} characters`, {
      field: 'topic',
    });
  return v.trim();
}
