import type { MessageEvent, NoticeEvent } from '../../core/events.js';
import type { SessionRegistry } from '../../core/sessions.js';
import type { MessagePick } from './mapping/events.js';

/**
 * RFC 6121 8.5: which of an account's resources take a new message (or a
 * notice, XMPP `headline`) from someone else. Core stores a message once and
 * hands it to every session of the recipient (deliver by user); XMPP addresses
 * resources, so each stream picks by the route the sending door gave
 * (core/events.ts `MessageRoute`):
 *
 * - to a full JID whose resource is connected (8.5.3.1): that resource only,
 *   whatever its priority; the others see a message as a XEP-0280
 *   `<received>` carbon when they enabled carbons, else not at all;
 * - to a full JID whose resource is not connected (8.5.3.2.1): a `chat`
 *   follows the bare JID rules; a `normal` message or a headline reaches no
 *   resource (a message is still stored: it comes at the next login, and in
 *   the archive);
 * - to a bare JID (8.5.2.1.1): every resource whose priority is not negative.
 *   A resource with a negative priority never gets it live.
 *
 * Only this node's sessions are known here: a resource connected to another
 * node counts as not connected. Nothing else is decided here: blocks, filters
 * and storage were core's.
 */
export function pickMessage(
  me: { userId: string; resource: string; priority: number; carbons: boolean },
  sessions: Pick<SessionRegistry, 'byResource'>,
  e: MessageEvent | NoticeEvent,
): MessagePick {
  const notice = e.name === 'notice';
  if (!notice && (e.change !== 'new' || e.message.sender.id === me.userId)) return 'deliver';
  const to = e.route?.to;
  if (to !== undefined) {
    if (sessions.byResource(me.userId, to) !== undefined)
      return to === me.resource ? 'deliver' : me.carbons && !notice ? 'carbon' : 'skip';
    if (notice || e.route?.single) return 'skip';
  }
  return me.priority < 0 ? 'skip' : 'deliver';
}
