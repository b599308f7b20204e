/**
 * Error conditions are part of the protocol: every door maps a condition to its
 * own wire form (a JSON error, an IRC numeric, an XMPP stanza error). Adding a
 * condition means documenting it in docs/protocol.md.
 */
export const CONDITIONS = [
  'bad-request',
  'not-authenticated',
  'invalid-credentials',
  'forbidden',
  'account-disabled',
  'registration-closed',
  'invalid-invite',
  'not-found',
  'conflict',
  'payload-too-large',
  'unsupported-media-type',
  'rate-limited',
  'internal-error',
  'unavailable',
  // Files (core/files): a file over files.max_file_bytes (or an image over the pixel
  // limit), past the user's quota, or of a type the operator does not accept.
  'too-large',
  'quota-exceeded',
  'unsupported-type',
  // Virus scanning (files.clamav): the upload carries a known signature; or the scanner
  // cannot be reached, so nothing is accepted unscanned.
  'infected',
  'scanner-unavailable',
  // Link previews (core/previews): the URL (or a redirect) leads to an address the server
  // will not fetch, the page is not HTML, it did not answer in time or at all, or previews
  // are switched off (by the operator, or by the person for themselves).
  'blocked-address',
  'not-html',
  'timeout',
  'unreachable',
  'disabled',
] as const;

export type Condition = (typeof CONDITIONS)[number];

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
}

export function isParleyError(e: unknown): e is ParleyError {
  return e instanceof ParleyError;
}
