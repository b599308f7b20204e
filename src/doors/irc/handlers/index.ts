import type { IrcMessage } from '../codec/line.js';
import type { IrcConnection } from '../connection.js';
import { CHANNELS } from './channels.js';
import { HISTORY } from './history.js';
import { MARKERS } from './markers.js';
import { MESSAGING } from './messaging.js';
import { OPERATORS } from './operators.js';
import { PROFILE } from './profile.js';
import { QUERIES } from './queries.js';
import { REGISTRATION } from './registration.js';

/**
 * The command table (Ergo's irc/commands.go): the connection checks the guards
 * once (registered, enough parameters) before a handler runs, so handlers hold
 * only what the command means. One file per group.
 */
export interface Handler {
  /** May run before registration completes (CAP, NICK, USER, PASS, AUTHENTICATE...). */
  preRegistration?: boolean;
  /** May run once registered but before a login (NickServ IDENTIFY, PING, QUIT...). */
  beforeLogin?: boolean;
  minParams: number;
  run(c: IrcConnection, m: IrcMessage): Promise<void> | void;
}

export const COMMANDS: Readonly<Record<string, Handler>> = {
  ...REGISTRATION,
  ...MESSAGING,
  ...CHANNELS,
  ...QUERIES,
  ...HISTORY,
  ...MARKERS,
  ...PROFILE,
  ...OPERATORS,
};
