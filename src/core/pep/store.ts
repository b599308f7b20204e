/**
 * Personal eventing nodes (XMPP PEP, XEP-0163) an account publishes to: one row
 * per node, holding its access model and its last item (PEP keeps one). The
 * payload is opaque to core: the door's serialized XML.
 */
export type PepAccess = 'presence' | 'open' | 'whitelist';

export interface PepNode {
  userId: string;
  node: string;
  access: PepAccess;
  /** The last item, or null once it was retracted (the node stays). */
  itemId: string | null;
  payload: string | null;
  updatedAt: number;
}

export interface PepStore {
  node(userId: string, node: string): Promise<PepNode | undefined>;
  /** The account's nodes, by name, at most `limit`. */
  nodes(userId: string, limit: number): Promise<PepNode[]>;
  /**
   * Writes the node (its access and item), unless that would make more than
   * `maxNodes` nodes for the user (a node already there is always replaced):
   * false, and nothing written.
   */
  put(n: PepNode, maxNodes: number): Promise<boolean>;
  /** False when there was no such node. */
  remove(userId: string, node: string): Promise<boolean>;
}
