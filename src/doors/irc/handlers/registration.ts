import { VERSION } from '../../../version.js';
import type { AuthContext } from '../../../core/accounts/service.js';
import { isParleyError } from '../../../core/errors.js';
import type { IrcMessage } from '../codec/line.js';
import type { IrcConnection } from '../connection.js';
import { casefold, isValidNick, nickToUsername, usernameToNick } from '../mapping/nick.js';
import { autojoin } from './channels.js';
import { mask } from '../mapping/events.js';
import { USER_MODES } from './operators.js';
import { deliverMissed } from './messaging.js';
import { lusers } from './queries.js';
import type { Handler } from './index.js';

/**
 * Capabilities offered (IRCv3 CAP 302). Only what the door really does is listed;
 * docs/irc.md says what each means here.
 */
export const CAPS: Readonly<Record<string, string>> = {
  // Its value (the mechanisms) depends on the connection: see capList.
  sasl: '',
  'server-time': '',
  'message-tags': '',
  'echo-message': '',
  'account-tag': '',
  'multi-prefix': '',
  'cap-notify': '',
  batch: '',
  'away-notify': '',
  'draft/message-redaction': '',
  'labeled-response': '',
  'extended-join': '',
  'userhost-in-names': '',
  'invite-notify': '',
  'draft/chathistory': '',
  'draft/read-marker': '',
  'account-notify': '',
  chghost: '',
  setname: '',
};

/** SASL payloads are at most this long once decoded (authzid, authcid, password). */
const MAX_SASL_BYTES = 1024;

/** Logins checked by SASL before NICK/USER finish, kept until registration completes. */
const pending = new WeakMap<IrcConnection, AuthContext>();

function capList(c: IrcConnection): string {
  return Object.entries(CAPS)
    .map(([k, v]) => {
      if (c.capVersion < 302) return k;
      const value = k === 'sasl' ? mechanismsFor(c).join(',') : v;
      return value ? `${k}=${value}` : k;
    })
    .join(' ');
}

function cap(c: IrcConnection, sub: string, args: string[]): void {
  const target = c.nick;
  const reply = (...params: string[]) =>
    c.send({
      tags: new Map(),
      source: c.server,
      command: 'CAP',
      params: [target, ...params],
      trailing: true,
    });
  switch (sub.toUpperCase()) {
    case 'LS': {
      if (!c.registered) c.negotiating = true;
      const v = Number(args[0] ?? '0');
      if (Number.isSafeInteger(v)) c.capVersion = Math.max(c.capVersion, v);
      // 302 implies cap-notify.
      if (c.capVersion >= 302) c.caps.add('cap-notify');
      reply('LS', capList(c));
      return;
    }
    case 'LIST':
      reply('LIST', [...c.caps].join(' '));
      return;
    case 'REQ': {
      if (!c.registered) c.negotiating = true;
      const asked = (args[0] ?? '').split(' ').filter(Boolean);
      // All or nothing (IRCv3): one unknown capability refuses the whole request.
      const ok = asked.every((a) => Object.hasOwn(CAPS, a.replace(/^-/, '')));
      if (!ok || asked.length === 0) {
        reply('NAK', args[0] ?? '');
        return;
      }
      for (const a of asked) {
        if (a.startsWith('-')) c.caps.delete(a.slice(1));
        else c.caps.add(a);
      }
      // Core hands this session its own sends back only with echo-message, and
      // typing notifications only to clients that can read +typing (message-tags).
      if (c.caps.has('echo-message')) c.sessionCaps.add('echo');
      else c.sessionCaps.delete('echo');
      if (c.caps.has('message-tags')) c.sessionCaps.add('typing');
      else c.sessionCaps.delete('typing');
      // Others' display names (room.profile) only for clients that show them (SETNAME).
      if (c.caps.has('setname')) c.sessionCaps.add('names');
      else c.sessionCaps.delete('names');
      reply('ACK', args[0] ?? '');
      return;
    }
    case 'END':
      if (c.registered) return;
      c.negotiating = false;
      return;
    default:
      c.numeric('ERR_INVALIDCAPCMD', [sub], 'Invalid CAP command');
  }
}

/** Mechanisms this connection may use (the -PLUS ones need TLS), strongest first. */
export function mechanismsFor(c: IrcConnection): string[] {
  return c.core.sasl.mechanisms(saslContext(c));
}

function saslContext(c: IrcConnection) {
  const binding = c.channelBinding();
  return {
    address: c.address,
    device: 'IRC',
    tls: c.tls,
    ...(binding ? { channelBinding: binding } : {}),
    // IRC clients send PLAIN on plain ports (irssi, WeeChat): allowed, as most networks do.
    plainWithoutTls: true,
  };
}

/** Base64 in the 400-byte pieces AUTHENTICATE carries ("+" alone for empty or a full last piece). */
function sendPieces(c: IrcConnection, data: Buffer): void {
  const b64 = data.toString('base64');
  for (let i = 0; i < b64.length; i += 400)
    c.send({ tags: new Map(), command: 'AUTHENTICATE', params: [b64.slice(i, i + 400)] });
  if (b64.length % 400 === 0) c.send({ tags: new Map(), command: 'AUTHENTICATE', params: ['+'] });
}

async function authenticate(c: IrcConnection, m: IrcMessage): Promise<void> {
  const arg = m.params[0]!;
  if (c.registered || pending.has(c)) {
    c.numeric('ERR_SASLALREADY', [], 'You have already authenticated using SASL');
    return;
  }
  if (arg === '*') {
    c.sasl?.exchange.abort();
    c.sasl = undefined;
    c.numeric('ERR_SASLABORTED', [], 'SASL authentication aborted');
    return;
  }
  if (!c.sasl) {
    const mechanism = arg.toUpperCase();
    const offered = mechanismsFor(c);
    if (!offered.includes(mechanism as never)) {
      c.numeric('RPL_SASLMECHS', [offered.join(',')], 'are available SASL mechanisms');
      c.numeric('ERR_SASLFAIL', [], 'SASL authentication failed');
      return;
    }
    c.sasl = { exchange: c.core.sasl.start(mechanism, saslContext(c)), buffer: '' };
    c.send({ tags: new Map(), command: 'AUTHENTICATE', params: ['+'] });
    return;
  }
  const sasl = c.sasl;
  // Payloads come in 400-byte pieces; a piece shorter than 400 (or "+") ends one.
  if (arg !== '+') sasl.buffer += arg;
  if (sasl.buffer.length > (MAX_SASL_BYTES * 4) / 3 + 4) {
    sasl.exchange.abort();
    c.sasl = undefined;
    c.numeric('ERR_SASLTOOLONG', [], 'SASL message too long');
    return;
  }
  if (arg.length === 400) return;
  const message = Buffer.from(sasl.buffer, 'base64');
  sasl.buffer = '';
  // SCRAM's server-final was sent as a challenge; the client's "+" acknowledges it.
  if (sasl.done) {
    c.sasl = undefined;
    return loggedIn(c, sasl.done);
  }
  const step = await sasl.exchange.step(message);
  if ('challenge' in step) return sendPieces(c, step.challenge);
  if ('failure' in step) {
    c.sasl = undefined;
    c.numeric(
      'ERR_SASLFAIL',
      [],
      step.failure.reason === 'temporary-auth-failure'
        ? `SASL authentication failed: ${step.failure.text}`
        : 'SASL authentication failed',
    );
    return;
  }
  if (step.success.serverFinal) {
    sasl.done = step.success.auth;
    return sendPieces(c, step.success.serverFinal);
  }
  c.sasl = undefined;
  loggedIn(c, step.success.auth);
}

function loggedIn(c: IrcConnection, auth: AuthContext): void {
  pending.set(c, auth);
  const nick = usernameToNick(auth.user.username);
  c.numeric(
    'RPL_LOGGEDIN',
    [mask(nick, c.server), auth.user.username],
    `You are now logged in as ${auth.user.username}`,
  );
  c.numeric('RPL_SASLSUCCESS', [], 'SASL authentication successful');
}

export function login(c: IrcConnection, username: string, password: string): Promise<AuthContext> {
  return c.core.accounts.verify({
    username: username.toLowerCase(),
    password,
    device: 'IRC',
    address: c.address,
  });
}

/** PASS as `username:password` (or a bare password, for the username the nick names). */
function fromPass(c: IrcConnection): { username: string; password: string } | undefined {
  const p = c.pass;
  if (p === undefined) return undefined;
  const i = p.indexOf(':');
  if (i > 0) return { username: p.slice(0, i), password: p.slice(i + 1) };
  const username = nickToUsername(c.nick);
  return username === undefined ? undefined : { username, password: p };
}

/** NICK, USER and (if it was begun) CAP negotiation are done: log in and welcome. */
async function tryRegister(c: IrcConnection): Promise<void> {
  if (c.registered || c.negotiating || c.nick === '*' || !c.user) return;
  let auth = pending.get(c);
  if (!auth) {
    const creds = fromPass(c);
    if (!creds) {
      if (c.deps.config.irc.guests && (await startGuest(c))) return;
      // Registered, not logged in: NickServ IDENTIFY (or REGISTER) within the deadline.
      c.registerWithoutLogin();
      welcome(c, c.nick);
      c.notice(
        'You are not logged in. Log in with /msg NickServ IDENTIFY <password> (your nick is your ' +
          'username), or IDENTIFY <account> <password>; SASL works too. New here? ' +
          '/msg NickServ REGISTER <password>, or sign up in the web client.',
      );
      return;
    }
    try {
      auth = await login(c, creds.username, creds.password);
    } catch (err) {
      c.numeric(
        'ERR_PASSWDMISMATCH',
        [],
        isParleyError(err) && err.condition === 'rate-limited' ? err.message : 'Password incorrect',
      );
      c.quit('Bad password');
      return;
    }
  }
  pending.delete(c);
  const old = c.nick;
  c.nick = usernameToNick(auth.user.username);
  await c.attach(auth);
  if (!c.registered) return;
  welcome(c, old);
  await deliverMissed(c, await autojoin(c));
}

/**
 * No login given: a nick that no one holds becomes a guest under that nick (its
 * username). A nick an account (or another guest) holds registers without a login
 * (NickServ IDENTIFY); so does a nick that no username can be. False when the
 * connection should go that way.
 */
async function startGuest(c: IrcConnection): Promise<boolean> {
  const name = nickToUsername(c.nick);
  if (name === undefined) return false;
  const holder = await c.core.users.holder(name);
  if (holder === 'account') return false;
  if (holder === 'guest') {
    c.numeric('ERR_NICKNAMEINUSE', [c.nick], 'Nickname is already in use (by a guest)');
    return true; // registration waits for another NICK
  }
  let auth: AuthContext;
  try {
    auth = await c.core.guests.start({ name, address: c.address, device: 'IRC guest' });
  } catch (err) {
    if (isParleyError(err) && err.condition === 'conflict') {
      c.numeric('ERR_NICKNAMEINUSE', [c.nick], 'Nickname is already in use');
      return true; // registration waits for another NICK
    }
    if (isParleyError(err) && err.condition === 'rate-limited') {
      c.notice(`Too many guests from your address: ${err.message}`);
      c.quit('Too many guests');
      return true;
    }
    throw err;
  }
  const asked = c.nick;
  c.nick = usernameToNick(name);
  c.guest = true;
  await c.attach(auth);
  c.keepGuestAlive();
  if (!c.registered) return true;
  welcome(c, asked);
  c.notice(
    `You are a guest (${name}): you may join public rooms (/list) and talk there. Guests have ` +
      'no contacts and no direct messages, and vanish when they disconnect. To keep a name, ' +
      'sign up in the web client and connect with SASL.',
  );
  return true;
}

/**
 * A login after registration (NickServ IDENTIFY or REGISTER): the nick becomes the
 * username (a NICK line says so when it differs), then the rooms and what was missed.
 */
export async function loginAfterRegistration(c: IrcConnection, auth: AuthContext): Promise<void> {
  const old = c.nick;
  const nick = usernameToNick(auth.user.username);
  if (casefold(old) !== casefold(nick) || old !== nick) {
    c.send({ tags: new Map(), source: c.prefix(), command: 'NICK', params: [nick] });
    c.nick = nick;
    // The user part follows the nick (mask): chghost says so to clients that track it.
    if (c.caps.has('chghost') && old.slice(0, 10) !== nick.slice(0, 10))
      c.send({
        tags: new Map(),
        source: `${nick}!${old.slice(0, 10)}@${c.server}`,
        command: 'CHGHOST',
        params: [nick.slice(0, 10), c.server],
      });
  }
  // account-notify: this connection is logged in now (no channel member sees it: a
  // guest leaves its rooms before it becomes an account).
  if (c.caps.has('account-notify'))
    c.send({
      tags: new Map(),
      source: c.prefix(),
      command: 'ACCOUNT',
      params: [auth.user.username],
    });
  await c.attach(auth);
  c.numeric(
    'RPL_LOGGEDIN',
    [c.prefix(), auth.user.username],
    `You are now logged in as ${auth.user.username}`,
  );
  await deliverMissed(c, await autojoin(c));
}

function welcome(c: IrcConnection, asked: string): void {
  const d = c.deps;
  c.numeric('RPL_WELCOME', [], `Welcome to Parley, ${c.prefix()}`);
  c.numeric('RPL_YOURHOST', [], `Your host is ${c.server}, running parley-${VERSION}`);
  c.numeric('RPL_CREATED', [], `This server was created ${new Date(d.startedAt).toUTCString()}`);
  c.numeric('RPL_MYINFO', [c.server, `parley-${VERSION}`, USER_MODES, 'abinoqt', 'abqo'], null);
  for (const tokens of d.isupport) c.numeric('RPL_ISUPPORT', tokens);
  lusers(c);
  c.numeric('RPL_MOTDSTART', [], `- ${c.server} Message of the day -`);
  for (const line of d.config.irc.motd.split('\n')) c.numeric('RPL_MOTD', [], `- ${line}`);
  c.numeric('RPL_ENDOFMOTD', [], 'End of /MOTD command.');
  if (casefold(asked) !== casefold(c.nick) && asked !== '*' && !c.guest)
    c.notice(`Your nick is ${c.nick}: on Parley your nick is your username.`);
}

export const REGISTRATION: Record<string, Handler> = {
  CAP: {
    preRegistration: true,
    minParams: 1,
    async run(c, m) {
      cap(c, m.params[0]!, m.params.slice(1));
      await tryRegister(c);
    },
  },
  NICK: {
    preRegistration: true,
    minParams: 0,
    async run(c, m) {
      const nick = m.params[0];
      if (!nick) return c.numeric('ERR_NONICKNAMEGIVEN', [], 'No nickname given');
      if (!isValidNick(nick))
        return c.numeric('ERR_ERRONEUSNICKNAME', [nick], 'Erroneous nickname');
      if (c.registered) {
        // 432, not 902 (ERR_NICKLOCKED): clients read 902 as a failed SASL login, and
        // irssi then disconnects (sasl_disconnect_on_failure).
        if (casefold(nick) !== casefold(c.nick))
          c.numeric(
            'ERR_ERRONEUSNICKNAME',
            [nick],
            'On Parley your nick is your username; it cannot change',
          );
        return;
      }
      c.nick = nick;
      await tryRegister(c);
    },
  },
  USER: {
    preRegistration: true,
    minParams: 4,
    async run(c, m) {
      if (c.registered) return c.numeric('ERR_ALREADYREGISTERED', [], 'You may not reregister');
      // An empty username or realname is a missing one (modern.ircdocs.horse, USER).
      if (m.params[0] === '' || m.params[3] === '')
        return c.numeric('ERR_NEEDMOREPARAMS', ['USER'], 'Not enough parameters');
      c.user = { ident: m.params[0]!.slice(0, 32), realname: m.params[3]!.slice(0, 200) };
      await tryRegister(c);
    },
  },
  PASS: {
    preRegistration: true,
    minParams: 1,
    run(c, m) {
      if (c.registered) return c.numeric('ERR_ALREADYREGISTERED', [], 'You may not reregister');
      c.pass = m.params[0];
    },
  },
  AUTHENTICATE: { preRegistration: true, minParams: 1, run: authenticate },
  PING: {
    preRegistration: true,
    beforeLogin: true,
    minParams: 1,
    run(c, m) {
      c.send({
        tags: new Map(),
        source: c.server,
        command: 'PONG',
        params: [c.server, m.params[0]!],
        trailing: true,
      });
    },
  },
  PONG: { preRegistration: true, beforeLogin: true, minParams: 0, run: (c) => c.pong() },
  QUIT: {
    preRegistration: true,
    beforeLogin: true,
    minParams: 0,
    run(c, m) {
      c.quit(m.params[0] ? `Quit: ${m.params[0].slice(0, 200)}` : 'Quit');
    },
  },
};
