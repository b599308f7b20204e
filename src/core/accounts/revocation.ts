import type { SessionRevokedEvent } from '../events.js';
import type { Router } from '../router.js';
import { type Session, type SessionRegistry, wants } from '../sessions.js';
import { ALL_SCOPED, SCOPED_REVOKED } from './service.js';
import type { AccountStore } from './store.js';

/**
 * A revoked login session (logout, revoke, password change, disable, delete)
 * loses its live connections on whichever node they are: the event travels by
 * user, and each node closes its own matching sessions after delivering it.
 */
export function closeRevokedSessions(router: Router, sessions: SessionRegistry): void {
  router.onLocalEvent((userId, event) => {
    if (event.name === END_DOOR_SESSIONS) {
      const { door, reason } = event as { door?: unknown; reason?: unknown };
      for (const s of [...sessions.of(userId)])
        if (s.door === door) s.close(typeof reason === 'string' ? reason : 'ended');
      return;
    }
    if (event.name === SCOPED_REVOKED) {
      const except = event.except;
      for (const s of [...sessions.of(userId)])
        if (s.scoped && s.id !== except) s.close('session revoked');
      return;
    }
    if (event.name !== 'session.revoked') return;
    const ids = event.sessionIds;
    if (!Array.isArray(ids)) return;
    for (const s of [...sessions.of(userId)]) if (ids.includes(s.id)) s.close('session revoked');
  });
}

const END_DOOR_SESSIONS = 'core.door.sessions.end';

/**
 * Ends every live session `userId` has through one door, on every node (an IRC
 * operator's KILL): the login stays valid and the other doors' sessions stay; the
 * person may come back. The event travels by user like a revocation.
 */
export function endDoorSessions(router: Router, userId: string, door: string, reason: string) {
  router.deliver(userId, { name: END_DOOR_SESSIONS, door, reason });
}

export interface RevocationWatch {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Operator commands (`parley user disable|delete|passwd`) run in a process of
 * their own, which the in-process bus cannot reach: they note each revocation in
 * the store, and every node polls for recent ones (one indexed read, skipped while
 * the node has no sessions) and tells and closes its own connections, as the bus
 * event would have. The store is the one channel every deployment has; with NATS
 * the bus event usually arrives first and this finds nothing left to close.
 */
export function watchRevocations(deps: {
  store: AccountStore;
  sessions: SessionRegistry;
  everyMs: number;
  /** How far back each poll looks, by the database's clock; longer than any poll can be late. */
  windowMs: number;
  onError: (err: unknown) => void;
}): RevocationWatch {
  const { store, sessions } = deps;
  /** Revocation id -> when this node first saw it (its own clock), forgotten after the window. */
  const seen = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  function revokeHere(userId: string, noted: string[]): void {
    const scoped = noted.includes(ALL_SCOPED);
    const ids = noted.filter((id) => id !== ALL_SCOPED);
    const ends = (s: Session) => ids.includes(s.id) || (scoped && s.scoped === true);
    const local = sessions.of(userId);
    if (!local.some(ends)) return; // closed already (by the bus event)
    if (ids.length) {
      const e: SessionRevokedEvent = { name: 'session.revoked', sessionIds: ids };
      for (const s of [...local]) if (wants(s, e)) s.send(e);
    }
    for (const s of [...sessions.of(userId)]) if (ends(s)) s.close('session revoked');
  }

  async function poll(): Promise<void> {
    const now = Date.now();
    for (const [id, at] of seen) if (at < now - deps.windowMs * 2) seen.delete(id);
    if (sessions.count() === 0) return;
    for (const r of await store.recentRevocations(deps.windowMs, 1000)) {
      if (seen.has(r.id)) continue;
      seen.set(r.id, now);
      revokeHere(r.userId, r.sessionIds);
    }
  }

  function schedule(): void {
    timer = setTimeout(() => {
      running = poll()
        .catch(deps.onError)
        .finally(() => {
          running = undefined;
          if (timer) schedule();
        });
    }, deps.everyMs);
    timer.unref();
  }

  return {
    start() {
      if (!timer) schedule();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
