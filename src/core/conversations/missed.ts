import type { DirectMessage } from '../events.js';
import type { HistoryService } from '../history/service.js';
import type { ConversationService } from './service.js';

/** Conversations and messages per conversation a login catches up on at most. */
export const MISSED_CONVERSATIONS = 50;
export const MISSED_PER_CONVERSATION = 100;

/**
 * The direct messages that reached `userId` while away: past their read marker in
 * each conversation with unread messages (blocked ones left out), oldest first per
 * conversation, deleted ones and their own left out. Doors without a log cursor of
 * their own (IRC, XMPP) send these at login; the markers do not move (reading is
 * the client's to say).
 */
export async function missedDirectMessages(
  deps: { conversations: Pick<ConversationService, 'list'>; history: Pick<HistoryService, 'read'> },
  userId: string,
): Promise<DirectMessage[]> {
  const out: DirectMessage[] = [];
  const { conversations } = await deps.conversations.list(userId, {
    limit: MISSED_CONVERSATIONS,
  });
  for (const conv of conversations) {
    if (conv.unread === 0 || conv.blocked) continue;
    const page = await deps.history.read(
      userId,
      { kind: 'direct', peerId: conv.with.userId },
      { kind: 'after', anchor: { seq: conv.read } },
      MISSED_PER_CONVERSATION,
    );
    for (const m of page.messages)
      if ('recipient' in m && m.sender.id !== userId && m.deletedAt === null) out.push(m);
  }
  return out;
}
