/**
 * A person's direct conversations by latest activity. Each entry points at the
 * latest message of the conversation that person can see (messages hidden from
 * them by a block or their keyword filters never move it); MessageStore keeps
 * the entries current in the same transaction as the message.
 */
export interface ConversationRow {
  conversationId: string;
  other: { userId: string; username: string; displayName: string };
  /** The `createdAt` of the latest message. */
  lastAt: number;
  last: {
    id: string;
    seq: number;
    senderId: string;
    /** The start of the text (at most PREVIEW_SOURCE characters); '' when deleted. */
    text: string;
    createdAt: number;
    editedAt: number | null;
    deleted: boolean;
  };
  /** The owner's read marker (a conversation seq). */
  read: number;
  /** Messages from the other person after `read` that the owner can see, not deleted. */
  unread: number;
  /** The owner has blocked the other person. */
  blocked: boolean;
}

/** How many characters of a message's text the store hands over for a preview. */
export const PREVIEW_SOURCE = 200;

export interface ConversationStore {
  /**
   * The user's conversations, latest activity first (ties by conversation id,
   * descending), after `before` when given; conversations with deleted accounts
   * are left out.
   */
  list(
    userId: string,
    page: { before?: { at: number; conversationId: string }; limit: number },
  ): Promise<ConversationRow[]>;
}
