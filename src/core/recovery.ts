import type { Bus, BusState, BusSubscription } from './bus.js';

/**
 * Catching up after a bus outage (DESIGN.md rule 4: the bus is a doorbell, the
 * store the truth). While a node is cut off from the bus, what other nodes
 * publish never reaches it, and what it publishes never reaches them: the
 * changes are stored, but connected clients are not told. So when the bus
 * comes back, the node
 *
 * 1. re-reads its users' room lists (joins and leaves made elsewhere meanwhile),
 * 2. waits until its subscriptions are active again (a flush),
 * 3. resyncs every session's feed from its positions (core/feed.ts),
 * 4. re-reads the presence its users watch and re-tells them,
 *
 * and announces on `<prefix>.node.back` that it is back: the other nodes do
 * the same, because what this node published while cut off never reached
 * them either (even if their own connection never dropped). A node coming back
 * later than another is covered by its own announcement.
 */
export interface BusRecovery {
  /** Runs the steps now (tests; an operator later); resolves when done. */
  recover(why: string): Promise<void>;
  close(): void;
}

export interface RecoverySteps {
  refreshRooms(): Promise<void>;
  resyncFeeds(): Promise<number>;
  refreshPresence(): Promise<number>;
}

export function backSubject(prefix: string): string {
  return `${prefix}.node.back`;
}

export function createBusRecovery(deps: {
  nodeId: string;
  bus: Bus;
  subjectPrefix: string;
  steps: RecoverySteps;
  /** The bus went down (`at`), or came back after `downMs`. */
  onState?: (state: BusState, downMs: number) => void;
  /** A recovery finished: why, how many sessions were resynced, how long it took. */
  onRecovered?: (r: { why: string; sessions: number; watchers: number; ms: number }) => void;
  onError?: (err: unknown) => void;
  now?: () => number;
}): BusRecovery {
  const { bus } = deps;
  const now = deps.now ?? Date.now;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let closed = false;
  let running: Promise<void> | undefined;
  let again: string | undefined;
  let downSince: number | undefined;

  async function steps(why: string): Promise<void> {
    const started = now();
    await deps.steps.refreshRooms();
    await bus.flush().catch(() => {});
    const sessions = await deps.steps.resyncFeeds();
    const watchers = await deps.steps.refreshPresence();
    deps.onRecovered?.({ why, sessions, watchers, ms: now() - started });
  }

  /** One recovery at a time; one more after it when asked again meanwhile. */
  function recover(why: string): Promise<void> {
    if (closed) return Promise.resolve();
    if (running) {
      again = why;
      return running;
    }
    running = (async () => {
      let reason: string | undefined = why;
      while (reason !== undefined && !closed) {
        again = undefined;
        try {
          await steps(reason);
        } catch (err) {
          deps.onError?.(err);
        }
        reason = again;
      }
    })().finally(() => (running = undefined));
    return running;
  }

  const sub: BusSubscription = bus.subscribe(backSubject(deps.subjectPrefix), (payload) => {
    let origin: unknown;
    try {
      origin = (JSON.parse(decoder.decode(payload)) as { origin?: unknown }).origin;
    } catch (err) {
      deps.onError?.(err);
      return;
    }
    if (origin === deps.nodeId) return;
    void recover(`node ${String(origin)} is back on the bus`);
  });

  bus.onState?.((state) => {
    if (closed) return;
    if (state === 'down') {
      downSince = now();
      deps.onState?.('down', 0);
      return;
    }
    const downMs = downSince === undefined ? 0 : now() - downSince;
    downSince = undefined;
    deps.onState?.('up', downMs);
    bus.publish(
      backSubject(deps.subjectPrefix),
      encoder.encode(JSON.stringify({ origin: deps.nodeId })),
    );
    void recover('the bus is back');
  });

  return {
    recover,
    close() {
      closed = true;
      sub.unsubscribe();
    },
  };
}
