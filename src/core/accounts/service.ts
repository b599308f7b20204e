import { createHash } from 'node:crypto';
import { ParleyError } from '../errors.js';
import { newId, newSecret } from '../ids.js';
import type { Router } from '../router.js';
import type { PasswordHasher } from './hasher.js';
import { DEFAULT_SCRAM_ITERATIONS, makeCredentials, needsNewCredentials } from './sasl/scram.js';
import type { AccountStore, InviteRecord, SessionRecord, UserRecord } from './store.js';
import type { LoginThrottle } from './throttle.js';
import {
  assertNotReserved,
  checkPassword,
  MIN_PASSWORD,
  normalizeUsername,
  offeredPassword,
} from './username.js';
import type { RateLimiter } from '../limits/rate.js';

export type RegistrationPolicy = 'open' | 'invite' | 'closed';

export interface PublicUser {
  id: string;
  username: string;
  createdAt: number;
}

export interface PublicSession {
  id: string;
  device: string;
  createdAt: number;
  lastSeenAt: number;
  lastAddress: string;
}

export interface LoginResult {
  user: PublicUser;
  session: PublicSession;
  /** Shown once; only its hash is stored. */
  token: string;
}

export interface AuthContext {
  /** Without the password hash: a connection keeps this for its life (reverify reads the current one). */
  user: Omit<UserRecord, 'passwordHash'>;
  /** For a connection-scoped login (`verify`) a record that is not stored (no token). */
  session: SessionRecord;
  /**
   * Set for a connection-scoped login: a fingerprint of the password hash it was
   * checked against, so `stillValidAuth` can tell that the password changed since.
   */
  scoped?: { passwordStamp: string };
}

const MAX_DEVICE = 64;
/** last-seen is written at most this often per session, to keep reads cheap. */
const TOUCH_EVERY_MS = 60_000;

/** Core-internal event (never handed to a session): end connection-scoped logins but `except`. */
export const SCOPED_REVOKED = 'core.scoped-logins-revoked';
/** In a noted revocation's ids: connection-scoped logins end too. Never a session id (ids are 26 characters). */
export const ALL_SCOPED = '*';

/** Tells whether a password changed without keeping its hash around. */
export function stamp(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url').slice(0, 16);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function publicUser(u: UserRecord): PublicUser {
  return { id: u.id, username: u.username, createdAt: u.createdAt };
}

export function publicSession(s: SessionRecord): PublicSession {
  return {
    id: s.id,
    device: s.device,
    createdAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
    lastAddress: s.lastAddress,
  };
}

export function cleanDevice(device: string | undefined): string {
  if (device === undefined || device === '') return 'unnamed device';
  // eslint-disable-next-line no-control-regex
  const d = device.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  if ([...d].length > MAX_DEVICE)
    throw new ParleyError('bad-request', `device must be at most ${MAX_DEVICE} characters`, {
      field: 'device',
    });
  return d || 'unnamed device';
}

/**
 * A connection-scoped login of `user` (what `verify` answers, and SASL SCRAM): a
 * session record that is not stored, and the stamp `stillValidAuth` checks.
 */
export function scopedAuth(
  user: UserRecord,
  device: string,
  address: string,
  t: number,
): AuthContext {
  const { passwordHash, ...rest } = user;
  return {
    user: rest,
    session: {
      id: newId(t),
      userId: user.id,
      tokenHash: '',
      device,
      createdAt: t,
      lastSeenAt: t,
      lastAddress: address,
    },
    scoped: { passwordStamp: stamp(passwordHash) },
  };
}

export interface AccountService {
  register(req: {
    username: string;
    password: string;
    invite?: string;
    device?: string;
    address: string;
  }): Promise<LoginResult>;
  login(req: {
    username: string;
    password: string;
    device?: string;
    address: string;
  }): Promise<LoginResult>;
  /**
   * A password check for one connection (IRC SASL, XMPP SASL): no token is made
   * and nothing is stored. Throttled and refused like `login`. The answer's
   * `session.id` is new and names this login alone: the door registers its
   * Session with that id and `scoped: true`, and it ends with any revocation of
   * all its user's sessions (password change, disable, delete), on every node.
   */
  verify(req: {
    username: string;
    password: string;
    device?: string;
    address: string;
  }): Promise<AuthContext>;
  /** `token` as the door received it; undefined (none given) is refused like a bad one. */
  authenticate(token: string | undefined, address?: string): Promise<AuthContext>;
  /**
   * True while the login behind `auth` holds: its stored session exists (or, for
   * a connection-scoped one, the password is unchanged) and the user is enabled.
   */
  stillValidAuth(auth: AuthContext): Promise<boolean>;
  /** True while the session still exists and its user is enabled. */
  stillValid(sessionId: string, tokenHash: string): Promise<boolean>;
  /**
   * Runs an operation for a signed-in session. A connection outlives its
   * authentication: if the operation fails unexpectedly because the session was
   * revoked or its account disabled or deleted meanwhile (an operator command in
   * another process, not yet noticed), the answer is `not-authenticated`, not a
   * server error. Every door runs authenticated operations through this.
   */
  asSession<T>(auth: AuthContext, op: () => Promise<T>): Promise<T>;
  logout(auth: AuthContext): Promise<void>;
  sessions(userId: string): Promise<PublicSession[]>;
  revokeSession(userId: string, sessionId: string): Promise<void>;
  /**
   * Signs out every other device of the caller: their token sessions, and any
   * connection-scoped login (IRC, XMPP); the caller's session stays. Returns how many
   * token sessions ended.
   */
  revokeOtherSessions(auth: AuthContext): Promise<number>;
  /** Both re-check the password and are throttled like logins, so a stolen token cannot guess it. */
  changePassword(
    auth: AuthContext,
    oldPassword: string,
    newPassword: string,
    address: string,
  ): Promise<void>;
  deleteAccount(auth: AuthContext, password: string, address: string): Promise<void>;
  /** Who may sign up now (the operator's `registration.policy`), for clients to ask up front. */
  registrationPolicy(): RegistrationPolicy;
  /** The fewest characters a new password may have (`registration.min_password_length`). */
  minPasswordLength(): number;
  // Operator actions (CLI); they bypass the registration policy.
  adminAdd(username: string, password: string): Promise<PublicUser>;
  adminList(opts: {
    after?: string;
    limit: number;
  }): Promise<(PublicUser & { disabled: boolean })[]>;
  adminSetPassword(username: string, password: string): Promise<void>;
  adminSetDisabled(username: string, disabled: boolean): Promise<void>;
  adminDelete(username: string): Promise<void>;
  /** The code is in the answer only: the store keeps its hash. */
  createInvite(opts: {
    uses: number;
    expiresInSeconds: number | null;
    createdBy?: string | null;
  }): Promise<{ code: string; invite: InviteRecord }>;
  /** Newest first; `id` is the start of the code's hash, to tell invites apart. */
  listInvites(limit: number): Promise<(InviteRecord & { id: string })[]>;
}

export function createAccountService(deps: {
  store: AccountStore;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  router: Router;
  policy: () => RegistrationPolicy;
  /** New accounts per address (sign-ups with an invite code are not counted). */
  signups: RateLimiter;
  reserved: readonly string[];
  /** `registration.min_password_length` (default 8): new passwords have at least this many code points. */
  minPasswordLength?: number;
  /** Names held right now by guests not yet stored (core/accounts/guests.ts): taken too. */
  heldByGuest?: (username: string) => boolean;
  /**
   * Runs before an account is deleted: what other services must undo while the
   * account still exists (rooms it is in see it leave, a room it owned passes on).
   */
  beforeDelete?: (userId: string) => Promise<void>;
  /**
   * PBKDF2 rounds of new SCRAM credentials (`login.scram_iterations`); a password
   * login finding fewer (or none) makes them anew from the password it checked.
   */
  scramIterations?: number;
  /** A SCRAM credential upgrade at login failed (the login itself succeeds). */
  onError?: (err: unknown) => void;
  now?: () => number;
}): AccountService {
  const { store, hasher, throttle, router } = deps;
  const now = deps.now ?? Date.now;
  const lastTouch = new Map<string, number>();
  const iterations = deps.scramIterations ?? DEFAULT_SCRAM_ITERATIONS;
  const scramOf = (password: string) => makeCredentials(password, iterations);
  const minPassword = deps.minPasswordLength ?? MIN_PASSWORD;
  const freshPassword = (pw: string, field?: string) => checkPassword(pw, field, minPassword);

  /**
   * Accounts made before SCRAM credentials existed (or under a lower iteration count)
   * get them at their next password login, through any door: the password was just
   * checked against `user.passwordHash`, and the store writes only while it still is.
   */
  async function upgradeScram(user: UserRecord, password: string): Promise<void> {
    try {
      if (!needsNewCredentials(await store.scramCredentials(user.id), iterations)) return;
      await store.upgradeScramCredentials(user.id, user.passwordHash, await scramOf(password));
    } catch (err) {
      deps.onError?.(err);
    }
  }
  // A fixed hash verified on unknown usernames, so timing does not reveal which names exist.
  let dummyHash: Promise<string> | undefined;

  async function startSession(
    user: UserRecord,
    device: string,
    address: string,
  ): Promise<LoginResult> {
    const token = `pt_${newSecret()}`;
    const t = now();
    const session: SessionRecord = {
      id: newId(t),
      userId: user.id,
      tokenHash: hashToken(token),
      device,
      createdAt: t,
      lastSeenAt: t,
      lastAddress: address,
    };
    await store.createSession(session);
    return { user: publicUser(user), session: publicSession(session), token };
  }

  async function reverify(
    auth: AuthContext,
    password: string,
    address: string,
    wrong: string,
  ): Promise<void> {
    const attempt = throttle.begin(auth.user.username, address);
    try {
      // The stored hash, not one read when the connection authenticated: a password
      // changed since on another device must not be answered by the old one.
      const current = await store.userById(auth.user.id);
      if (!current || !(await hasher.verify(current.passwordHash, password))) {
        attempt.failed();
        throw new ParleyError('invalid-credentials', wrong);
      }
    } finally {
      // A right password, or one that could not be checked, costs nothing; a
      // re-check does not clear the backoff (only a login does, docs/protocol.md 3.6).
      attempt.refund();
    }
  }

  /**
   * `scoped`: connection-scoped logins end too (every one but `except`), since
   * they hold no token that the list could name.
   */
  function revoked(userId: string, sessionIds: string[], scoped?: { except: string | null }): void {
    if (sessionIds.length) router.deliver(userId, { name: 'session.revoked', sessionIds });
    if (scoped) router.deliver(userId, { name: SCOPED_REVOKED, except: scoped.except });
  }

  /**
   * Operator commands run in another process: the store carries the news to the
   * nodes too. They always end connection-scoped logins (ALL_SCOPED in the list).
   */
  async function revokedByOperator(userId: string, sessionIds: string[]): Promise<void> {
    await store.noteRevocation({
      id: newId(now()),
      userId,
      sessionIds: [...sessionIds, ALL_SCOPED],
    });
    revoked(userId, sessionIds, { except: null });
  }

  /** The user if `password` is theirs: throttled, and a success clears the address's backoff. */
  async function checkLogin(name: string, password: string, address: string): Promise<UserRecord> {
    // Counted as a failure while the hash is checked, so parallel guesses see each other.
    const attempt = throttle.begin(name, address);
    let user: UserRecord | undefined;
    try {
      user = await store.userByUsername(name);
      if (!user) {
        dummyHash ??= hasher.hash('parley-dummy-password');
        await hasher.verify(await dummyHash, password);
      }
      if (!user || !(await hasher.verify(user.passwordHash, password))) {
        attempt.failed();
        throw new ParleyError('invalid-credentials', 'wrong username or password');
      }
    } finally {
      attempt.refund(); // a no-op after failed()
    }
    if (user.disabled)
      throw new ParleyError('account-disabled', 'this account has been disabled by an operator');
    throttle.succeeded(name, address);
    await upgradeScram(user, password);
    return user;
  }

  async function byName(username: string): Promise<UserRecord> {
    const name = normalizeUsername(username);
    const u = await store.userByUsername(name);
    if (!u) throw new ParleyError('not-found', `no user named "${name}"`);
    return u;
  }

  /** `admit` runs once the input is known to be well-formed, before anything is written. */
  async function create(
    username: string,
    password: string,
    inviteCode?: string,
    admit?: () => void,
  ): Promise<UserRecord> {
    const name = normalizeUsername(username);
    assertNotReserved(name, deps.reserved);
    if (deps.heldByGuest?.(name))
      throw new ParleyError('conflict', `the username "${name}" is taken`, { field: 'username' });
    const pw = freshPassword(password);
    admit?.();
    const t = now();
    const user: UserRecord = {
      id: newId(t),
      username: name,
      passwordHash: await hasher.hash(pw),
      createdAt: t,
      disabled: false,
    };
    const scram = await scramOf(pw);
    await store.createUser(
      user,
      inviteCode === undefined
        ? { now: t, scram }
        : { inviteCodeHash: hashToken(inviteCode), now: t, scram },
    );
    return user;
  }

  return {
    async register(req) {
      const policy = deps.policy();
      if (policy === 'closed')
        throw new ParleyError('registration-closed', 'this server does not accept new accounts');
      let invite: string | undefined;
      if (policy === 'invite') {
        if (req.invite === undefined || req.invite === '')
          throw new ParleyError('invalid-invite', 'this server needs an invite code to register', {
            field: 'invite',
          });
        if (req.invite.length > 128)
          throw new ParleyError('invalid-invite', 'unknown invite code', { field: 'invite' });
        invite = req.invite;
      }
      const device = cleanDevice(req.device);
      // Open sign-up is what spam bots find; an invite code is the operator's say-so.
      let counted = false;
      const admit = () => {
        if (invite !== undefined) return;
        const wait = deps.signups.tryTake(req.address);
        if (wait > 0)
          throw new ParleyError(
            'rate-limited',
            'too many new accounts from your address; try again later',
            { retryAfter: Math.ceil(wait / 1000) },
          );
        counted = true;
      };
      let user: UserRecord;
      try {
        user = await create(req.username, req.password, invite, admit);
      } catch (err) {
        // Only accounts made count: a taken name costs nothing.
        if (counted) deps.signups.refund(req.address);
        throw err;
      }
      return startSession(user, device, req.address);
    },

    async login(req) {
      const name = normalizeUsername(req.username);
      const password = offeredPassword(req.password);
      const device = cleanDevice(req.device);
      const user = await checkLogin(name, password, req.address);
      return startSession(user, device, req.address);
    },

    async verify(req) {
      const name = normalizeUsername(req.username);
      const password = offeredPassword(req.password);
      const device = cleanDevice(req.device);
      const user = await checkLogin(name, password, req.address);
      return scopedAuth(user, device, req.address, now());
    },

    async stillValidAuth(auth) {
      if (!auth.scoped) return this.stillValid(auth.session.id, auth.session.tokenHash);
      const u = await store.userById(auth.user.id);
      return !!u && !u.disabled && stamp(u.passwordHash) === auth.scoped.passwordStamp;
    },

    async authenticate(token, address = '') {
      if (token === undefined || token.length < 10 || token.length > 256)
        throw new ParleyError('not-authenticated', 'a valid token is required');
      const session = await store.sessionByTokenHash(hashToken(token));
      if (!session)
        throw new ParleyError('not-authenticated', 'the token is unknown or was revoked');
      const user = await store.userById(session.userId);
      if (!user) throw new ParleyError('not-authenticated', 'the account no longer exists');
      if (user.disabled)
        throw new ParleyError('account-disabled', 'this account has been disabled by an operator');
      const t = now();
      if (
        t - (lastTouch.get(session.id) ?? session.lastSeenAt) >= TOUCH_EVERY_MS ||
        (address && address !== session.lastAddress)
      ) {
        lastTouch.set(session.id, t);
        if (lastTouch.size > 100_000) lastTouch.delete(lastTouch.keys().next().value as string);
        session.lastSeenAt = t;
        if (address) session.lastAddress = address;
        await store.touchSession(session.id, t, session.lastAddress);
      }
      const { passwordHash: _hash, ...rest } = user;
      return { user: rest, session };
    },

    async stillValid(sessionId, tokenHash) {
      const s = await store.sessionByTokenHash(tokenHash);
      if (!s || s.id !== sessionId) return false;
      const u = await store.userById(s.userId);
      return !!u && !u.disabled;
    },

    async asSession(auth, op) {
      try {
        return await op();
      } catch (err) {
        if (err instanceof ParleyError) throw err;
        const valid = await this.stillValidAuth(auth).catch(() => true);
        if (valid) throw err;
        throw new ParleyError('not-authenticated', 'this session was signed out');
      }
    },

    async logout(auth) {
      await store.deleteSession(auth.user.id, auth.session.id);
      revoked(auth.user.id, [auth.session.id]);
    },

    async sessions(userId) {
      return (await store.sessionsOf(userId)).map(publicSession);
    },

    async revokeSession(userId, sessionId) {
      if (sessionId.length > 64)
        throw new ParleyError(
          'bad-request',
          'session id must be a string of at most 64 characters',
          { field: 'id' },
        );
      if (!(await store.deleteSession(userId, sessionId)))
        throw new ParleyError('not-found', 'no such session');
      revoked(userId, [sessionId]);
    },

    async revokeOtherSessions(auth) {
      const ids = await store.deleteSessionsExcept(auth.user.id, auth.session.id);
      revoked(auth.user.id, ids, { except: auth.session.id });
      return ids.length;
    },

    async changePassword(auth, oldPassword, newPassword, address) {
      const old = offeredPassword(oldPassword, 'oldPassword');
      const pw = freshPassword(newPassword, 'newPassword');
      await reverify(auth, old, address, 'the current password is wrong');
      await store.setPasswordHash(auth.user.id, await hasher.hash(pw), await scramOf(pw));
      revoked(auth.user.id, await store.deleteSessionsExcept(auth.user.id, auth.session.id), {
        except: auth.session.id,
      });
    },

    async deleteAccount(auth, password, address) {
      await reverify(auth, offeredPassword(password), address, 'the password is wrong');
      const ids = (await store.sessionsOf(auth.user.id)).map((s) => s.id);
      await deps.beforeDelete?.(auth.user.id);
      await store.deleteUser(auth.user.id);
      revoked(auth.user.id, ids, { except: null });
    },

    async adminAdd(username, password) {
      return publicUser(await create(username, password));
    },

    async adminList(opts) {
      const list = await store.listUsers(opts);
      return list.map((u) => ({ ...publicUser(u), disabled: u.disabled }));
    },

    async adminSetPassword(username, password) {
      const u = await byName(username);
      const pw = freshPassword(password);
      await store.setPasswordHash(u.id, await hasher.hash(pw), await scramOf(pw));
      await revokedByOperator(u.id, await store.deleteSessionsExcept(u.id, null));
    },

    async adminSetDisabled(username, disabled) {
      const u = await byName(username);
      await store.setDisabled(u.id, disabled);
      if (disabled) await revokedByOperator(u.id, await store.deleteSessionsExcept(u.id, null));
    },

    async adminDelete(username) {
      const u = await byName(username);
      const ids = (await store.sessionsOf(u.id)).map((s) => s.id);
      await deps.beforeDelete?.(u.id);
      await store.deleteUser(u.id);
      await revokedByOperator(u.id, ids);
    },

    registrationPolicy: () => deps.policy(),
    minPasswordLength: () => minPassword,

    async createInvite(opts) {
      const t = now();
      const code = newSecret(12);
      const invite: InviteRecord = {
        codeHash: hashToken(code),
        createdBy: opts.createdBy ?? null,
        usesLeft: opts.uses,
        expiresAt: opts.expiresInSeconds === null ? null : t + opts.expiresInSeconds * 1000,
        createdAt: t,
      };
      await store.createInvite(invite);
      return { code, invite };
    },

    async listInvites(limit) {
      return (await store.listInvites(limit)).map((i) => ({ ...i, id: i.codeHash.slice(0, 8) }));
    },
  };
}
