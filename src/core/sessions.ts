import type { ParleyEvent } from './events.js';

/**
 * A Session is one connected client on this node, whatever the door.
 * Doors implement it; core only ever sees this interface.
 */
export interface Session {
  readonly id: string; // the login session (token) id; several sockets may share one
  readonly connectionId: string;
  readonly userId: string;
  readonly door: string; // 'ws', 'irc', 'xmpp'...
  /** Hand an event to the client. Must not throw and must not block. */
  send(event: ParleyEvent): void;
  /**
   * An event for this user that this session is not sent because it made the
   * change itself (`exceptSession`: its reply says so). A feed counts it as
   * delivered (core/feed.ts), so it is not taken for a gap.
   */
  passed?(event: ParleyEvent): void;
  /** End the connection with a reason the client can show. */
  close(reason: string): void;
}

export interface SessionRegistry {
  add(session: Session): void;
  remove(session: Session): void;
  of(userId: string): readonly Session[];
  all(): Iterable<Session>;
  count(): number;
  /** Called when a user gets their first session on this node, and when they lose the last. */
  onUserArrived(fn: (userId: string) => void): void;
  onUserLeft(fn: (userId: string) => void): void;
  /** Called for every session added and removed (after the per-user hooks on arrival, before them on leaving). */
  onSessionAdded(fn: (session: Session) => void): void;
  onSessionRemoved(fn: (session: Session) => void): void;
}

export function createSessionRegistry(): SessionRegistry {
  const byUser = new Map<string, Session[]>();
  const arrived: ((userId: string) => void)[] = [];
  const left: ((userId: string) => void)[] = [];
  const added: ((s: Session) => void)[] = [];
  const removed: ((s: Session) => void)[] = [];
  let total = 0;
  return {
    add(session) {
      const list = byUser.get(session.userId);
      if (list) {
        if (list.includes(session)) return;
        list.push(session);
      } else {
        byUser.set(session.userId, [session]);
        for (const fn of arrived) fn(session.userId);
      }
      total++;
      for (const fn of added) fn(session);
    },
    remove(session) {
      const list = byUser.get(session.userId);
      if (!list) return;
      const i = list.indexOf(session);
      if (i < 0) return;
      list.splice(i, 1);
      total--;
      for (const fn of removed) fn(session);
      if (list.length === 0) {
        byUser.delete(session.userId);
        for (const fn of left) fn(session.userId);
      }
    },
    of(userId) {
      return byUser.get(userId) ?? [];
    },
    *all() {
      for (const list of byUser.values()) yield* list;
    },
    count() {
      return total;
    },
    onUserArrived(fn) {
      arrived.push(fn);
    },
    onUserLeft(fn) {
      left.push(fn);
    },
    onSessionAdded(fn) {
      added.push(fn);
    },
    onSessionRemoved(fn) {
      removed.push(fn);
    },
  };
}
