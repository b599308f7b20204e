import { type Kysely, sql } from 'kysely';
import {
  MAX_UNSEEN,
  type Marker,
  type MarkerStore,
  UNSEEN_WINDOW,
} from '../../core/receipts/store.js';
import type { Database } from './tables.js';

export function createSqlMarkerStore(
  db: Kysely<Database>,
  kind: 'sqlite' | 'postgres',
): MarkerStore {
  return {
    async advance(userId, conversationId, to, at) {
      return db.transaction().execute(async (tx) => {
        if (kind === 'postgres')
          await sql`select pg_advisory_xact_lock(hashtextextended(${'marker:' + userId + ':' + conversationId}, 0))`.execute(
            tx,
          );
        const cur = await tx
          .selectFrom('markers')
          .selectAll()
          .where('user_id', '=', userId)
          .where('conversation_id', '=', conversationId)
          .executeTakeFirst();
        const before = { delivered: Number(cur?.delivered ?? 0), read: Number(cur?.read ?? 0) };
        const next = {
          delivered: Math.max(before.delivered, to.delivered ?? 0),
          read: Math.max(before.read, to.read ?? 0),
        };
        const changed = next.delivered !== before.delivered || next.read !== before.read;
        if (changed)
          await tx
            .insertInto('markers')
            .values({
              user_id: userId,
              conversation_id: conversationId,
              delivered: next.delivered,
              read: next.read,
              updated_at: at,
            })
            .onConflict((oc) =>
              oc
                .columns(['user_id', 'conversation_id'])
                .doUpdateSet({ delivered: next.delivered, read: next.read, updated_at: at }),
            )
            .execute();
        const marker: Marker = {
          userId,
          conversationId,
          ...next,
          updatedAt: changed ? at : Number(cur?.updated_at ?? 0),
        };
        return { marker, changed, before };
      });
    },

    async unseen(readerId, conversationId, after, upTo) {
      const rows = await db
        .selectFrom('messages')
        .select('seq')
        .where('conversation_id', '=', conversationId)
        .where('seq', '>', Math.max(after, upTo - UNSEEN_WINDOW))
        .where('seq', '<=', upTo)
        .where('recipient_id', '=', readerId)
        .where((eb) => eb.or([eb('visible_to_recipient', '=', 0), eb('filtered', '!=', 0)]))
        .orderBy('seq', 'desc')
        .limit(MAX_UNSEEN)
        .execute();
      return rows.map((r) => Number(r.seq)).reverse();
    },

    async markers(userId, conversationIds) {
      if (conversationIds.length === 0) return [];
      const rows = await db
        .selectFrom('markers')
        .selectAll()
        .where('user_id', '=', userId)
        .where('conversation_id', 'in', [...conversationIds])
        .execute();
      return rows.map((r) => ({
        userId: r.user_id,
        conversationId: r.conversation_id,
        delivered: Number(r.delivered),
        read: Number(r.read),
        updatedAt: Number(r.updated_at),
      }));
    },

    async visibleHead(userId, conversationId) {
      const r = await db
        .selectFrom('messages')
        .select(sql<number>`coalesce(max(seq), 0)`.as('head'))
        .where('conversation_id', '=', conversationId)
        .where((eb) =>
          eb.or([
            eb('sender_id', '=', userId),
            eb.and([eb('visible_to_recipient', '=', 1), eb('filtered', '=', 0)]),
          ]),
        )
        .executeTakeFirstOrThrow();
      return Number(r.head);
    },

    async unreadCount(userId, conversationId, afterSeq) {
      const r = await db
        .selectFrom('messages')
        .select(sql<number>`count(*)`.as('n'))
        .where('conversation_id', '=', conversationId)
        .where('seq', '>', afterSeq)
        .where('recipient_id', '=', userId)
        .where('visible_to_recipient', '=', 1)
        .where('filtered', '=', 0)
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async sendReceipts(userId) {
      const r = await db
        .selectFrom('user_presence')
        .select('send_receipts')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return r === undefined || Number(r.send_receipts) === 1;
    },

    async setSendReceipts(userId, on) {
      await db
        .insertInto('user_presence')
        .values({
          user_id: userId,
          last_seen_at: null,
          show_last_seen: 1,
          send_receipts: on ? 1 : 0,
        })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ send_receipts: on ? 1 : 0 }))
        .execute();
    },
  };
}
