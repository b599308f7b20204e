import { ParleyError } from '../core/errors.js';

/**
 * Whether the database answers, as the driver sees it (docs/operations.md,
 * "When the database goes away"). A query that fails because the connection
 * failed marks the store down; the next one that succeeds, or the probe that
 * runs every second while it is down, marks it up again. `onDown` and `onUp`
 * are told once per outage (main.ts logs and counts them).
 */
export interface StoreHealth {
  /** False from the first connection failure until a query succeeds again. */
  readonly up: boolean;
  /** When the current outage began (ms), or undefined while up. */
  readonly downSince: number | undefined;
  /** A query failed with `err`: a connection failure becomes `unavailable` (thrown by the caller). */
  failed(err: unknown): unknown;
  /**
   * A query that began at `startedAt` (ms) succeeded. One that began before the
   * outage did proves nothing (it may have finished on a connection about to fail).
   */
  succeeded(startedAt?: number): void;
  /** What runs `select 1` while down (set by openStore); stopped by close(). */
  probeWith(probe: () => Promise<void>): void;
  close(): void;
}

export interface StoreHealthEvents {
  /** The first connection failure of an outage. */
  onDown?: (err: unknown) => void;
  /** The database answers again after `seconds` down. */
  onUp?: (seconds: number) => void;
}

/** Node's socket errors that mean "cannot reach the server" (connect, reset, timeouts). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/**
 * SQLSTATEs of a server that is going away or cannot take the session: class 08
 * (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect now),
 * 53300 (too many connections).
 */
function isUnavailableState(code: string): boolean {
  return code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === '53300';
}

/** pg's own words for a connection that ended or never came (it sets no code on them). */
const PG_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'Client was closed and is not queryable',
];

/** True when `err` says the database could not be reached, not that the query was wrong. */
export function isConnectionFailure(err: unknown): boolean {
  if (err instanceof ParleyError) return err.condition === 'unavailable';
  const e = err as { code?: unknown; message?: unknown; errors?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || isUnavailableState(e.code)))
    return true;
  // An AggregateError from net (IPv4 and IPv6 both refused).
  if (Array.isArray(e.errors) && e.errors.length && e.errors.every(isConnectionFailure))
    return true;
  return (
    typeof e.message === 'string' &&
    PG_MESSAGES.some((m) => e.message === m || (e.message as string).startsWith(m))
  );
}

/** What a request that needed the database answers during an outage. */
export function storeUnavailable(cause: unknown): ParleyError {
  const e = new ParleyError('unavailable', 'the database is unavailable; retry in a moment', {
    retryAfter: 1,
  });
  (e as { cause?: unknown }).cause = cause;
  return e;
}

/** The driver's words for what went wrong (a mapped error keeps them as its cause). */
export function storeErrorText(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause;
  const e = err instanceof ParleyError && cause ? cause : err;
  const msg = (e as { message?: unknown })?.message;
  const text = typeof msg === 'string' && msg ? msg : String(e);
  // An AggregateError's own message is empty; its parts say what failed.
  const parts = (e as { errors?: unknown })?.errors;
  if (!msg && Array.isArray(parts) && parts.length) return parts.map(storeErrorText).join('; ');
  return text;
}

export function createStoreHealth(
  events: StoreHealthEvents = {},
  opts: { probeEveryMs?: number } = {},
): StoreHealth {
  let downSince: number | undefined;
  let probe: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const every = opts.probeEveryMs ?? 1000;

  const schedule = () => {
    if (timer || closed || !probe || downSince === undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      // A failure goes through failed() (the pool's query path), success through succeeded().
      void probe!()
        .catch(() => {})
        .finally(schedule);
    }, every);
    timer.unref();
  };

  const health: StoreHealth = {
    get up() {
      return downSince === undefined;
    },
    get downSince() {
      return downSince;
    },
    failed(err) {
      if (!isConnectionFailure(err)) return err;
      if (downSince === undefined) {
        downSince = Date.now();
        events.onDown?.(err);
        schedule();
      }
      return err instanceof ParleyError ? err : storeUnavailable(err);
    },
    succeeded(startedAt = Date.now()) {
      if (downSince === undefined || startedAt < downSince) return;
      const seconds = (Date.now() - downSince) / 1000;
      downSince = undefined;
      events.onUp?.(seconds);
    },
    probeWith(p) {
      probe = p;
      schedule();
    },
    close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
  return health;
}
