import { isParleyError } from '../../../core/errors.js';
import type { IrcConnection } from '../connection.js';
import { standardReply } from './numerics.js';

/**
 * A core refusal as the client sees it: the numeric the situation has in IRC when
 * there is one (the handler passes it), else a FAIL standard reply for clients that
 * asked for them, else a NOTICE from the server with core's own words.
 */
export function refuse(c: IrcConnection, command: string, err: unknown, target?: string): void {
  if (!isParleyError(err)) {
    c.log.error({ err }, 'irc command failed');
    c.notice(`${command} failed: internal error`);
    return;
  }
  // A guest held on this node lost its name to another node's guest (or a new
  // account) before it was stored (core/accounts/guests.ts): the nick is taken.
  if (err.field === 'guest-name') {
    c.numeric('ERR_NICKNAMEINUSE', [c.nick], 'Nickname is already in use (taken meanwhile)');
    c.quit('Nickname taken meanwhile: reconnect with another nick');
    return;
  }
  if (err.condition === 'internal-error' || err.condition === 'unavailable')
    c.log.warn({ err }, 'irc command failed');
  const code = err.condition.toUpperCase().replace(/-/g, '_');
  if (c.caps.has('draft/standard-replies') || c.caps.has('standard-replies'))
    c.send(standardReply('FAIL', command, code, target ? [target] : [], err.message, c.server));
  else c.notice(`${command}${target ? ` ${target}` : ''}: ${err.message}`);
}

/** The condition of a core error, or undefined. */
export const conditionOf = (err: unknown): string | undefined =>
  isParleyError(err) ? err.condition : undefined;
