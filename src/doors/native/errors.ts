import { type Condition, isParleyError } from '../../core/errors.js';

/** Each condition's HTTP status (REST answers; docs/protocol.md, "Errors"). */
export const HTTP_STATUS: Readonly<Record<Condition, number>> = {
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
  'too-large': 413,
  'quota-exceeded': 413,
  'unsupported-type': 415,
  infected: 422,
  'scanner-unavailable': 503,
  'blocked-address': 403,
  'not-html': 415,
  timeout: 504,
  unreachable: 502,
  disabled: 403,
};

export interface WireError {
  condition: Condition;
  text: string;
  field?: string;
  retryAfter?: number;
}

/** Any thrown value as the protocol's error object; internals never leak. */
export function toWireError(err: unknown): WireError {
  if (isParleyError(err)) {
    const w: WireError = { condition: err.condition, text: err.message };
    if (err.field !== undefined) w.field = err.field;
    if (err.retryAfter !== undefined) w.retryAfter = err.retryAfter;
    return w;
  }
  return { condition: 'internal-error', text: 'the server failed to handle this request' };
}
