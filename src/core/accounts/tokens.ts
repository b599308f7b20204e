import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ParleyError } from '../errors.js';
import { newId } from '../ids.js';
import type { ChannelBindingType } from './sasl/service.js';
import { type AccountService, type AuthContext, cleanDevice, scopedAuth } from './service.js';
import type { AccountStore, SessionRecord } from './store.js';
import type { LoginThrottle } from './throttle.js';
import { normalizeUsername } from './username.js';

/**
 * FAST tokens (XEP-0484) for one-round-trip logins with the HT mechanisms
 * (draft-schmaus-kitten-sasl-ht): a client that logged in once (by password)
 * asks for a token bound to its SASL2 user-agent id and a mechanism, and later
 * proves it with HMAC(token, "Initiator" || channel binding).
 *
 * Every client holding tokens is a device: a row of `sessions` (token hash
 * `fast:...`, which no presented token can hash to), so it is listed and
 * revoked with the web's devices, and goes with every revocation of sessions
 * (sign-out, "sign out all other devices", password change, disable, delete).
 * A stream logged in by token is that session (not connection-scoped), so
 * revoking the device ends its live streams too.
 *
 * The token itself is never stored, hashed or not: the HT proof is an HMAC
 * keyed by the token, so the server must be able to recompute it. Each is
 * derived from its row's random id and a server secret (`server_secrets`,
 * 'fast-token-key'): a copy of the tokens table names no token.
 */

export const FAST_MECHANISMS = ['HT-SHA-256-EXPR', 'HT-SHA-256-ENDP', 'HT-SHA-256-NONE'] as const;
export type FastMechanism = (typeof FAST_MECHANISMS)[number];

/** The channel binding each HT mechanism mixes in (NONE: none). */
export const FAST_BINDING: Record<FastMechanism, ChannelBindingType | undefined> = {
  'HT-SHA-256-EXPR': 'tls-exporter',
  'HT-SHA-256-ENDP': 'tls-server-end-point',
  'HT-SHA-256-NONE': undefined,
};

/** FAST devices per account; a new one past this drops the least recently seen. */
export const MAX_FAST_DEVICES = 20;
/** A token older than this is replaced at its next use (XEP-0484 rotation). */
export const ROTATE_AFTER_MS = 24 * 3600 * 1000;
/** A client id (SASL2 <user-agent id>) is at most this long. */
export const MAX_CLIENT_ID = 256;
/** Marks a device's session row: a web token never hashes to this (base64url has no ':'). */
export const FAST_SESSION_PREFIX = 'fast:';

export interface FastTokenRecord {
  /** Random; the token is derived from it (never stored). */
  id: string;
  /** The device: a row of `sessions`. */
  sessionId: string;
  userId: string;
  /** SHA-256 of the client's user-agent id. */
  clientHash: string;
  mechanism: string;
  createdAt: number;
  expiresAt: number;
  /** When first used to log in; null while only issued. */
  usedAt: number | null;
  /** The highest XEP-0484 `count` seen with it (0: none yet). */
  count: number;
}

export interface FastTokenStore {
  /** The client's tokens whose device still exists, newest first, each with its device. */
  fastTokens(
    userId: string,
    clientHash: string,
  ): Promise<{ token: FastTokenRecord; session: SessionRecord }[]>;
  /**
   * Stores `token` (and its device `newSession` first, when given, in the same
   * transaction) and deletes the device's tokens never used (XEP-0484: a new token
   * makes unused earlier ones void).
   */
  addFastToken(token: FastTokenRecord, newSession?: SessionRecord): Promise<void>;
  /**
   * A successful use: marks it used and, when `count` is given, stores it only if
   * above the stored one; deletes the device's tokens issued before it. False when
   * the token is gone or the count is not above (a replay): nothing changes then.
   */
  useFastToken(id: string, count: number | undefined, at: number): Promise<boolean>;
  /** Deletes one token; returns how many tokens its device still has. */
  deleteFastToken(id: string): Promise<number>;
}

export interface FastCheck {
  username: string;
  clientId: string;
  mechanism: FastMechanism;
  /** The client's HMAC(token, "Initiator" || cbData). */
  initiator: Buffer;
  /** The channel binding data of the mechanism (empty for -NONE). */
  cbData: Buffer;
  /** XEP-0484 replay counter, when the client sent one. */
  count?: number;
  /** Invalidate the token once it logged in. */
  invalidate: boolean;
  address: string;
}

export type FastCheckResult =
  | { ok: true; auth: AuthContext; responder: Buffer; rotate: boolean }
  | { ok: false; reason: 'not-authorized' | 'credentials-expired'; text: string };

export interface FastTokenService {
  /** Token lifetime in ms (0: FAST is off). */
  readonly lifetimeMs: number;
  /**
   * A new token for the client of a user who just logged in (by password or by a
   * token). The answer's `auth` is the device's session: a stream that takes it is
   * ended when the device is revoked.
   */
  issue(
    auth: AuthContext,
    req: { clientId: string; mechanism: FastMechanism; device: string; address: string },
  ): Promise<{ token: string; expiresAt: number; auth: AuthContext }>;
  /** Checks an HT proof; throttled as logins are. Throws ParleyError rate-limited/unavailable. */
  check(req: FastCheck): Promise<FastCheckResult>;
}

export const clientHash = (clientId: string): string =>
  createHash('sha256').update(clientId).digest('base64url');

const hmac = (key: string, label: string, cb: Buffer): Buffer =>
  createHmac('sha256', Buffer.from(key)).update(Buffer.from(label)).update(cb).digest();

export function createFastTokenService(deps: {
  store: AccountStore & FastTokenStore;
  accounts: AccountService;
  throttle: LoginThrottle;
  lifetimeDays: number;
  now?: () => number;
}): FastTokenService {
  const { store, throttle } = deps;
  const now = deps.now ?? Date.now;
  const lifetimeMs = deps.lifetimeDays * 24 * 3600 * 1000;
  let key: Promise<Buffer> | undefined;
  const serverKey = (): Promise<Buffer> => {
    key ??= store
      .serverSecret('fast-token-key', randomBytes(32).toString('base64'))
      .then((s) => Buffer.from(s, 'base64'));
    key.catch(() => (key = undefined));
    return key;
  };
  const tokenOf = async (id: string): Promise<string> =>
    `secret-token:fast-${createHmac('sha256', await serverKey())
      .update(id)
      .digest('base64url')}`;

  /** Drops FAST devices of the user beyond the bound, least recently seen first. */
  async function bound(userId: string, keep: string): Promise<void> {
    const devices = (await store.sessionsOf(userId))
      .filter((s) => s.tokenHash.startsWith(FAST_SESSION_PREFIX) && s.id !== keep)
      .sort((a, b) => a.lastSeenAt - b.lastSeenAt);
    for (const s of devices.slice(0, Math.max(0, devices.length - (MAX_FAST_DEVICES - 1))))
      await deps.accounts.revokeSession(userId, s.id).catch(() => {});
  }

  return {
    lifetimeMs,

    async issue(auth, req) {
      if (lifetimeMs <= 0) throw new ParleyError('forbidden', 'FAST tokens are off');
      if (req.clientId === '' || req.clientId.length > MAX_CLIENT_ID)
        throw new ParleyError('bad-request', `a client id is 1-${MAX_CLIENT_ID} characters`);
      const t = now();
      const hash = clientHash(req.clientId);
      let session: SessionRecord | undefined;
      if (auth.session.tokenHash.startsWith(FAST_SESSION_PREFIX)) session = auth.session;
      else session = (await store.fastTokens(auth.user.id, hash))[0]?.session;
      let fresh: SessionRecord | undefined;
      if (!session) {
        fresh = {
          id: newId(t),
          userId: auth.user.id,
          tokenHash: FAST_SESSION_PREFIX + randomBytes(24).toString('base64url'),
          device: cleanDevice(req.device),
          createdAt: t,
          lastSeenAt: t,
          lastAddress: req.address,
        };
        session = fresh;
      }
      const record: FastTokenRecord = {
        id: newId(t) + randomBytes(8).toString('hex'),
        sessionId: session.id,
        userId: auth.user.id,
        clientHash: hash,
        mechanism: req.mechanism,
        createdAt: t,
        expiresAt: t + lifetimeMs,
        usedAt: null,
        count: 0,
      };
      await store.addFastToken(record, fresh);
      if (fresh) await bound(auth.user.id, fresh.id);
      return {
        token: await tokenOf(record.id),
        expiresAt: record.expiresAt,
        auth: { user: auth.user, session },
      };
    },

    async check(req) {
      const no = (text = 'wrong username or token'): FastCheckResult => ({
        ok: false,
        reason: 'not-authorized',
        text,
      });
      if (lifetimeMs <= 0) return no('FAST tokens are off');
      let name: string;
      try {
        name = normalizeUsername(req.username);
      } catch {
        return no();
      }
      if (req.clientId === '' || req.clientId.length > MAX_CLIENT_ID) return no();
      const attempt = throttle.begin(name, req.address);
      try {
        const user = await store.userByUsername(name);
        const rows = user ? await store.fastTokens(user.id, clientHash(req.clientId)) : [];
        for (const { token, session } of rows) {
          if (token.mechanism !== req.mechanism) continue;
          const secret = await tokenOf(token.id);
          const expected = hmac(secret, 'Initiator', req.cbData);
          if (expected.length !== req.initiator.length || !timingSafeEqual(expected, req.initiator))
            continue;
          const t = now();
          if (token.expiresAt <= t) {
            attempt.refund();
            if ((await store.deleteFastToken(token.id)) === 0)
              await store.deleteSession(user!.id, session.id);
            return { ok: false, reason: 'credentials-expired', text: 'the token has expired' };
          }
          if (req.count !== undefined && req.count <= token.count) {
            attempt.failed();
            return no('that count was already used (a replay?)');
          }
          attempt.refund();
          if (user!.disabled) return no();
          if (!(await store.useFastToken(token.id, req.count, t)))
            return no('that count was already used (a replay?)');
          let auth: AuthContext;
          if (req.invalidate && (await store.deleteFastToken(token.id)) === 0) {
            // Its last token gone: the device leaves the list; this stream is scoped.
            await store.deleteSession(user!.id, session.id);
            auth = scopedAuth(user!, session.device, req.address, t);
          } else {
            await store.touchSession(session.id, t, req.address);
            const { passwordHash: _h, ...rest } = user!;
            auth = { user: rest, session: { ...session, lastSeenAt: t, lastAddress: req.address } };
          }
          throttle.succeeded(name, req.address);
          return {
            ok: true,
            auth,
            responder: hmac(secret, 'Responder', req.cbData),
            rotate: !req.invalidate && t - token.createdAt >= ROTATE_AFTER_MS,
          };
        }
        attempt.failed();
        return no();
      } finally {
        attempt.refund(); // a no-op after failed()
      }
    },
  };
}
