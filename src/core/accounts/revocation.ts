import type { Router } from '../router.js';
import type { SessionRegistry } from '../sessions.js';

/**
 * A revoked login session (logout, revoke, password change, disable, delete)
 * loses its live connections on whichever node they are: the event travels by
 * user, and each node closes its own matching sessions after delivering it.
 */
export function closeRevokedSessions(router: Router, sessions: SessionRegistry): void {
  router.onLocalEvent((userId, event) => {
    if (event.name !== 'session.revoked') return;
    const ids = event.data.sessionIds;
    if (!Array.isArray(ids)) return;
    for (const s of [...sessions.of(userId)]) if (ids.includes(s.id)) s.close('session revoked');
  });
}
