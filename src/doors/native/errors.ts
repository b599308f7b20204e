import { type Condition, isParleyError } from '../../core/errors.js';

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
