/**
 * Who is in a room right now, per session: soft state like presence, shared
 * through the store. Each row names the node it lives on; rows of a node whose
 * heartbeat (the presence `nodes` rows) is too old or gone are not counted and
 * are swept.
 */
export interface OccupantRow {
  roomId: string;
  userId: string;
  nodeId: string;
  connectionId: string;
  resource: string;
  /** When the session entered (ms). */
  since: number;
}

export interface OccupancyStore {
  /** Inserts or refreshes one session's row. */
  enter(row: OccupantRow): Promise<void>;
  /** False when the session was not in the room. */
  leave(roomId: string, nodeId: string, connectionId: string): Promise<boolean>;
  /** Takes one session out of every room; returns the rooms it was in. */
  leaveAll(nodeId: string, connectionId: string): Promise<string[]>;
  /** The room's occupants on live nodes (heartbeat at or after `aliveSince`), oldest first. */
  occupants(roomId: string, aliveSince: number): Promise<OccupantRow[]>;
  /** How many sessions of `userId` are in the room on live nodes. */
  sessionsIn(roomId: string, userId: string, aliveSince: number): Promise<number>;
  /** Deletes rows of dead or unknown nodes; returns each (room, user) that lost a row, once. */
  sweep(aliveSince: number): Promise<{ roomId: string; userId: string }[]>;
  /** Forgets a node's rows (clean shutdown). */
  removeNode(nodeId: string): Promise<void>;
}
