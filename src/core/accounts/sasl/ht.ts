import { ParleyError } from '../../errors.js';
import { FAST_BINDING, type FastMechanism, type FastTokenService } from '../tokens.js';
import type { SaslContext, SaslStep } from './service.js';

/**
 * The HT mechanisms (draft-schmaus-kitten-sasl-ht, as XEP-0484 uses them): one
 * client message `authcid NUL HMAC(token, "Initiator" || cb-data)`, answered by
 * success with `HMAC(token, "Responder" || cb-data)` as additional data, or a
 * failure. The token check (throttle, expiry, replay counter) is core's
 * `FastTokenService`; this only parses and picks the channel binding.
 */

/** What the client said about its token besides the SASL message (XEP-0484 <fast>). */
export interface FastRequest {
  /** The SASL2 <user-agent id>: tokens are bound to it. */
  clientId: string;
  count?: number;
  invalidate: boolean;
}

export function htStep(
  fast: FastTokenService,
  mechanism: FastMechanism,
  ctx: SaslContext,
  req: FastRequest,
): (message: Buffer) => Promise<SaslStep> {
  return async (message) => {
    const nul = message.indexOf(0);
    if (nul <= 0 || nul === message.length - 1)
      return fail('malformed-request', 'an HT message is authcid NUL hashed-token');
    const authcid = message.subarray(0, nul).toString('utf8');
    const type = FAST_BINDING[mechanism];
    const cbData = type ? ctx.channelBinding?.[type] : Buffer.alloc(0);
    if (!cbData || (type && !cbData.length))
      return fail('malformed-request', `${mechanism} needs channel binding this connection lacks`);
    let r;
    try {
      r = await fast.check({
        username: authcid,
        clientId: req.clientId,
        mechanism,
        initiator: message.subarray(nul + 1),
        cbData,
        ...(req.count !== undefined ? { count: req.count } : {}),
        invalidate: req.invalidate,
        address: ctx.address,
      });
    } catch (err) {
      if (
        err instanceof ParleyError &&
        (err.condition === 'rate-limited' || err.condition === 'unavailable')
      )
        return {
          failure: {
            reason: 'temporary-auth-failure',
            text: err.condition === 'unavailable' ? 'try again later' : err.message,
            retryAfter: err.retryAfter ?? 1,
          },
        };
      throw err;
    }
    if (!r.ok) return fail(r.reason, r.text);
    return {
      success: {
        user: r.auth.user,
        auth: r.auth,
        serverFinal: r.responder,
        fast: { rotate: r.rotate },
      },
    };
  };
}

function fail(
  reason: 'malformed-request' | 'not-authorized' | 'credentials-expired',
  text: string,
): SaslStep {
  return { failure: { reason, text } };
}
