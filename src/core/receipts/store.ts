/** How far one user has received and read one conversation (conversation seq numbers). */
export interface Marker {
  userId: string;
  conversationId: string;
  delivered: number;
  read: number;
  updatedAt: number;
}

/** Bounds of `MarkerStore.unseen`: a walk over this many positions, this many seqs told. */
export const UNSEEN_WINDOW = 5000;
export const MAX_UNSEEN = 200;

export interface MarkerStore {
  /**
   * Moves the user's markers forward (never back: a marker below the stored one
   * is ignored) and returns the result, in one transaction.
   */
  advance(
    userId: string,
    conversationId: string,
    to: { delivered?: number; read?: number },
    at: number,
  ): Promise<{ marker: Marker; changed: boolean; before: { delivered: number; read: number } }>;
  /**
   * Seqs of the messages to `readerId` in (`after`, `upTo`] they could not see (the
   * sender was blocked, or keyword filters hold or cleared them), oldest first: at most
   * MAX_UNSEEN, the newest, within UNSEEN_WINDOW positions below `upTo`.
   */
  unseen(readerId: string, conversationId: string, after: number, upTo: number): Promise<number[]>;
  markers(userId: string, conversationIds: readonly string[]): Promise<Marker[]>;
  /** The highest seq in the conversation among messages `userId` may see (0 for none). */
  visibleHead(userId: string, conversationId: string): Promise<number>;
  /** Messages in the conversation after `afterSeq` that `userId` did not send and may see. */
  unreadCount(userId: string, conversationId: string, afterSeq: number): Promise<number>;
  sendReceipts(userId: string): Promise<boolean>;
  setSendReceipts(userId: string, on: boolean): Promise<void>;
}
