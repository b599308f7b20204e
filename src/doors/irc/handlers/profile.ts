import { isParleyError } from '../../../core/errors.js';
import type { IrcConnection } from '../connection.js';
import { refuse } from '../mapping/errors.js';
import { setname } from '../mapping/events.js';
import { standardReply } from '../mapping/numerics.js';
import type { Handler } from './index.js';

/**
 * SETNAME (https://ircv3.net/specs/extensions/setname): the real name is the
 * Parley display name, so this changes the profile (core checks it: at most 64
 * characters, control characters dropped). The client is told with SETNAME, its
 * other devices by profile.updated, the members of its rooms by room.profile.
 */
async function setnameCommand(c: IrcConnection, realname: string): Promise<void> {
  const fail = (text: string) =>
    c.send(standardReply('FAIL', 'SETNAME', 'INVALID_REALNAME', [], text, c.server));
  if (realname.trim() === '') return fail('Realname is not valid: it is empty');
  try {
    const p = await c.core.profiles.update(
      c.auth!.user.id,
      { displayName: realname },
      c.connectionId,
    );
    if (c.caps.has('setname')) c.send(setname(c.prefix(), p.displayName || p.username));
  } catch (err) {
    if (isParleyError(err) && err.condition === 'bad-request')
      return fail(`Realname is not valid: ${err.message}`);
    refuse(c, 'SETNAME', err);
  }
}

export const PROFILE: Record<string, Handler> = {
  SETNAME: { minParams: 1, run: (c, m) => setnameCommand(c, m.params[0]!) },
};
