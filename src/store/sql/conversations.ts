import { type Kysely, sql } from 'kysely';
import {
  PREVIEW_SOURCE,
  type ConversationRow,
  type ConversationStore,
} from '../../core/conversations/store.js';
import type { Database } from './tables.js';

/**
 * One statement per page: the entries come off the (user_id, last_at,
 * conversation_id) index in order; the latest message, the other person, the
 * read marker and the block are joined by key; the unread count is a range of
 * the (conversation_id, seq) index above the marker. Nothing is read per row.
 */
export function createSqlConversationStore(db: Kysely<Database>): ConversationStore {
  return {
    async list(userId, page) {
      let q = db
        .selectFrom('conversations as t')
        .innerJoin('users as u', 'u.id', 't.other_id')
        .innerJoin('messages as m', (j) =>
          j.onRef('m.conversation_id', '=', 't.conversation_id').onRef('m.seq', '=', 't.last_seq'),
        )
        .leftJoin('profiles as p', 'p.user_id', 't.other_id')
        .leftJoin('markers as k', (j) =>
          j
            .onRef('k.user_id', '=', 't.user_id')
            .onRef('k.conversation_id', '=', 't.conversation_id'),
        )
        .leftJoin('blocks as b', (j) =>
          j.onRef('b.owner_id', '=', 't.user_id').onRef('b.blocked_id', '=', 't.other_id'),
        )
        .select([
          't.conversation_id',
          't.other_id',
          't.last_at',
          'u.username',
          'p.display_name',
          'm.id',
          'm.seq',
          'm.sender_id',
          'm.created_at',
          'm.edited_at',
          'm.deleted_at',
          'b.owner_id as blocked_by',
        ])
        .select(sql<string>`substr(m.body, 1, ${PREVIEW_SOURCE})`.as('preview'))
        .select(sql<number>`coalesce(k.read, 0)`.as('read'))
        .select((eb) =>
          eb
            .selectFrom('messages as x')
            .select(sql<number>`count(*)`.as('n'))
            .whereRef('x.conversation_id', '=', 't.conversation_id')
            .where('x.seq', '>', sql<number>`coalesce(k.read, 0)`)
            .where('x.recipient_id', '=', userId)
            .where('x.visible_to_recipient', '=', 1)
            .where('x.filtered', '=', 0)
            .where('x.deleted_at', 'is', null)
            .as('unread'),
        )
        .where('t.user_id', '=', userId)
        .orderBy('t.last_at', 'desc')
        .orderBy('t.conversation_id', 'desc')
        .limit(page.limit);
      const before = page.before;
      if (before)
        q = q.where((eb) =>
          eb.or([
            eb('t.last_at', '<', before.at),
            eb.and([
              eb('t.last_at', '=', before.at),
              eb('t.conversation_id', '<', before.conversationId),
            ]),
          ]),
        );
      const rows = await q.execute();
      return rows.map((r): ConversationRow => ({
        conversationId: r.conversation_id,
        other: { userId: r.other_id, username: r.username, displayName: r.display_name ?? '' },
        lastAt: Number(r.last_at),
        last: {
          id: r.id,
          seq: Number(r.seq),
          senderId: r.sender_id,
          text: r.deleted_at === null ? r.preview : '',
          createdAt: Number(r.created_at),
          editedAt: r.edited_at === null ? null : Number(r.edited_at),
          deleted: r.deleted_at !== null,
        },
        read: Number(r.read),
        unread: Number(r.unread ?? 0),
        blocked: r.blocked_by !== null,
      }));
    },
  };
}
