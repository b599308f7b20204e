/**
 * Error conditions are part of the protocol: every door maps a condition to its
 * own wire form (a JSON error, an IRC numeric, an XMPP stanza error). Adding a
 * condition means documenting it in docs/protocol.md.
 */
export const CONDITIONS = {
  'bad-request': 400,
  'not-authenticated': 401,
  'invalid-credentials': 401,
  forbidden: 403,
  'account-disabled': 403,
  'registration-closed': 403,
  'invalid-invite': 403,
  'not-found': 404,
  conflict: 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  'internal-error': 500,
  unavailable: 503,
} as const;

export type Condition = keyof typeof CONDITIONS;

export class ParleyError extends Error {
  readonly condition: Condition;
  /** Seconds the client should wait before retrying (for `rate-limited`). */
  readonly retryAfter?: number;
  /** The request field the error is about, when there is one. */
  readonly field?: string;

  constructor(
    condition: Condition,
    text: string,
    extra: { retryAfter?: number; field?: string } = {},
  ) {
    super(text);
    this.name = 'ParleyError';
    this.condition = condition;
    if (extra.retryAfter !== undefined) this.retryAfter = extra.retryAfter;
    if (extra.field !== undefined) this.field = extra.field;
  }

  get status(): number {
    return CONDITIONS[this.condition];
  }
}

export function isParleyError(e: unknown): e is ParleyError {
  return e instanceof ParleyError;
}
