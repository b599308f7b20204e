import { ParleyApiError } from '../../../src/sdk/index.js';
import { waitFor } from '../lib/reltime.js';

/** A sentence for the user from whatever went wrong. */
export function describe(err: unknown): string {
  if (err instanceof ParleyApiError) {
    if (err.condition === 'unavailable') return 'Cannot reach the server. Try again in a moment.';
    if (err.condition === 'rate-limited')
      return err.retryAfter
        ? `Too many attempts. Try again in ${waitFor(err.retryAfter)}.`
        : 'Too many attempts. Wait a few seconds and try again.';
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** True when the token is no longer valid: the user must sign in again. */
export function isSignedOut(err: unknown): boolean {
  return (
    err instanceof ParleyApiError &&
    (err.condition === 'not-authenticated' || err.condition === 'account-disabled')
  );
}
