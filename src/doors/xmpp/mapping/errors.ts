import { isParleyError } from '../../../core/errors.js';
import type { StanzaErrorCondition } from '../codec/errors.js';

/**
 * A core error as a stanza error (RFC 6120 8.3.3): the condition and the text
 * the client may show. Anything that is not a ParleyError is an internal error,
 * never described (the caller logs it).
 */
export function stanzaCondition(
  err: unknown,
  kind: 'message' | 'iq' = 'iq',
): { condition: StanzaErrorCondition; text?: string; internal?: true } {
  if (!isParleyError(err)) return { condition: 'internal-server-error', internal: true };
  const text = err.message;
  switch (err.condition) {
    case 'not-found':
      return { condition: 'item-not-found', text };
    case 'forbidden':
    case 'account-disabled':
      return { condition: 'forbidden', text };
    case 'bad-request':
    case 'payload-too-large':
    case 'unsupported-media-type':
      return { condition: kind === 'message' ? 'not-acceptable' : 'bad-request', text };
    case 'conflict':
      return { condition: 'conflict', text };
    case 'rate-limited':
      return { condition: 'resource-constraint', text };
    case 'not-authenticated':
    case 'invalid-credentials':
      return { condition: 'not-authorized', text };
    case 'unavailable':
      return { condition: 'service-unavailable', text: 'try again later' };
    case 'registration-closed':
    case 'invalid-invite':
      return { condition: 'not-allowed', text };
    // Files (XEP-0363 maps them in the XMPP files work: file-too-large and friends).
    case 'too-large':
    case 'unsupported-type':
    case 'infected':
      return { condition: 'not-acceptable', text };
    case 'scanner-unavailable':
      return { condition: 'service-unavailable', text: 'try again later' };
    case 'quota-exceeded':
      return { condition: 'resource-constraint', text };
    // Link previews have no XMPP operation yet; listed so the mapping stays total.
    case 'blocked-address':
    case 'disabled':
      return { condition: 'not-allowed', text };
    case 'not-html':
      return { condition: 'not-acceptable', text };
    case 'timeout':
      return { condition: 'remote-server-timeout', text };
    case 'unreachable':
      return { condition: 'remote-server-not-found', text };
    case 'internal-error':
      return { condition: 'internal-server-error', internal: true };
  }
}
