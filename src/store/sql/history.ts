import { type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import type {
  ActiveConversation,
  ArchiveRange,
  HistoryStore,
  TargetsQuery,
} from '../../core/history/store.js';
import { reactionsOf, toMessage } from './messages.js';
import type { Database, MessagesTable } from './tables.js';

/**
 * History by position and time. Every read walks the (conversation_id, seq)
 * unique index from one end: no index was added (invariant 36). A bound by
 * seq starts the walk there; a bound by time is a filter on the walk, cheap
 * near the end a page is read from (the usual case: the latest messages,
 * "after my last time"), longer for times deep in a long conversation.
 */
export function createSqlHistoryStore(db: Kysely<Database>): HistoryStore {
  async function withReactions(rows: Parameters<typeof toMessage>[0][]) {
    const reactions = await reactionsOf(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => toMessage(r, reactions.get(r.id) ?? []));
  }

  /** Targets of one kind: `candidates` yields (conversation_id, peer_id, first readable seq). */
  async function active(
    q: TargetsQuery,
    candidates: RawBuilder<unknown>,
    visible: RawBuilder<unknown>,
  ): Promise<ActiveConversation[]> {
    // The latest message (by seq) created before the window closes, per candidate:
    // one walk back from the end of each conversation's index.
    const rows = await sql<{ conversation_id: string; peer_id: string; last_at: number | string }>`
      select conversation_id, peer_id, last_at from (
        select c.conversation_id, c.peer_id,
          (select m.created_at from messages m
            where m.conversation_id = c.conversation_id and m.seq >= c.from_seq
              and m.created_at < ${q.before} and ${visible}
            order by m.seq desc limit 1) as last_at
        from (${candidates}) c
      ) t
      where last_at > ${q.after}
      order by last_at ${q.order === 'asc' ? sql`asc` : sql`desc`}, conversation_id
      limit ${q.limit}`.execute(db);
    return rows.rows.map((r) => ({
      conversationId: r.conversation_id,
      peerId: r.peer_id,
      lastAt: Number(r.last_at),
    }));
  }

  /** What a viewer may read of a direct message now (invariant 26). */
  const readable = (viewerId: string) =>
    sql`(m.sender_id = ${viewerId} or (m.recipient_id = ${viewerId} and m.visible_to_recipient = 1 and m.filtered = 0))`;

  /**
   * The archive (MAM). One conversation walks its (conversation_id, seq) index
   * like `range`; all of them walk the viewer's log by seq (its primary key),
   * keeping each message's first entry (the user_log_message_id index), so no
   * index was added (invariant 36). Time bounds filter the walk.
   */
  async function archive(q: ArchiveRange) {
    const dir = q.order === 'asc' ? sql`asc` : sql`desc`;
    const time = sql.join(
      [
        ...(q.start !== undefined ? [sql`m.created_at >= ${q.start}`] : []),
        ...(q.end !== undefined ? [sql`m.created_at <= ${q.end}`] : []),
        sql`m.deleted_at is null`,
        readable(q.viewerId),
      ],
      sql` and `,
    );
    if (q.conversationId !== undefined) {
      const pos = sql.join(
        [
          ...(q.afterPos !== undefined ? [sql`m.seq > ${q.afterPos}`] : []),
          ...(q.beforePos !== undefined ? [sql`m.seq < ${q.beforePos}`] : []),
          sql`1 = 1`,
        ],
        sql` and `,
      );
      const rows = await sql<Selectable<MessagesTable>>`
        select m.* from messages m
        where m.conversation_id = ${q.conversationId} and ${pos} and ${time}
        order by m.seq ${dir} limit ${q.limit}`.execute(db);
      return withReactions(rows.rows);
    }
    const pos = sql.join(
      [
        ...(q.afterPos !== undefined ? [sql`ul.seq > ${q.afterPos}`] : []),
        ...(q.beforePos !== undefined ? [sql`ul.seq < ${q.beforePos}`] : []),
        // Always a bound on the log's key: SQLite then walks the user's log, not every message.
        sql`ul.seq > 0`,
      ],
      sql` and `,
    );
    const rows = await sql<Selectable<MessagesTable>>`
      select m.* from user_log ul join messages m on m.id = ul.message_id
      where ul.user_id = ${q.viewerId} and ul.message_id is not null and ${pos}
        and m.conversation_id like 'dm:%' and ${time}
        and not exists (select 1 from user_log u2
          where u2.message_id = ul.message_id and u2.user_id = ul.user_id and u2.seq < ul.seq)
      order by ul.seq ${dir} limit ${q.limit}`.execute(db);
    return withReactions(rows.rows);
  }

  return {
    archive,

    async archivePosition(viewerId, messageId, conversationId) {
      if (conversationId !== undefined) {
        const r = await sql<{ seq: number | string }>`
          select m.seq from messages m
          where m.id = ${messageId} and m.conversation_id = ${conversationId} and ${readable(viewerId)}`.execute(
          db,
        );
        return r.rows[0] ? Number(r.rows[0].seq) : undefined;
      }
      const r = await sql<{ seq: number | string | null }>`
        select min(ul.seq) as seq from user_log ul join messages m on m.id = ul.message_id
        where ul.user_id = ${viewerId} and ul.message_id = ${messageId}
          and m.conversation_id like 'dm:%' and ${readable(viewerId)}`.execute(db);
      const seq = r.rows[0]?.seq;
      return seq === null || seq === undefined ? undefined : Number(seq);
    },

    async range(q) {
      let query = db
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', q.conversationId)
        .where((eb) =>
          eb.or([
            eb('sender_id', '=', q.viewerId),
            eb.and([eb('visible_to_recipient', '=', 1), eb('filtered', '=', 0)]),
          ]),
        );
      if (q.fromSeq > 0) query = query.where('seq', '>=', q.fromSeq);
      if (q.after)
        query =
          'seq' in q.after
            ? query.where('seq', '>', q.after.seq)
            : query.where('created_at', '>', q.after.at);
      if (q.before)
        query =
          'seq' in q.before
            ? query.where('seq', '<', q.before.seq)
            : query.where('created_at', '<', q.before.at);
      const rows = await query.orderBy('seq', q.order).limit(q.limit).execute();
      return withReactions(rows);
    },

    async message(id) {
      const r = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? (await withReactions([r]))[0] : undefined;
    },

    activeDirect(q) {
      // A conversation-list entry moves with every message its owner can see, so one
      // last seen before the window opened has nothing in it.
      return active(
        q,
        sql`select conversation_id, other_id as peer_id, 0 as from_seq from conversations
            where user_id = ${q.userId} and last_at > ${q.after}`,
        sql`(m.sender_id = ${q.userId} or (m.visible_to_recipient = 1 and m.filtered = 0))`,
      );
    },

    activeRooms(q) {
      // A room's last_at moves with every event in it.
      return active(
        q,
        sql`select 'room:' || rm.room_id as conversation_id, rm.room_id as peer_id,
              rm.history_from as from_seq
            from room_members rm join rooms r on r.id = rm.room_id
            where rm.user_id = ${q.userId} and r.last_at > ${q.after}`,
        sql`1 = 1`,
      );
    },
  };
}
