import { type Kysely, type Selectable, type Transaction, sql } from 'kysely';
import type { Role } from '../../core/rooms/roles.js';
import type {
  Ban,
  Member,
  NotifyLevel,
  Room,
  RoomEvent,
  RoomStore,
  RoomTx,
  Visibility,
} from '../../core/rooms/store.js';
import { PREVIEW_SOURCE } from '../../core/conversations/store.js';
import { compiled } from './compiled.js';
import { isUniqueViolation } from './errors.js';
import {
  type MakeTx,
  type UserLockGuard,
  postgresGroupCommit,
  sqliteGroupCommit,
} from './room-commit.js';
import { blankNames } from '../../core/records.js';
import { attachmentsJson, loadMany, reactionsOf, toMessage } from './messages.js';
import { readAvatar, ROOM, writeAvatar } from './avatars.js';
import type {
  Database,
  RoomBansTable,
  RoomEventsTable,
  RoomMembersTable,
  RoomsTable,
} from './tables.js';

type Tx = Transaction<Database> | Kysely<Database>;

const conversationOf = (roomId: string) => `room:${roomId}`;

/** Member count, computed (an account deleted by cascade needs no bookkeeping). */
const memberCount = sql<number>`(select count(*) from room_members rm where rm.room_id = rooms.id)`;

/** Owners first: rank is computed the same way on both engines. */
const rankSql = sql<number>`case m.role when 'owner' then 3 when 'admin' then 2 when 'moderator' then 1 else 0 end`;

const toRoom = (r: Selectable<RoomsTable> & { member_count: number | string }): Room => ({
  id: r.id,
  name: r.name,
  topic: r.topic,
  topicBy: r.topic_by,
  topicAt: r.topic_at === null ? null : Number(r.topic_at),
  topicLocked: Number(r.topic_locked) === 1,
  visibility: r.visibility as Visibility,
  createdAt: Number(r.created_at),
  createdBy: r.created_by,
  memberCount: Number(r.member_count),
  head: Number(r.head),
  lastAt: Number(r.last_at),
  publicSince: Number(r.public_since),
  avatar: r.avatar ?? null,
});

const toMember = (r: Selectable<RoomMembersTable>): Member => ({
  roomId: r.room_id,
  userId: r.user_id,
  role: r.role as Role,
  muted: Number(r.muted) === 1,
  notify: r.notify as NotifyLevel,
  joinedAt: Number(r.joined_at),
  historyFrom: Number(r.history_from),
});

const toBan = (r: Selectable<RoomBansTable>): Ban => ({
  roomId: r.room_id,
  userId: r.user_id,
  by: r.by_id,
  reason: r.reason,
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  createdAt: Number(r.created_at),
});

const toEvent = (r: Selectable<RoomEventsTable>): RoomEvent => ({
  roomId: r.room_id,
  seq: Number(r.seq),
  at: Number(r.at),
  name: r.name,
  actorId: r.actor_id,
  messageId: r.message_id,
  data: JSON.parse(r.data) as Record<string, unknown>,
});

async function roomWhere(
  db: Tx,
  col: 'id' | 'name',
  v: string,
  count = true,
): Promise<Room | undefined> {
  const r = await db
    .selectFrom('rooms')
    .selectAll()
    .select(count ? memberCount.as('member_count') : sql<number>`-1`.as('member_count'))
    .where(col, '=', v)
    .executeTakeFirst();
  return r && toRoom(r);
}

async function banOf(db: Tx, roomId: string, userId: string): Promise<Ban | undefined> {
  const r = await db
    .selectFrom('room_bans')
    .selectAll()
    .where('room_id', '=', roomId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return r && toBan(r);
}

async function loadMessage(db: Tx, where: { id: string } | { sender: string; clientId: string }) {
  let q = db.selectFrom('messages').selectAll();
  q =
    'id' in where
      ? q.where('id', '=', where.id)
      : q.where('sender_id', '=', where.sender).where('client_id', '=', where.clientId);
  const r = await q.executeTakeFirst();
  if (!r) return undefined;
  return toMessage(r, (await reactionsOf(db, [r.id])).get(r.id) ?? []);
}

/**
 * The statements a room message runs (a member check, the head, the event, the
 * message), built once per store (compiled.ts): building them with Kysely on each
 * message cost about as much as running them.
 */
function roomStatements(db: Kysely<Database>) {
  return {
    member: compiled((p: { roomId: string; userId: string }) =>
      db
        .selectFrom('room_members')
        .selectAll()
        .where('room_id', '=', p.roomId)
        .where('user_id', '=', p.userId),
    ),
    head: compiled((p: { roomId: string }) =>
      db.selectFrom('rooms').select('head').where('id', '=', p.roomId),
    ),
    byNameUncounted: compiled((p: { name: string }) =>
      db
        .selectFrom('rooms')
        .selectAll()
        .select(sql<number>`-1`.as('member_count'))
        .where('name', '=', p.name),
    ),
    appendEvent: compiled(
      (p: {
        roomId: string;
        seq: number;
        at: number;
        name: string;
        actorId: string | null;
        messageId: string | null;
        data: string;
      }) =>
        db.insertInto('room_events').values({
          room_id: p.roomId,
          seq: p.seq,
          at: p.at,
          name: p.name,
          actor_id: p.actorId,
          message_id: p.messageId,
          data: p.data,
        }),
    ),
    setHead: compiled((p: { roomId: string; seq: number; at: number }) =>
      db.updateTable('rooms').set({ head: p.seq, last_at: p.at }).where('id', '=', p.roomId),
    ),
    insertMessage: compiled(
      (p: {
        id: string;
        conversationId: string;
        seq: number;
        senderId: string;
        recipientId: string;
        clientId: string;
        body: string;
        replyTo: string | null;
        createdAt: number;
        attachments: string | null;
      }) =>
        db.insertInto('messages').values({
          id: p.id,
          conversation_id: p.conversationId,
          seq: p.seq,
          sender_id: p.senderId,
          recipient_id: p.recipientId,
          client_id: p.clientId,
          body: p.body,
          reply_to: p.replyTo,
          created_at: p.createdAt,
          edited_at: null,
          deleted_at: null,
          visible_to_recipient: 1,
          filtered: 0,
          attachments: p.attachments,
        }),
    ),
  };
}
type RoomStatements = ReturnType<typeof roomStatements>;

async function memberOf(
  st: RoomStatements,
  db: Tx,
  roomId: string,
  userId: string,
): Promise<Member | undefined> {
  const [r] = await st.member(db, { roomId, userId });
  return r && toMember(r);
}

async function headOf(st: RoomStatements, tx: Tx, roomId: string): Promise<number> {
  const [r] = await st.head(tx, { roomId });
  if (!r) throw new Error(`room ${roomId} is gone`);
  return Number(r.head);
}

function txFor(
  tx: Transaction<Database>,
  roomId: string,
  kind: 'sqlite' | 'postgres',
  st: RoomStatements,
  guard?: UserLockGuard,
): RoomTx {
  return {
    room: () => roomWhere(tx, 'id', roomId),

    async createRoom(room) {
      try {
        // A savepoint, so a taken name leaves the transaction usable (PostgreSQL aborts it otherwise).
        await sql`savepoint parley_room`.execute(tx);
        await tx
          .insertInto('rooms')
          .values({
            id: roomId,
            name: room.name,
            topic: room.topic,
            topic_by: null,
            topic_at: null,
            topic_locked: room.topicLocked ? 1 : 0,
            visibility: room.visibility,
            created_at: room.createdAt,
            created_by: room.createdBy,
            head: 0,
            last_at: room.createdAt,
            public_since: 0,
            avatar: null,
          })
          .execute();
        await sql`release savepoint parley_room`.execute(tx);
        return true;
      } catch (err) {
        await sql`rollback to savepoint parley_room`.execute(tx);
        await sql`release savepoint parley_room`.execute(tx);
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },

    async updateRoom(patch) {
      const set: Partial<Selectable<RoomsTable>> = {};
      if (patch.topic !== undefined) set.topic = patch.topic;
      if (patch.topicBy !== undefined) set.topic_by = patch.topicBy;
      if (patch.topicAt !== undefined) set.topic_at = patch.topicAt;
      if (patch.topicLocked !== undefined) set.topic_locked = patch.topicLocked ? 1 : 0;
      if (patch.visibility !== undefined) set.visibility = patch.visibility;
      if (patch.publicSince !== undefined) set.public_since = patch.publicSince;
      if (Object.keys(set).length === 0) return;
      await tx.updateTable('rooms').set(set).where('id', '=', roomId).execute();
    },

    member: (userId) => memberOf(st, tx, roomId, userId),

    async ownerCount() {
      const r = await tx
        .selectFrom('room_members')
        .select(sql<number>`count(*)`.as('n'))
        .where('room_id', '=', roomId)
        .where('role', '=', 'owner')
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async heir() {
      const r = await tx
        .selectFrom('room_members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .selectAll('m')
        .select('u.username')
        .where('m.room_id', '=', roomId)
        .orderBy(rankSql, 'desc')
        .orderBy('m.joined_at')
        .orderBy('m.user_id')
        .limit(1)
        .executeTakeFirst();
      return r && { ...toMember(r), username: r.username };
    },

    async deleteRoom() {
      // Explicit deletes, not only ON DELETE CASCADE (as for accounts): the text must go
      // whatever SQLite's foreign_keys pragma says. The search index follows the
      // messages through their triggers.
      const messages = tx
        .selectFrom('messages')
        .select('id')
        .where('conversation_id', '=', conversationOf(roomId));
      await tx.deleteFrom('reactions').where('message_id', 'in', messages).execute();
      await tx.deleteFrom('mentions').where('message_id', 'in', messages).execute();
      await tx
        .deleteFrom('messages')
        .where('conversation_id', '=', conversationOf(roomId))
        .execute();
      for (const table of [
        'room_events',
        'room_invites',
        'room_bans',
        'room_members',
        'room_avatars',
      ] as const)
        await tx.deleteFrom(table).where('room_id', '=', roomId).execute();
      await tx.deleteFrom('rooms').where('id', '=', roomId).execute();
    },

    avatar: () => readAvatar(tx, ROOM, roomId),

    async setAvatar(a) {
      const before = await readAvatar(tx, ROOM, roomId);
      await writeAvatar(tx, ROOM, roomId, a);
      await tx
        .updateTable('rooms')
        .set({ avatar: a?.hash ?? null })
        .where('id', '=', roomId)
        .execute();
      return before;
    },

    async mentionsOf(messageId) {
      const rows = await tx
        .selectFrom('mentions')
        .select('user_id')
        .where('message_id', '=', messageId)
        .orderBy('user_id')
        .execute();
      return rows.map((r) => r.user_id);
    },

    async putMember(m) {
      const values = {
        room_id: roomId,
        user_id: m.userId,
        role: m.role,
        muted: m.muted ? 1 : 0,
        notify: m.notify,
        joined_at: m.joinedAt,
        history_from: m.historyFrom,
      };
      await tx
        .insertInto('room_members')
        .values(values)
        .onConflict((oc) =>
          oc
            .columns(['room_id', 'user_id'])
            .doUpdateSet({ role: values.role, muted: values.muted, notify: values.notify }),
        )
        .execute();
    },

    async removeMember(userId) {
      const r = await tx
        .deleteFrom('room_members')
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    ban: (userId) => banOf(tx, roomId, userId),

    async putBan(b) {
      const values = {
        room_id: roomId,
        user_id: b.userId,
        by_id: b.by,
        reason: b.reason,
        expires_at: b.expiresAt,
        created_at: b.createdAt,
      };
      await tx
        .insertInto('room_bans')
        .values(values)
        .onConflict((oc) =>
          oc.columns(['room_id', 'user_id']).doUpdateSet({
            by_id: values.by_id,
            reason: values.reason,
            expires_at: values.expires_at,
            created_at: values.created_at,
          }),
        )
        .execute();
    },

    async removeBan(userId) {
      const r = await tx
        .deleteFrom('room_bans')
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async invited(userId) {
      const r = await tx
        .selectFrom('room_invites')
        .select('user_id')
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return r !== undefined;
    },

    async putInvite(userId, by, at) {
      await tx
        .insertInto('room_invites')
        .values({ room_id: roomId, user_id: userId, by_id: by, created_at: at })
        .onConflict((oc) =>
          oc.columns(['room_id', 'user_id']).doUpdateSet({ by_id: by, created_at: at }),
        )
        .execute();
    },

    async removeInvite(userId) {
      await tx
        .deleteFrom('room_invites')
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .execute();
    },

    nextSeq: () => headOf(st, tx, roomId).then((head) => head + 1),

    async append(e) {
      // The room is locked for this transaction, so head+1 is gapless and in commit order.
      const seq = (await headOf(st, tx, roomId)) + 1;
      const data = typeof e.data === 'function' ? e.data(seq) : e.data;
      await st.appendEvent(tx, {
        roomId,
        seq,
        at: e.at,
        name: e.name,
        actorId: e.actorId,
        messageId: e.messageId,
        data: JSON.stringify(blankNames(data)),
      });
      await st.setHead(tx, { roomId, seq, at: e.at });
      return { ...e, data, roomId, seq };
    },

    async userLog(userId, name, data, at) {
      // The same lock and max+1 as direct messages' log (src/store/sql/messages.ts).
      if (kind === 'postgres') {
        guard?.(userId);
        await sql`select pg_advisory_xact_lock(hashtextextended(${'user:' + userId}, 0))`.execute(
          tx,
        );
      }
      const head = await tx
        .selectFrom('user_log')
        .select(sql<number>`coalesce(max(seq), 0)`.as('head'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      const seq = Number(head.head) + 1;
      await tx
        .insertInto('user_log')
        .values({
          user_id: userId,
          seq,
          at,
          name,
          message_id: null,
          data: JSON.stringify(blankNames(data)),
        })
        .execute();
      return seq;
    },

    messageByClientId: (senderId, clientId) => loadMessage(tx, { sender: senderId, clientId }),
    async message(id) {
      const m = await loadMessage(tx, { id });
      return m && m.conversationId === conversationOf(roomId) ? m : undefined;
    },

    async insertMessage(m, seq, mentions) {
      await st.insertMessage(tx, {
        id: m.id,
        conversationId: m.conversationId,
        seq,
        senderId: m.senderId,
        recipientId: m.recipientId,
        clientId: m.clientId,
        body: m.text,
        replyTo: m.replyTo,
        createdAt: m.createdAt,
        attachments: attachmentsJson(m),
      });
      for (const userId of new Set(mentions))
        await tx
          .insertInto('mentions')
          .values({ message_id: m.id, user_id: userId, conversation_id: m.conversationId, seq })
          .execute();
    },

    async updateMessage(id, patch) {
      const set: { body?: string; edited_at?: number | null; deleted_at?: number | null } = {};
      if (patch.text !== undefined) set.body = patch.text;
      if (patch.editedAt !== undefined) set.edited_at = patch.editedAt;
      if (patch.deletedAt !== undefined) set.deleted_at = patch.deletedAt;
      await tx.updateTable('messages').set(set).where('id', '=', id).execute();
      if (patch.deletedAt != null) {
        await tx.deleteFrom('reactions').where('message_id', '=', id).execute();
        await tx.deleteFrom('mentions').where('message_id', '=', id).execute();
      }
    },

    async react(id, userId, emoji, on, at) {
      if (on) {
        const r = await tx
          .insertInto('reactions')
          .values({ message_id: id, user_id: userId, emoji, created_at: at })
          .onConflict((oc) => oc.columns(['message_id', 'user_id', 'emoji']).doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
      }
      const r = await tx
        .deleteFrom('reactions')
        .where('message_id', '=', id)
        .where('user_id', '=', userId)
        .where('emoji', '=', emoji)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

async function mentionsFor(
  db: Kysely<Database>,
  messageIds: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < messageIds.length; i += 500) {
    const rows = await db
      .selectFrom('mentions')
      .select(['message_id', 'user_id'])
      .where('message_id', 'in', messageIds.slice(i, i + 500))
      .orderBy('user_id')
      .execute();
    for (const r of rows) out.set(r.message_id, [...(out.get(r.message_id) ?? []), r.user_id]);
  }
  return out;
}

export function createSqlRoomStore(db: Kysely<Database>, kind: 'sqlite' | 'postgres'): RoomStore {
  // Everything that changes a room runs under its lock (on PostgreSQL an advisory
  // lock; SQLite has one writer): timeline seqs are head+1 and membership checks
  // still hold at commit. Changes share transactions (room-commit.ts).
  const st = roomStatements(db);
  const makeTx: MakeTx = (tx, roomId, guard) => txFor(tx, roomId, kind, st, guard);
  const transact =
    kind === 'sqlite' ? sqliteGroupCommit(db, makeTx) : postgresGroupCommit(db, makeTx);
  return {
    transact,

    async byName(name, opts) {
      if (opts?.count !== false) return roomWhere(db, 'name', name);
      const [r] = await st.byNameUncounted(db, { name });
      return r && toRoom(r);
    },
    byId: (id) => roomWhere(db, 'id', id),
    avatar: (roomId) => readAvatar(db, ROOM, roomId),
    member: (roomId, userId) => memberOf(st, db, roomId, userId),
    ban: (roomId, userId) => banOf(db, roomId, userId),

    async directory(q) {
      let query = db
        .selectFrom('rooms')
        .selectAll()
        .select(memberCount.as('member_count'))
        .where('visibility', '=', 'public')
        .orderBy('name')
        .limit(q.limit);
      if (q.after !== undefined) query = query.where('name', '>', q.after);
      if (q.q) {
        // Plain substring, case-insensitive: LIKE's wildcards in the query are escaped.
        const pattern = `%${q.q.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
        query = query.where((eb) =>
          eb.or([
            sql<boolean>`name like ${pattern} escape '\\'`,
            sql<boolean>`lower(topic) like ${pattern} escape '\\'`,
          ]),
        );
      }
      return (await query.execute()).map(toRoom);
    },

    async members(roomId, page) {
      let q = db
        .selectFrom('room_members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .leftJoin('profiles as p', 'p.user_id', 'm.user_id')
        .selectAll('m')
        .select(['u.username', 'u.guest', 'p.display_name'])
        .where('m.room_id', '=', roomId)
        .orderBy(rankSql, 'desc')
        .orderBy('u.username')
        .limit(page.limit);
      if (page.after) {
        const a = page.after;
        q = q.where((eb) =>
          eb.or([
            eb(rankSql, '<', a.rank),
            eb.and([eb(rankSql, '=', a.rank), eb('u.username', '>', a.username)]),
          ]),
        );
      }
      const rows = await q.execute();
      return rows.map((r) => ({
        ...toMember(r),
        username: r.username,
        ...(r.display_name ? { displayName: r.display_name } : {}),
        ...(Number(r.guest) === 1 ? { guest: true } : {}),
      }));
    },

    async bans(roomId, now) {
      const rows = await db
        .selectFrom('room_bans as b')
        .innerJoin('users as u', 'u.id', 'b.user_id')
        .selectAll('b')
        .select(['u.username'])
        .where('b.room_id', '=', roomId)
        .where((eb) => eb.or([eb('b.expires_at', 'is', null), eb('b.expires_at', '>', now)]))
        .orderBy('u.username')
        .limit(1000)
        .execute();
      return rows.map((r) => ({ ...toBan(r), username: r.username }));
    },

    async roomsOf(userId) {
      // One statement for the whole list: the counts (as `unread` counts them) and the
      // latest message are correlated subqueries on the (conversation_id, seq) indexes.
      const conv = sql`${sql.lit('room:')} || rooms.id`;
      // Nothing before what the member may read counts (m.history_from), as in `unread`'s caller.
      const read = sql`case when coalesce(k.read, 0) >= m.history_from then coalesce(k.read, 0) else m.history_from - 1 end`;
      const rows = await db
        .selectFrom('room_members as m')
        .innerJoin('rooms', 'rooms.id', 'm.room_id')
        .leftJoin('markers as k', (j) =>
          j.onRef('k.conversation_id', '=', conv).on('k.user_id', '=', userId),
        )
        .leftJoin('messages as lm', (j) =>
          j
            .onRef('lm.conversation_id', '=', conv)
            .onRef(
              'lm.seq',
              '=',
              sql`(select max(z.seq) from messages z where z.conversation_id = ${conv})`,
            )
            .onRef('lm.seq', '>=', 'm.history_from'),
        )
        .leftJoin('users as lu', 'lu.id', 'lm.sender_id')
        .select([
          'lm.id as last_id',
          'lm.seq as last_seq',
          'lm.sender_id as last_sender',
          'lu.username as last_username',
          'lm.created_at as last_created_at',
          'lm.edited_at as last_edited_at',
          'lm.deleted_at as last_deleted_at',
        ])
        .select(sql<string | null>`substr(lm.body, 1, ${PREVIEW_SOURCE})`.as('last_text'))
        .select(
          sql<number>`(select count(*) from messages x where x.conversation_id = ${conv}
            and x.seq > ${read} and x.sender_id <> ${userId} and x.deleted_at is null)`.as(
            'unread_count',
          ),
        )
        .select(
          sql<number>`(select count(*) from mentions y
            join messages s on s.id = y.message_id
            left join blocks b on b.owner_id = ${userId} and b.blocked_id = s.sender_id
            where y.user_id = ${userId} and y.conversation_id = ${conv} and y.seq > ${read}
            and b.owner_id is null)`.as('mention_count'),
        )
        .selectAll('rooms')
        .select(memberCount.as('member_count'))
        .select([
          'm.room_id',
          'm.user_id',
          'm.role',
          'm.muted',
          'm.notify',
          'm.joined_at',
          'm.history_from',
          'k.read as marker_read',
        ])
        .where('m.user_id', '=', userId)
        .orderBy('rooms.last_at', 'desc')
        .limit(10000)
        .execute();
      return rows.map((r) => ({
        room: toRoom(r),
        member: toMember(r),
        read: Number(r.marker_read ?? 0),
        unread: Number(r.unread_count),
        mentions: Number(r.mention_count),
        last:
          r.last_id === null
            ? undefined
            : {
                id: r.last_id,
                seq: Number(r.last_seq),
                sender: { userId: r.last_sender!, username: r.last_username ?? '' },
                text: r.last_deleted_at === null ? (r.last_text ?? '') : '',
                createdAt: Number(r.last_created_at),
                editedAt: r.last_edited_at === null ? null : Number(r.last_edited_at),
                deleted: r.last_deleted_at !== null,
              },
      }));
    },

    async roomIdsOf(userId) {
      const rows = await db
        .selectFrom('room_members')
        .select('room_id')
        .where('user_id', '=', userId)
        .execute();
      return rows.map((r) => r.room_id);
    },

    async headsOf(userId) {
      const rows = await db
        .selectFrom('room_members as m')
        .innerJoin('rooms as r', 'r.id', 'm.room_id')
        .select(['r.id', 'r.name', 'r.head'])
        .where('m.user_id', '=', userId)
        .execute();
      return rows.map((r) => ({ id: r.id, name: r.name, head: Number(r.head) }));
    },

    async invitesOf(userId) {
      const rows = await db
        .selectFrom('room_invites as i')
        .innerJoin('rooms', 'rooms.id', 'i.room_id')
        .selectAll('rooms')
        .select(memberCount.as('member_count'))
        .select(['i.by_id', 'i.created_at as invited_at'])
        .where('i.user_id', '=', userId)
        .orderBy('i.created_at', 'desc')
        .limit(1000)
        .execute();
      return rows.map((r) => ({ room: toRoom(r), by: r.by_id, at: Number(r.invited_at) }));
    },

    async events(roomId, after, limit) {
      const rows = await db
        .selectFrom('room_events')
        .selectAll()
        .where('room_id', '=', roomId)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(limit)
        .execute();
      const events = rows.map(toEvent);
      const ids = events.flatMap((e) => (e.messageId === null ? [] : [e.messageId]));
      if (ids.length === 0) return events;
      const messages = await loadMany(db, ids);
      const mentions = await mentionsFor(db, ids);
      for (const e of events) {
        const m = e.messageId === null ? undefined : messages.get(e.messageId);
        if (m) {
          e.message = m;
          e.mentions = mentions.get(m.id) ?? [];
        }
      }
      return events;
    },

    mentionsOf: (messageIds) => mentionsFor(db, messageIds),

    async unread(userId, roomId, afterSeq) {
      const conv = conversationOf(roomId);
      const u = await db
        .selectFrom('messages')
        .select(sql<number>`count(*)`.as('n'))
        .where('conversation_id', '=', conv)
        .where('seq', '>', afterSeq)
        .where('sender_id', '!=', userId)
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow();
      // A mention by someone the user blocked does not count (docs/protocol.md 5.21).
      const m = await db
        .selectFrom('mentions as x')
        .innerJoin('messages as s', 's.id', 'x.message_id')
        .leftJoin('blocks as b', (j) =>
          j.on('b.owner_id', '=', userId).onRef('b.blocked_id', '=', 's.sender_id'),
        )
        .select(sql<number>`count(*)`.as('n'))
        .where('x.user_id', '=', userId)
        .where('x.conversation_id', '=', conv)
        .where('x.seq', '>', afterSeq)
        .where('b.owner_id', 'is', null)
        .executeTakeFirstOrThrow();
      return { unread: Number(u.n), mentions: Number(m.n) };
    },

    async createdBy(userId) {
      const r = await db
        .selectFrom('rooms')
        .select(sql<number>`count(*)`.as('n'))
        .where('created_by', '=', userId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
