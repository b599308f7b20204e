/**
 * The bus is a doorbell between nodes, never the source of truth (DESIGN.md
 * rule 4): a subscriber that misses a message catches up from the store.
 * Implementations: bus/local.ts (one process) and bus/nats.ts (several nodes).
 */
export interface BusSubscription {
  unsubscribe(): void;
}

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
}
