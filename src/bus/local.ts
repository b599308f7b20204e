import type { Bus, BusSubscription } from '../core/bus.js';

/**
 * In-process bus. One hub may be shared by several nodes in the same process
 * (tests do this); a lone node gets a hub of its own. Delivery is
 * asynchronous, like a real bus, so no caller relies on a synchronous echo.
 */
export interface LocalHub {
  subscribers: Map<string, Set<(payload: Uint8Array) => void>>;
}

export function createLocalHub(): LocalHub {
  return { subscribers: new Map() };
}

export function createLocalBus(hub: LocalHub = createLocalHub()): Bus {
  const mine = new Set<{ subject: string; fn: (p: Uint8Array) => void }>();
  const myHandlers = new Set<(p: Uint8Array) => void>();
  let closed = false;
  let pending = 0;
  let drained: (() => void)[] = [];

  return {
    publish(subject, payload) {
      if (closed) return;
      const set = hub.subscribers.get(subject);
      if (!set || set.size === 0) return;
      pending++;
      queueMicrotask(() => {
        for (const fn of [...set]) {
          try {
            fn(payload);
          } catch {
            // A subscriber's failure is its own; the bus keeps going.
          }
        }
        if (--pending === 0) {
          const waiting = drained;
          drained = [];
          for (const w of waiting) w();
        }
      });
    },
    // A lone node's hub holds only its own subscriptions: nothing to tell anyone else.
    reachesOthers(subject) {
      for (const fn of hub.subscribers.get(subject) ?? []) if (!myHandlers.has(fn)) return true;
      return false;
    },
    subscribe(subject, fn): BusSubscription {
      const entry = { subject, fn };
      mine.add(entry);
      myHandlers.add(fn);
      let set = hub.subscribers.get(subject);
      if (!set) hub.subscribers.set(subject, (set = new Set()));
      set.add(fn);
      return {
        unsubscribe() {
          mine.delete(entry);
          myHandlers.delete(fn);
          const s = hub.subscribers.get(subject);
          s?.delete(fn);
          if (s && s.size === 0) hub.subscribers.delete(subject);
        },
      };
    },
    flush() {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => drained.push(resolve));
    },
    async check() {
      if (closed) throw new Error('local bus is closed');
    },
    async close() {
      closed = true;
      for (const e of mine) {
        const s = hub.subscribers.get(e.subject);
        s?.delete(e.fn);
        if (s && s.size === 0) hub.subscribers.delete(e.subject);
      }
      mine.clear();
      myHandlers.clear();
    },
  };
}
