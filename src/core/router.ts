import type { Bus, BusSubscription } from './bus.js';
import type { CoreEvent } from './events.js';
import { parseSessionKey, type SessionRegistry, wants } from './sessions.js';

/**
 * Deliver by user, not by connection (DESIGN.md rule 5). The router hands an
 * event to this node's sessions of the user and rings the bus for the other
 * nodes. It stores nothing: whatever must survive is written to the store by
 * the service before it calls deliver().
 */
export interface Router {
  deliver(userId: string, event: CoreEvent): void;
  /**
   * Hands an event to one session of `userId` anywhere in the cluster, by its key
   * (`sessionKey(nodeId, connectionId)`): an XMPP stanza to a full JID, call
   * signalling. Directly when the session is here, else on the user's subject
   * (which every node with a session of the user already listens to) for its
   * node alone. Best effort, like the bus: a session gone meanwhile gets nothing.
   * The session's capabilities do not filter it: the caller chose the session.
   */
  deliverToSession(userId: string, sessionKey: string, event: CoreEvent): void;
  /** Runs after an event reaches this node for a user with local sessions. */
  onLocalEvent(fn: (userId: string, event: CoreEvent) => void): void;
  close(): void;
}

interface Envelope {
  origin: string;
  user: string;
  event: CoreEvent;
  /** For one session only: its node and connection id. */
  to?: { node: string; conn: string };
}

export function userSubject(prefix: string, userId: string): string {
  return `${prefix}.user.${userId}`;
}

export function createRouter(deps: {
  nodeId: string;
  bus: Bus;
  sessions: SessionRegistry;
  subjectPrefix: string;
  onBadEnvelope?: (err: unknown) => void;
}): Router {
  const { nodeId, bus, sessions, subjectPrefix } = deps;
  const subs = new Map<string, BusSubscription>();
  const hooks: ((userId: string, event: CoreEvent) => void)[] = [];
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  function deliverLocal(userId: string, event: CoreEvent): void {
    const list = sessions.of(userId);
    if (list.length === 0) return;
    for (const s of [...list]) {
      // A session that does not want an event (its own, without echo) still counts its position.
      if (wants(s, event)) s.send(event);
      else s.passed?.(event);
    }
    for (const fn of hooks) fn(userId, event);
  }

  function deliverToLocal(userId: string, connectionId: string, event: CoreEvent): void {
    const s = sessions.byConnection(connectionId);
    if (s && s.userId === userId) s.send(event);
  }

  function publish(userId: string, env: Envelope): void {
    const subject = userSubject(subjectPrefix, userId);
    // Our own subscription would only drop it: serialise it only when another node may listen.
    if (bus.reachesOthers?.(subject) === false) return;
    bus.publish(subject, encoder.encode(JSON.stringify(env)));
  }

  sessions.onUserArrived((userId) => {
    if (subs.has(userId)) return;
    subs.set(
      userId,
      bus.subscribe(userSubject(subjectPrefix, userId), (payload) => {
        let env: Envelope;
        try {
          env = JSON.parse(decoder.decode(payload)) as Envelope;
        } catch (err) {
          deps.onBadEnvelope?.(err);
          return;
        }
        if (env.origin === nodeId) return; // already delivered locally
        if (env.to === undefined) deliverLocal(env.user, env.event);
        else if (env.to.node === nodeId) deliverToLocal(env.user, env.to.conn, env.event);
      }),
    );
  });
  sessions.onUserLeft((userId) => {
    subs.get(userId)?.unsubscribe();
    subs.delete(userId);
  });

  return {
    deliver(userId, event) {
      deliverLocal(userId, event);
      publish(userId, { origin: nodeId, user: userId, event });
    },
    deliverToSession(userId, key, event) {
      const target = parseSessionKey(key);
      if (!target) return;
      if (target.nodeId === nodeId) return deliverToLocal(userId, target.connectionId, event);
      publish(userId, {
        origin: nodeId,
        user: userId,
        event,
        to: { node: target.nodeId, conn: target.connectionId },
      });
    },
    onLocalEvent(fn) {
      hooks.push(fn);
    },
    close() {
      for (const s of subs.values()) s.unsubscribe();
      subs.clear();
    },
  };
}
