import type { Bus, BusSubscription } from './bus.js';
import type { ParleyEvent } from './events.js';
import type { SessionRegistry } from './sessions.js';

/**
 * Deliver by user, not by connection (DESIGN.md rule 5). The router hands an
 * event to this node's sessions of the user and rings the bus for the other
 * nodes. It stores nothing: whatever must survive is written to the store by
 * the service before it calls deliver().
 */
export interface Router {
  deliver(userId: string, event: ParleyEvent): void;
  /** Runs after an event reaches this node for a user with local sessions. */
  onLocalEvent(fn: (userId: string, event: ParleyEvent) => void): void;
  close(): void;
}

interface Envelope {
  origin: string;
  user: string;
  event: ParleyEvent;
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
  const hooks: ((userId: string, event: ParleyEvent) => void)[] = [];
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  function deliverLocal(userId: string, event: ParleyEvent): void {
    const list = sessions.of(userId);
    if (list.length === 0) return;
    for (const s of [...list]) {
      if (event.exceptSession !== undefined && s.connectionId === event.exceptSession) {
        s.passed?.(event);
        continue;
      }
      s.send(event);
    }
    for (const fn of hooks) fn(userId, event);
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
        deliverLocal(env.user, env.event);
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
      const subject = userSubject(subjectPrefix, userId);
      // Our own subscription would only drop it: serialise it only when another node may listen.
      if (bus.reachesOthers?.(subject) === false) return;
      const env: Envelope = { origin: nodeId, user: userId, event };
      bus.publish(subject, encoder.encode(JSON.stringify(env)));
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
