/**
 * Presence is shared between nodes through the store: each node writes, per
 * user, what its own sessions add up to, and keeps a heartbeat row. Rows of a
 * node whose heartbeat is too old are treated as gone (the node crashed) and
 * swept, so a dead node never leaves people "online".
 */
export type Show = 'available' | 'away' | 'dnd' | 'xa';

export interface NodePresence {
  userId: string;
  nodeId: string;
  show: Show;
  status: string;
  /** When this node's aggregate last changed. */
  since: number;
}

/** One visible session's presence (XMPP per-resource presence). */
export interface SessionPresence {
  /** The session's key in the cluster (`sessionKey`), for `router.deliverToSession`. */
  sessionKey: string;
  resource: string;
  show: Show;
  status: string;
  /** XMPP priority, -128..127; 0 unless the session set one. */
  priority: number;
  since: number;
}

/**
 * The status a person chose for their account: every connection that has not
 * set its own follows it, and it caps what any connection shows (core/presence).
 */
export interface Choice {
  show: Show | 'invisible';
  status: string;
  /** When it was chosen (ms); 0 for the default. */
  at: number;
}

export const DEFAULT_CHOICE: Choice = { show: 'available', status: '', at: 0 };

export interface PresenceStore {
  /** Writes the node's heartbeat; false when its row was missing (new, or swept while it stalled). */
  heartbeat(nodeId: string, at: number): Promise<boolean>;
  /** Forgets a node and its rows (clean shutdown). */
  removeNode(nodeId: string): Promise<void>;
  /** Writes (or with null deletes) one node's aggregate for a user, with its visible sessions. */
  setNodePresence(
    userId: string,
    nodeId: string,
    p: { show: Show; status: string; since: number; resources: SessionPresence[] } | null,
  ): Promise<void>;
  /** The visible sessions of `userId` on nodes whose heartbeat is at or after `aliveSince`. */
  resourcesOf(userId: string, aliveSince: number): Promise<SessionPresence[]>;
  /** Rows for these users on nodes whose heartbeat is at or after `aliveSince`. */
  presenceOf(userIds: readonly string[], aliveSince: number): Promise<NodePresence[]>;
  /** Deletes the rows of nodes whose heartbeat is older than `aliveSince`; returns the users who had any. */
  sweepDeadNodes(aliveSince: number): Promise<string[]>;
  /** Users whose contact row about `userId` says they receive its presence, minus those `userId` blocked. */
  watchersOf(userId: string): Promise<string[]>;
  /** Users whose presence `userId` receives (its rows with subTo), minus those who blocked `userId`. */
  watchedBy(userId: string): Promise<{ userId: string; username: string }[]>;
  setLastSeen(userId: string, at: number): Promise<void>;
  /** The chosen status of these users; those who never chose are left out (DEFAULT_CHOICE). */
  choicesOf(userIds: readonly string[]): Promise<Map<string, Choice>>;
  setChoice(userId: string, choice: Choice): Promise<void>;
  showLastSeen(userId: string): Promise<boolean>;
  setShowLastSeen(userId: string, show: boolean): Promise<void>;
  /** Last-seen times of these users, only for those who allow showing it. */
  lastSeen(userIds: readonly string[]): Promise<Map<string, number>>;
}
