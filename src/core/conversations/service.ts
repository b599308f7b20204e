import { ParleyError } from '../errors.js';
import { type MessagePreview, messagePreview } from '../messages/preview.js';
import { type ConversationRow, type ConversationStore } from './store.js';

export const CONVERSATIONS_DEFAULT = 50;
export const CONVERSATIONS_MAX = 100;

/** One entry of the conversation list (docs/protocol.md, "Conversations"). */
export interface ConversationView {
  conversationId: string;
  with: { userId: string; username: string; displayName: string | null };
  lastAt: number;
  last: MessagePreview;
  read: number;
  unread: number;
  blocked: boolean;
}

export interface ConversationService {
  list(
    userId: string,
    /** `before`: the `next` of the previous page. */
    q: { before?: string; limit?: number },
  ): Promise<{ conversations: ConversationView[]; next?: string }>;
}

// A `next` value: the latest activity time and the conversation id, both as the server wrote them.
const CURSOR = /^(\d{1,15})\.(dm:[0-9a-z]{26}:[0-9a-z]{26})$/;

function view(r: ConversationRow, me: { id: string; username: string }): ConversationView {
  const mine = r.last.senderId === me.id;
  return {
    conversationId: r.conversationId,
    with: {
      userId: r.other.userId,
      username: r.other.username,
      displayName: r.other.displayName || null,
    },
    lastAt: r.lastAt,
    last: messagePreview(
      r.last,
      mine
        ? { userId: me.id, username: me.username }
        : { userId: r.other.userId, username: r.other.username },
    ),
    read: r.read,
    unread: r.unread,
    blocked: r.blocked,
  };
}

/** The list of a user's direct conversations, latest activity first, paged by `next`. */
export function createConversationService(deps: {
  store: ConversationStore;
  usernameOf(id: string): Promise<string | undefined>;
}): ConversationService {
  return {
    async list(userId, q) {
      let limit = CONVERSATIONS_DEFAULT;
      if (q.limit !== undefined) {
        if (!Number.isSafeInteger(q.limit) || q.limit < 1 || q.limit > CONVERSATIONS_MAX)
          throw new ParleyError(
            'bad-request',
            `limit must be a whole number from 1 to ${CONVERSATIONS_MAX}`,
            { field: 'limit' },
          );
        limit = q.limit;
      }
      const page: { before?: { at: number; conversationId: string }; limit: number } = {
        limit: limit + 1,
      };
      if (q.before !== undefined) {
        const m = CURSOR.exec(q.before);
        if (!m)
          throw new ParleyError(
            'bad-request',
            'before must be a `next` value from an earlier page',
            { field: 'before' },
          );
        page.before = { at: Number(m[1]), conversationId: m[2]! };
      }
      const rows = await deps.store.list(userId, page);
      const me = { id: userId, username: (await deps.usernameOf(userId)) ?? '' };
      const list = rows.slice(0, limit);
      const conversations = list.map((r) => view(r, me));
      const last = list[list.length - 1];
      return rows.length > limit && last
        ? { conversations, next: `${last.lastAt}.${last.conversationId}` }
        : { conversations };
    },
  };
}
