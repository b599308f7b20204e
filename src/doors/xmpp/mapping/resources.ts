import type { PresenceResourceEvent } from '../../../core/events.js';
import type { SessionPresence } from '../../../core/presence/store.js';
import { type Element, xml } from '../codec/element.js';
import { makeJid } from '../codec/jid.js';
import { capsElement, CONTACT_VER } from '../caps.js';
import type { Viewer } from './events.js';

/**
 * Presence per resource (RFC 6121 4), pure: each session of a contact (an XMPP
 * resource, a web device) as `<presence>` from its full JID with its show,
 * status and priority and the caps of what the door translates for it
 * (XEP-0115, caps.ts), or `unavailable` once it is gone or invisible. What
 * core calls `available` has no `<show>`.
 */

/** A session's presence as one resource's `<presence>`; undefined when its name is no resource. */
export function resourcePresence(
  p: Pick<PresenceResourceEvent, 'username' | 'resource' | 'status' | 'priority'> & {
    show: PresenceResourceEvent['show'];
  },
  v: Viewer,
): Element | undefined {
  if (p.username === '') return undefined;
  let from: string;
  try {
    from = makeJid(p.username, v.domain, p.resource).toString();
  } catch {
    return undefined;
  }
  // One's own stream is not told about itself.
  if (from === v.jid) return undefined;
  if (p.show === 'offline') return xml('presence', { type: 'unavailable', from, to: v.jid });
  return xml(
    'presence',
    { from, to: v.jid },
    p.show !== 'available' && xml('show', {}, p.show),
    p.status !== '' && xml('status', {}, p.status),
    p.priority !== 0 && xml('priority', {}, String(p.priority)),
    capsElement(CONTACT_VER),
  );
}

/** Every visible session of a contact, as read from core (`presence.resources`). */
export function resourcePresences(
  username: string,
  list: readonly SessionPresence[],
  v: Viewer,
): Element[] {
  return list.flatMap((r) => resourcePresence({ username, ...r }, v) ?? []);
}
