import { connect, type NatsConnection, type Subscription } from 'nats';
import type { Bus, BusState, BusSubscription } from '../core/bus.js';

export interface NatsBusOptions {
  url: string;
  name?: string;
  /**
   * The client's other status reports (reconnect attempts, server errors,
   * cluster updates), for a debug log: the outage itself is told by onState.
   */
  onStatus?: (text: string) => void;
}

/**
 * NATS core pub/sub: one subject per user, no JetStream. The bus is only a
 * doorbell; what must survive is already in the store.
 */
export async function createNatsBus(opts: NatsBusOptions): Promise<Bus> {
  const servers = opts.url.split(',').map((s) => s.trim().replace(/^nats:\/\//, ''));
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      name: opts.name ?? 'parley',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: 3000,
    });
  } catch (err) {
    throw new Error(`cannot reach NATS at ${opts.url}: ${(err as Error).message}`);
  }
  let state: BusState = 'up';
  const listeners: ((s: BusState) => void)[] = [];
  const become = (next: BusState) => {
    if (next === state) return;
    state = next;
    for (const fn of listeners) {
      try {
        fn(next);
      } catch {
        // A listener's failure is its own.
      }
    }
  };
  void (async () => {
    for await (const s of nc.status()) {
      // 'reconnect' comes once the client has re-sent its subscriptions (and what it
      // buffered): from then on this node receives again.
      if (s.type === 'disconnect') become('down');
      else if (s.type === 'reconnect') become('up');
      else opts.onStatus?.(`nats ${s.type}${s.data ? ` ${String(s.data)}` : ''}`);
    }
  })().catch(() => {});
  void nc.closed().then(() => become('down'));

  return {
    publish(subject, payload) {
      if (nc.isClosed()) return;
      try {
        nc.publish(subject, payload);
      } catch {
        // Best effort (a doorbell): while close() drains, the client refuses new
        // publications with CONNECTION_DRAINING; the store already has the data.
      }
    },
    subscribe(subject, handler): BusSubscription {
      // A session that registers while the node is shutting down gets no events; that is all.
      if (nc.isClosed() || nc.isDraining()) return { unsubscribe() {} };
      const sub: Subscription = nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) return;
          try {
            handler(msg.data);
          } catch {
            // A subscriber's failure is its own; the bus keeps going.
          }
        },
      });
      return { unsubscribe: () => sub.unsubscribe() };
    },
    async flush() {
      if (!nc.isClosed()) await nc.flush();
    },
    async check() {
      if (nc.isClosed()) throw new Error('NATS connection is closed');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('NATS did not answer within 2 s')), 2000);
      });
      try {
        await Promise.race([nc.flush(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (!nc.isClosed()) await nc.drain();
    },
    onState(fn) {
      listeners.push(fn);
    },
    state: () => state,
  };
}
