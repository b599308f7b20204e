import { randomBytes } from 'node:crypto';
import { ParleyError } from '../../errors.js';
import { type AccountService, type AuthContext, cleanDevice, scopedAuth } from '../service.js';
import type { AccountStore } from '../store.js';
import type { LoginAttempt, LoginThrottle } from '../throttle.js';
import { normalizeUsername } from '../username.js';
import {
  type Bad,
  decodeUtf8,
  MAX_SASL_MESSAGE,
  parseClientFinal,
  parseClientFirst,
  parsePlain,
  type ScramError,
} from './messages.js';
import {
  FAST_BINDING,
  FAST_MECHANISMS,
  type FastMechanism,
  type FastTokenService,
} from '../tokens.js';
import { type FastRequest, htStep } from './ht.js';
import {
  DEFAULT_SCRAM_ITERATIONS,
  hmac,
  proofMatches,
  SALT_BYTES,
  sameBytes,
  type ScramCredential,
  type ScramMechanism,
  scramHash,
  serverSignature,
} from './scram.js';

/**
 * The server side of SASL for every door that has it (IRC AUTHENTICATE, XMPP
 * <auth>/SASL2): the door hands over each client message as bytes (after its own
 * base64) and sends back what a step answers. Mechanisms: PLAIN (RFC 4616),
 * SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677), and their -PLUS variants with
 * channel binding (tls-exporter, RFC 9266; tls-server-end-point, RFC 5929).
 *
 * Like `accounts.verify`: failures count in the login throttle, a disabled or deleted
 * account fails exactly like a wrong password, and success is a connection-scoped
 * login (`AuthContext` with `scoped`), registered by the door as `verify`'s is.
 * An unknown user (or one without SCRAM credentials yet: accounts get them at their
 * next password login) is answered with a salt derived from a server secret, so the
 * exchange does not tell which usernames exist.
 */
export type SaslMechanism =
  'SCRAM-SHA-256-PLUS' | 'SCRAM-SHA-1-PLUS' | 'SCRAM-SHA-256' | 'SCRAM-SHA-1' | 'PLAIN';

export type ChannelBindingType = 'tls-exporter' | 'tls-server-end-point';
const CHANNEL_BINDINGS: readonly ChannelBindingType[] = ['tls-exporter', 'tls-server-end-point'];

export interface SaslContext {
  /** The client's address (throttle key). */
  address: string;
  /** Names the login in `sessions`-like listings; cleaned like a device name. */
  device?: string;
  /** Whether the connection is encrypted (TLS or STARTTLS done). */
  tls: boolean;
  /**
   * What this connection can bind to, when TLS is on (doors/tls/bindings.ts). With
   * any, the -PLUS mechanisms are offered, and a client that says "y" (it could
   * bind, but thinks the server cannot) is refused: someone stripped them.
   */
  channelBinding?: Partial<Record<ChannelBindingType, Buffer>>;
  /** PLAIN without TLS (the IRC door's plain port may allow it; XMPP never does). */
  plainWithoutTls?: boolean;
}

/** Door-neutral failure reasons (XMPP's SASL conditions; IRC maps them to 904/906/...). */
export type SaslFailureReason =
  | 'not-authorized'
  | 'malformed-request'
  | 'invalid-authzid'
  | 'invalid-mechanism'
  | 'encryption-required'
  | 'temporary-auth-failure'
  /** XEP-0484: the FAST token is no longer trusted (expired); log in another way. */
  | 'credentials-expired';

export interface SaslFailure {
  reason: SaslFailureReason;
  /** For logs and the client; never says whether the user exists. */
  text: string;
  /** RFC 5802 server-error-value, when a SCRAM exchange failed. */
  scramError?: ScramError;
  /** The `e=...` server-final message, for doors that can send it. */
  serverFinal?: Buffer;
  /** With temporary-auth-failure from the throttle: seconds to wait. */
  retryAfter?: number;
}

export interface SaslSuccess {
  user: AuthContext['user'];
  /** What `accounts.verify` answers: register the door's Session with its session.id, `scoped: true`. */
  auth: AuthContext;
  /** SCRAM's `v=...` server-final message (HT's responder proof): the client checks it. */
  serverFinal?: Buffer;
  /** Logged in with a FAST token (HT); `rotate`: it is due for replacement (XEP-0484). */
  fast?: { rotate: boolean };
}

export type SaslStep = { challenge: Buffer } | { success: SaslSuccess } | { failure: SaslFailure };

export interface SaslExchange {
  readonly mechanism: string;
  /** The client's next message (its first: the initial response, possibly empty). */
  step(message: Buffer): Promise<SaslStep>;
  /** The client gave up or left: a SCRAM attempt in flight stops counting as a failure. */
  abort(): void;
}

export interface SaslService {
  /** What to offer on this connection, strongest first. */
  mechanisms(ctx: SaslContext): SaslMechanism[];
  /** The FAST (XEP-0484) token mechanisms this connection can use; none when FAST is off. */
  fastMechanisms(ctx: SaslContext): FastMechanism[];
  /**
   * A new exchange; a mechanism not offered fails at its first step (`invalid-mechanism`).
   * The HT mechanisms need `fast` (the client's token request), and are offered only with it.
   */
  start(mechanism: string, ctx: SaslContext, fast?: FastRequest): SaslExchange;
}

const fail = (
  reason: SaslFailureReason,
  text: string,
  extra: Partial<SaslFailure> = {},
): { failure: SaslFailure } => ({ failure: { reason, text, ...extra } });

/** A SCRAM failure answered with a server-final `e=` (and its reason). */
const scramFail = (
  reason: SaslFailureReason,
  error: ScramError,
  text: string,
): { failure: SaslFailure } =>
  fail(reason, text, { scramError: error, serverFinal: Buffer.from(`e=${error}`) });

const wasBad = (x: object): x is Bad => 'error' in x;

/** The door's name for the login, cleaned as a device name; never refused (cut instead). */
function deviceName(device: string | undefined, fallback: string): string {
  try {
    return cleanDevice(device ?? fallback);
  } catch {
    return cleanDevice([...String(device)].slice(0, 64).join(''));
  }
}

function throttled(err: unknown): { failure: SaslFailure } | undefined {
  if (!(err instanceof ParleyError)) return undefined;
  if (err.condition === 'rate-limited')
    return fail('temporary-auth-failure', err.message, {
      ...(err.retryAfter !== undefined ? { retryAfter: err.retryAfter } : {}),
    });
  if (err.condition === 'unavailable')
    return fail('temporary-auth-failure', 'the server cannot check passwords right now', {
      retryAfter: err.retryAfter ?? 1,
    });
  return undefined;
}

export function createSaslService(deps: {
  store: AccountStore;
  accounts: AccountService;
  throttle: LoginThrottle;
  /** What the fake credentials of unknown users claim (`login.scram_iterations`). */
  scramIterations?: number;
  /** FAST tokens (XEP-0484): the HT mechanisms, when given. */
  fast?: FastTokenService;
  /** The server's part of the nonce (tests: the RFC vectors); 24 random characters by default. */
  serverNonce?: () => string;
  now?: () => number;
}): SaslService {
  const { store, throttle } = deps;
  const now = deps.now ?? Date.now;
  const iterations = deps.scramIterations ?? DEFAULT_SCRAM_ITERATIONS;
  let secret: Promise<Buffer> | undefined;
  const fakeSaltKey = (): Promise<Buffer> => {
    secret ??= store
      .serverSecret('sasl-fake-salt', randomBytes(32).toString('base64'))
      .then((s) => Buffer.from(s, 'base64'));
    // A failed read (database away) is tried again next time.
    secret.catch(() => (secret = undefined));
    return secret;
  };

  function mechanisms(ctx: SaslContext): SaslMechanism[] {
    const plus = ctx.tls && CHANNEL_BINDINGS.some((t) => !!ctx.channelBinding?.[t]?.length);
    const out: SaslMechanism[] = plus ? ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-1-PLUS'] : [];
    out.push('SCRAM-SHA-256', 'SCRAM-SHA-1');
    if (ctx.tls || ctx.plainWithoutTls) out.push('PLAIN');
    return out;
  }

  function fastMechanisms(ctx: SaslContext): FastMechanism[] {
    if (!deps.fast || deps.fast.lifetimeMs <= 0 || !ctx.tls) return [];
    return FAST_MECHANISMS.filter((m) => {
      const type = FAST_BINDING[m];
      return !type || !!ctx.channelBinding?.[type]?.length;
    });
  }

  interface Run {
    step(message: string): Promise<SaslStep>;
    /** Mechanisms whose message is not text (HT's HMAC): the bytes as sent. */
    stepBytes?(message: Buffer): Promise<SaslStep>;
    /** Settles a throttle attempt still in flight (refunded: no password was guessed). */
    abort(): void;
  }

  function plainExchange(ctx: SaslContext): Run {
    const step = async (message: string): Promise<SaslStep> => {
      const m = parsePlain(message);
      if ('error' in m) return fail('malformed-request', m.error);
      let name: string;
      try {
        name = normalizeUsername(m.authcid);
        if (m.authzid !== '' && normalizeUsername(m.authzid) !== name)
          return fail('invalid-authzid', 'you may only authorize as yourself');
      } catch {
        if (m.authzid !== '' && m.authzid !== m.authcid)
          return fail('invalid-authzid', 'you may only authorize as yourself');
        return fail('not-authorized', 'wrong username or password');
      }
      try {
        const auth = await deps.accounts.verify({
          username: name,
          password: m.password,
          device: deviceName(ctx.device, 'SASL'),
          address: ctx.address,
        });
        return { success: { user: auth.user, auth } };
      } catch (err) {
        const t = throttled(err);
        if (t) return t;
        if (err instanceof ParleyError)
          // invalid-credentials, account-disabled, bad-request (an over-long password):
          // all one answer, as for a wrong password.
          return fail('not-authorized', 'wrong username or password');
        throw err;
      }
    };
    // verify() settles its own attempt.
    return { step, abort: () => {} };
  }

  function scramExchange(mechanism: ScramMechanism, plus: boolean, ctx: SaslContext): Run {
    const h = scramHash(mechanism);
    const device = deviceName(ctx.device, mechanism);
    const offersPlus = mechanisms(ctx).some((m) => m.endsWith('-PLUS'));
    let first:
      | {
          userId: string | undefined;
          name: string;
          storedKey: Buffer | undefined;
          bare: string;
          gs2Header: string;
          cbData: Buffer;
          nonce: string;
          serverFirst: string;
          attempt: LoginAttempt;
        }
      | undefined;

    async function onFirst(message: string): Promise<SaslStep> {
      const m = parseClientFirst(message);
      if (wasBad(m)) return fail('malformed-request', m.text, { scramError: m.error });
      // RFC 5802 section 6: the gs2 flag against what the server offers.
      let cbData: Buffer = Buffer.alloc(0);
      if (plus) {
        if (m.flag.kind !== 'p')
          return fail('malformed-request', `${mechanism}-PLUS needs channel binding (p=...)`);
        // Only the two types by name: cbName is the client's ("constructor" is no type).
        const type = CHANNEL_BINDINGS.find((t) => t === (m.flag as { cbName: string }).cbName);
        const data = ctx.tls && type ? ctx.channelBinding?.[type] : undefined;
        if (!Buffer.isBuffer(data) || !data.length)
          return fail('malformed-request', `channel binding ${m.flag.cbName} is not available`, {
            scramError: 'unsupported-channel-binding-type',
          });
        cbData = data;
      } else if (m.flag.kind === 'p') {
        return fail('malformed-request', `channel binding needs ${mechanism}-PLUS`, {
          scramError: 'channel-binding-not-supported',
        });
      } else if (m.flag.kind === 'y' && offersPlus) {
        // The client could bind but believes the server cannot: the -PLUS
        // mechanisms were stripped on the way (a downgrade).
        return fail('not-authorized', 'channel binding was offered (possible downgrade attack)', {
          scramError: 'server-does-support-channel-binding',
        });
      }
      let name: string;
      try {
        name = normalizeUsername(m.username);
      } catch {
        return fail('not-authorized', 'wrong username or password');
      }
      if (m.authzid !== '') {
        let az: string | undefined;
        try {
          az = normalizeUsername(m.authzid);
        } catch {
          az = undefined;
        }
        if (az !== name) return fail('invalid-authzid', 'you may only authorize as yourself');
      }
      let attempt: LoginAttempt;
      try {
        attempt = throttle.begin(name, ctx.address);
      } catch (err) {
        const t = throttled(err);
        if (t) return t;
        throw err;
      }
      let salt: Buffer;
      let count: number;
      let storedKey: Buffer | undefined;
      let userId: string | undefined;
      try {
        const user = await store.userByUsername(name);
        const cred = user
          ? (await store.scramCredentials(user.id)).find((c) => c.mechanism === mechanism)
          : undefined;
        if (user && cred) {
          salt = cred.salt;
          count = cred.iterations;
          storedKey = cred.storedKey;
          userId = user.id;
        } else {
          // The same answer every time for a name, and different for each name.
          salt = hmac(
            { name: 'sha256', size: 32 },
            await fakeSaltKey(),
            `${mechanism}\0${name}`,
          ).subarray(0, SALT_BYTES);
          count = iterations;
        }
      } catch (err) {
        attempt.refund();
        const t = throttled(err);
        if (t) return t;
        throw err;
      }
      const nonce = m.nonce + (deps.serverNonce?.() ?? randomBytes(18).toString('base64'));
      const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${count}`;
      first = {
        userId,
        name,
        storedKey,
        bare: m.bare,
        gs2Header: m.gs2Header,
        cbData,
        nonce,
        serverFirst,
        attempt,
      };
      return { challenge: Buffer.from(serverFirst) };
    }

    async function onFinal(message: string): Promise<SaslStep> {
      const f = first!;
      const m = parseClientFinal(message);
      // Nothing below but the proof check guesses a password: those failures are refunded.
      if (wasBad(m)) {
        f.attempt.refund();
        return scramFail('malformed-request', m.error, m.text);
      }
      const expected = Buffer.concat([Buffer.from(f.gs2Header), f.cbData]);
      if (!sameBytes(m.channelBinding, expected)) {
        f.attempt.refund();
        return scramFail(
          'not-authorized',
          'channel-bindings-dont-match',
          'the channel binding differs from the gs2 header and this connection',
        );
      }
      if (m.nonce !== f.nonce) {
        f.attempt.refund();
        return scramFail('malformed-request', 'other-error', 'the nonce is not this exchange');
      }
      const authMessage = `${f.bare},${f.serverFirst},${m.withoutProof}`;
      let current: Awaited<ReturnType<AccountStore['userById']>>;
      let cred: ScramCredential | undefined;
      try {
        // Read again: deleted, disabled or a new password since the first message.
        current = f.userId ? await store.userById(f.userId) : undefined;
        cred = current
          ? (await store.scramCredentials(current.id)).find((c) => c.mechanism === mechanism)
          : undefined;
        if (cred && !(f.storedKey && sameBytes(cred.storedKey, f.storedKey))) cred = undefined;
      } catch (err) {
        f.attempt.refund();
        const t = throttled(err);
        if (t) return t;
        throw err;
      }
      // The same work whether or not there is a key to check against.
      const ok = proofMatches(h, cred?.storedKey ?? Buffer.alloc(h.size), authMessage, m.proof);
      if (!ok || !cred || !current) {
        f.attempt.failed();
        return scramFail('not-authorized', 'invalid-proof', 'wrong username or password');
      }
      f.attempt.refund();
      // The right password of a disabled account: refused in the same words (as
      // `verify` answers PLAIN), not counted as a guess (as `login` does).
      if (current.disabled)
        return scramFail('not-authorized', 'invalid-proof', 'wrong username or password');
      throttle.succeeded(f.name, ctx.address);
      const auth = scopedAuth(current, device, ctx.address, now());
      const v = serverSignature(h, cred.serverKey, authMessage).toString('base64');
      return { success: { user: auth.user, auth, serverFinal: Buffer.from(`v=${v}`) } };
    }

    return {
      step: (message) => (first ? onFinal(message) : onFirst(message)),
      abort: () => first?.attempt.refund(),
    };
  }

  return {
    mechanisms,
    fastMechanisms,
    start(mechanism, ctx, fast) {
      const offered = (mechanisms(ctx) as string[]).includes(mechanism);
      let run: Run | undefined;
      const ht = fastMechanisms(ctx).find((m) => m === mechanism);
      if (ht && fast && deps.fast) {
        const stepBytes = htStep(deps.fast, ht, ctx, fast);
        run = { step: () => Promise.reject(new Error('HT reads bytes')), stepBytes, abort() {} };
      } else if (offered && mechanism === 'PLAIN') run = plainExchange(ctx);
      else if (offered) {
        const plus = mechanism.endsWith('-PLUS');
        const base = (plus ? mechanism.slice(0, -5) : mechanism) as ScramMechanism;
        run = scramExchange(base, plus, ctx);
      }
      let state: 'ready' | 'busy' | 'done' = 'ready';
      const aborted = () => run?.abort();
      const exchange: SaslExchange = {
        mechanism,
        async step(bytes) {
          if (state !== 'ready')
            return fail(
              'malformed-request',
              state === 'busy' ? 'one step at a time' : 'the exchange is over',
            );
          if (!run) {
            state = 'done';
            if (mechanism === 'PLAIN' && !ctx.tls && !ctx.plainWithoutTls)
              return fail('encryption-required', 'PLAIN needs an encrypted connection');
            return fail('invalid-mechanism', `${mechanism.slice(0, 40)} is not offered here`);
          }
          if (bytes.length > MAX_SASL_MESSAGE) {
            state = 'done';
            aborted();
            return fail('malformed-request', `a SASL message is at most ${MAX_SASL_MESSAGE} bytes`);
          }
          if (run.stepBytes) {
            state = 'busy';
            try {
              const r = await run.stepBytes(bytes);
              state = 'challenge' in r ? 'ready' : 'done';
              return r;
            } catch (err) {
              state = 'done';
              throw err;
            }
          }
          const text = decodeUtf8(bytes);
          if (text === undefined) {
            state = 'done';
            aborted();
            return fail('malformed-request', 'the message is not UTF-8', {
              scramError: 'invalid-encoding',
            });
          }
          state = 'busy';
          try {
            const r = await run.step(text);
            state = 'challenge' in r ? 'ready' : 'done';
            return r;
          } catch (err) {
            state = 'done';
            aborted();
            throw err;
          }
        },
        abort() {
          if (state === 'done') return;
          state = 'done';
          aborted();
        },
      };
      return exchange;
    },
  };
}
