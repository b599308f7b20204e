/**
 * The bus is a doorbell between nodes, never the source of truth (DESIGN.md
 * rule 4): a subscriber that misses a message catches up from the store.
 * Implementations: bus/local.ts (one process) and bus/nats.ts (several nodes).
 */
export interface BusSubscription {
  unsubscribe(): void;
}

/**
 * Whether the bus can currently carry messages between nodes. `down`: this node
 * lost its bus server, so what other nodes publish meanwhile never reaches it
 * (and what it publishes never reaches them); `up`: it is back, its
 * subscriptions active again.
 */
export type BusState = 'up' | 'down';

export interface Bus {
  /** Publish bytes on a subject. Fire-and-forget; delivery is best effort. */
  publish(subject: string, payload: Uint8Array): void;
  /**
   * False only when no other node can be listening on `subject` (so a publisher
   * may skip building the payload); a bus that cannot tell leaves it out.
   */
  reachesOthers?(subject: string): boolean;
  /** Receive what is published on `subject` from now on (exact subjects, no wildcards). */
  subscribe(subject: string, handler: (payload: Uint8Array) => void): BusSubscription;
  /** Resolves once everything published so far has left this process. */
  flush(): Promise<void>;
  /** Throws when the bus cannot currently deliver (used by /readyz and doctor). */
  check(): Promise<void>;
  close(): Promise<void>;
  /**
   * Tells `fn` each time the connection goes down or comes back (never twice
   * the same state in a row). A bus that cannot lose messages (local.ts) leaves
   * it out: with it, core knows live events may have been missed (core/recovery.ts).
   */
  onState?(fn: (state: BusState) => void): void;
  /** The current state, at once (for /readyz and metrics); absent means always up. */
  state?(): BusState;
}
