import { createHash } from 'node:crypto';
import { blankNames } from '../../core/records.js';
import {
  type Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresAdapter,
  sql,
} from 'kysely';

/**
 * Versioned migrations, in order. Never edit one that has shipped: add a new
 * one. Each is written with Kysely's schema builder so it runs on SQLite and
 * PostgreSQL alike; `bigint` holds millisecond timestamps on both.
 */
/** Whether `table` has `column` (later migrations check before adding, so they can be rerun). */
async function hasColumn(db: Kysely<unknown>, table: string, column: string): Promise<boolean> {
  const { rows } =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? await sql`select 1 from information_schema.columns
          where table_schema = current_schema() and table_name = ${table} and column_name = ${column}`.execute(
          db,
        )
      : await sql`select 1 from pragma_table_info(${table}) where name = ${column}`.execute(db);
  return rows.length > 0;
}

const MIGRATIONS: Record<string, Migration> = {
  '0001_accounts': {
    async up(db: Kysely<unknown>) {
      // Usernames order byte-wise on both engines (SQLite's default), so paging
      // by username gives the same pages whatever the PostgreSQL locale is.
      const pg = db.getExecutor().adapter instanceof PostgresAdapter;
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) =>
          (pg ? c.modifyEnd(sql`collate "C"`) : c).notNull().unique(),
        )
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('profiles')
        .addColumn('user_id', 'text', (c) =>
          c.primaryKey().references('users.id').onDelete('cascade'),
        )
        .addColumn('display_name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('display_name_lower', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('birth_year', 'integer')
        .addColumn('city', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('city_lower', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('country', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('about', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('searchable', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema.createIndex('profiles_city').on('profiles').column('city_lower').execute();
      await db.schema
        .createIndex('profiles_birth_year')
        .on('profiles')
        .column('birth_year')
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('device', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('last_address', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
      await db.schema
        .createTable('invites')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('uses_left', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0002_contacts_blocks': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('contacts')
        .addColumn('owner_id', 'text', (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('contact_id', 'text', (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('in_roster', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('sub_to', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('sub_from', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('ask_out', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('pending_in', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('note_in', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('alias', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('groups', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('contacts_pk', ['owner_id', 'contact_id'])
        .execute();
      await db.schema.createIndex('contacts_contact').on('contacts').column('contact_id').execute();
      await db.schema
        .createTable('blocks')
        .addColumn('owner_id', 'text', (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('blocked_id', 'text', (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('blocks_pk', ['owner_id', 'blocked_id'])
        .execute();
      await db.schema.createIndex('blocks_blocked').on('blocks').column('blocked_id').execute();
    },
  },
  '0003_presence': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('nodes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('presence')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('node_id', 'text', (c) => c.notNull())
        .addColumn('show', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('since', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('presence_pk', ['user_id', 'node_id'])
        .execute();
      await db.schema.createIndex('presence_node').on('presence').column('node_id').execute();
      await db.schema
        .createTable('user_presence')
        .addColumn('user_id', 'text', (c) =>
          c.primaryKey().references('users.id').onDelete('cascade'),
        )
        .addColumn('last_seen_at', 'bigint')
        .addColumn('show_last_seen', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
    },
  },
  '0004_direct_messages': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('sender_id', 'text', (c) => c.notNull())
        .addColumn('recipient_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('reply_to', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('edited_at', 'bigint')
        .addColumn('deleted_at', 'bigint')
        .addColumn('visible_to_recipient', 'integer', (c) => c.notNull().defaultTo(1))
        .addUniqueConstraint('messages_conversation_seq', ['conversation_id', 'seq'])
        .addUniqueConstraint('messages_sender_client', ['sender_id', 'client_id'])
        .execute();
      await db.schema
        .createTable('reactions')
        .addColumn('message_id', 'text', (c) =>
          c.notNull().references('messages.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('emoji', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('reactions_pk', ['message_id', 'user_id', 'emoji'])
        .execute();
      await db.schema
        .createTable('user_log')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_log_pk', ['user_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('user_log_message')
        .on('user_log')
        .columns(['user_id', 'message_id'])
        .execute();
    },
  },
  '0005_receipts': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('markers')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('delivered', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('read', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('markers_pk', ['user_id', 'conversation_id'])
        .execute();
      await db.schema
        .alterTable('user_presence')
        .addColumn('send_receipts', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      // Deleting a message rewrites its log entries (no text survives in a log).
      await db.schema
        .createIndex('user_log_message_id')
        .on('user_log')
        .column('message_id')
        .execute();
    },
  },
  '0006_message_search': {
    async up(db: Kysely<unknown>) {
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        // 'simple': no stemming, so it works the same for every language. Neither engine
        // folds accents (café is not cafe), so both answer alike.
        await sql`alter table messages add column body_tsv tsvector generated always as (to_tsvector('simple', body)) stored`.execute(
          db,
        );
        await sql`create index messages_body_tsv on messages using gin (body_tsv)`.execute(db);
        return;
      }
      await sql`create virtual table messages_fts using fts5(body, content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 0')`.execute(
        db,
      );
      await sql`insert into messages_fts(rowid, body) select rowid, body from messages`.execute(db);
      await sql`create trigger messages_fts_insert after insert on messages begin
        insert into messages_fts(rowid, body) values (new.rowid, new.body); end`.execute(db);
      await sql`create trigger messages_fts_delete after delete on messages begin
        insert into messages_fts(messages_fts, rowid, body) values ('delete', old.rowid, old.body); end`.execute(
        db,
      );
      await sql`create trigger messages_fts_update after update of body on messages begin
        insert into messages_fts(messages_fts, rowid, body) values ('delete', old.rowid, old.body);
        insert into messages_fts(rowid, body) values (new.rowid, new.body); end`.execute(db);
    },
  },
  '0007_keyword_filters': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('messages')
        .addColumn('filtered', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('filters')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('phrase', 'text', (c) => c.notNull())
        .addColumn('phrase_lower', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('filters_pk', ['user_id', 'phrase_lower'])
        .execute();
      await db.schema
        .createIndex('messages_held')
        .on('messages')
        .columns(['recipient_id', 'filtered'])
        .execute();
    },
  },
  '0008_rooms': {
    async up(db: Kysely<unknown>) {
      const pg = db.getExecutor().adapter instanceof PostgresAdapter;
      await db.schema
        .createTable('rooms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) =>
          (pg ? c.modifyEnd(sql`collate "C"`) : c).notNull().unique(),
        )
        .addColumn('topic', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('topic_by', 'text')
        .addColumn('topic_at', 'bigint')
        .addColumn('topic_locked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('visibility', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('head', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('last_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('room_members')
        .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('notify', 'text', (c) => c.notNull().defaultTo('all'))
        .addColumn('joined_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('room_members_pk', ['room_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('room_members_user')
        .on('room_members')
        .column('user_id')
        .execute();
      await db.schema
        .createTable('room_bans')
        .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('by_id', 'text')
        .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('expires_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('room_bans_pk', ['room_id', 'user_id'])
        .execute();
      await db.schema
        .createTable('room_invites')
        .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('by_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('room_invites_pk', ['room_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('room_invites_user')
        .on('room_invites')
        .column('user_id')
        .execute();
      await db.schema
        .createTable('room_events')
        .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('message_id', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('room_events_pk', ['room_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('room_events_message')
        .on('room_events')
        .columns(['message_id'])
        .execute();
      // One row per member mentioned: a mention counts separately from plain unread.
      await db.schema
        .createTable('mentions')
        .addColumn('message_id', 'text', (c) =>
          c.notNull().references('messages.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('mentions_pk', ['message_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('mentions_user')
        .on('mentions')
        .columns(['user_id', 'conversation_id', 'seq'])
        .execute();
    },
  },
  '0009_conversations': {
    async up(db: Kysely<unknown>) {
      // One row per person per direct conversation they can see, moved to its latest
      // visible message by every send (and release): listing someone's conversations by
      // activity is then an index range, however many messages or conversations they have.
      await db.schema
        .createTable('conversations')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('other_id', 'text', (c) => c.notNull())
        .addColumn('last_seq', 'bigint', (c) => c.notNull())
        .addColumn('last_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('conversations_pk', ['user_id', 'conversation_id'])
        .execute();
      await db.schema
        .createIndex('conversations_activity')
        .on('conversations')
        .columns(['user_id', 'last_at', 'conversation_id'])
        .execute();
      await db.schema
        .createIndex('conversations_other')
        .on('conversations')
        .column('other_id')
        .execute();
      // Existing conversations: the sender sees every message, the recipient those not
      // hidden by a block or held (or cleared) by a filter.
      await sql`insert into conversations (user_id, conversation_id, other_id, last_seq, last_at)
        select v.user_id, v.conversation_id, v.other_id, v.last_seq, m.created_at
        from (
          select user_id, conversation_id, other_id, max(seq) as last_seq from (
            select sender_id as user_id, conversation_id, recipient_id as other_id, seq
              from messages where conversation_id like 'dm:%'
            union all
            select recipient_id, conversation_id, sender_id, seq
              from messages where conversation_id like 'dm:%'
                and visible_to_recipient = 1 and filtered = 0
          ) s group by user_id, conversation_id, other_id
        ) v
        join messages m on m.conversation_id = v.conversation_id and m.seq = v.last_seq
        where exists (select 1 from users u where u.id = v.user_id)`.execute(db);
    },
  },
  '0010_leaner_send_indexes': {
    async up(db: Kysely<unknown>) {
      // Every index a send touches is a scattered page written at each commit (issue 3's
      // benchmark: about 21 µs of a direct message's SQL went to these two).
      // - user_log had two: (user_id, message_id) for "where did this user first hear of
      //   this message" (a retried send) and (message_id) for a deletion's rewrite. One
      //   on (message_id, user_id, seq) answers both; the planner picks it for the first
      //   because it matches both equalities.
      // - The filtered folder needs only held messages: a partial index is empty for
      //   every other message, and ordered for the folder's newest-first pages.
      // Written to run again safely (a test re-runs the migrations after 0009).
      await sql`drop index if exists user_log_message`.execute(db);
      await sql`drop index if exists user_log_message_id`.execute(db);
      await sql`create index user_log_message_id on user_log (message_id, user_id, seq) where message_id is not null`.execute(
        db,
      );
      await sql`drop index if exists messages_held`.execute(db);
      await sql`create index messages_held on messages (recipient_id, created_at, id) where filtered = 1`.execute(
        db,
      );
    },
  },
  '0011_search_index_in_batches': {
    async up(db: Kysely<unknown>) {
      // PostgreSQL's tsvector column is part of the row; only SQLite's FTS5 index changes.
      // Written to run again safely, like 0010.
      if (db.getExecutor().adapter instanceof PostgresAdapter) return;
      // FTS5 indexed each message inside its send: a small segment per commit, merged
      // again and again, about 18 µs a message. Indexed in batches afterwards it costs
      // about 2 µs (src/store/sql/search-index.ts). Messages up to `indexed_to` (a rowid)
      // are in the index; search catches up first, so it still finds everything.
      await sql`create table if not exists fts_progress (id integer primary key check (id = 1), indexed_to integer not null)`.execute(
        db,
      );
      await sql`insert or ignore into fts_progress (id, indexed_to) values (1, (select coalesce(max(rowid), 0) from messages))`.execute(
        db,
      );
      await sql`drop trigger if exists messages_fts_insert`.execute(db);
      await sql`drop trigger if exists messages_fts_delete`.execute(db);
      await sql`drop trigger if exists messages_fts_update`.execute(db);
      // Only what is in the index can be taken out of it (FTS5 needs the indexed text
      // to remove it); a message not indexed yet is indexed as it is by the catch-up.
      await sql`create trigger messages_fts_delete after delete on messages
        when old.rowid <= (select indexed_to from fts_progress) begin
        insert into messages_fts(messages_fts, rowid, body) values ('delete', old.rowid, old.body); end`.execute(
        db,
      );
      await sql`create trigger messages_fts_update after update of body on messages
        when old.rowid <= (select indexed_to from fts_progress) begin
        insert into messages_fts(messages_fts, rowid, body) values ('delete', old.rowid, old.body);
        insert into messages_fts(rowid, body) values (new.rowid, new.body); end`.execute(db);
      // A rowid at or below the mark again (the newest message deleted, its rowid
      // reused) would never be caught up: index it at once.
      await sql`create trigger messages_fts_insert after insert on messages
        when new.rowid <= (select indexed_to from fts_progress) begin
        insert into messages_fts(rowid, body) values (new.rowid, new.body); end`.execute(db);
    },
  },
  '0012_room_history_from': {
    async up(db: Kysely<unknown>) {
      // A private room made public shows those who were not in it only what came after
      // the switch (rooms.public_since, a room seq); each member reads from
      // history_from, fixed when they join. 0 (everything) for what exists already.
      if (!(await hasColumn(db, 'rooms', 'public_since')))
        await db.schema
          .alterTable('rooms')
          .addColumn('public_since', 'bigint', (c) => c.notNull().defaultTo(0))
          .execute();
      if (!(await hasColumn(db, 'room_members', 'history_from')))
        await db.schema
          .alterTable('room_members')
          .addColumn('history_from', 'bigint', (c) => c.notNull().defaultTo(0))
          .execute();
    },
  },
  '0013_session_revocations': {
    async up(db: Kysely<unknown>) {
      // Operator commands run in another process, often with no bus to the server:
      // they leave a row here and every node polls it (src/core/accounts/revocation.ts).
      // No foreign key: the row outlives a deleted user.
      await db.schema
        .createTable('session_revocations')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('session_ids', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('session_revocations_at')
        .ifNotExists()
        .on('session_revocations')
        .column('at')
        .execute();
    },
  },
  '0014_invite_code_hashes': {
    async up(db: Kysely<unknown>) {
      // Invite codes were kept as given; a copy of the database must not hand out
      // working codes. They are hashed like login tokens: SHA-256, base64url (written
      // out here, not imported, so this migration never changes).
      if (!(await hasColumn(db, 'invites', 'code'))) return;
      await db.schema.alterTable('invites').renameColumn('code', 'code_hash').execute();
      const { rows } = await sql<{ code_hash: string }>`select code_hash from invites`.execute(db);
      for (const { code_hash: code } of rows) {
        const hash = createHash('sha256').update(code).digest('base64url');
        await sql`update invites set code_hash = ${hash} where code_hash = ${code}`.execute(db);
      }
    },
  },
  '0015_search_index_secure_delete': {
    async up(db: Kysely<unknown>) {
      if (db.getExecutor().adapter instanceof PostgresAdapter) return;
      // FTS5 otherwise records a deletion as a marker and keeps the deleted words in
      // its index until segments happen to merge: a deleted text must not live on
      // (docs/operations.md). Deletions get dearer; sends do not change. Safe to rerun.
      await sql`insert into messages_fts(messages_fts, rank) values ('secure-delete', 1)`.execute(
        db,
      );
    },
  },
  '0016_occupancy_and_resources': {
    async up(db: Kysely<unknown>) {
      // Who is in a room right now, per session (IRC JOIN, MUC presence): soft state,
      // swept with its node like presence (src/core/occupancy). No foreign keys: rows
      // live seconds to hours, and a user or room deleted meanwhile is swept by leaving.
      await db.schema
        .createTable('room_occupants')
        .ifNotExists()
        .addColumn('room_id', 'text', (c) => c.notNull())
        .addColumn('node_id', 'text', (c) => c.notNull())
        .addColumn('connection_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('resource', 'text', (c) => c.notNull())
        .addColumn('since', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('room_occupants_pk', ['room_id', 'node_id', 'connection_id'])
        .execute();
      await db.schema
        .createIndex('room_occupants_session')
        .ifNotExists()
        .on('room_occupants')
        .columns(['node_id', 'connection_id'])
        .execute();
      // Each node's sessions of a user, one JSON list next to its aggregate: per-resource
      // presence (XMPP) without another write per change.
      if (!(await hasColumn(db, 'presence', 'resources')))
        await db.schema
          .alterTable('presence')
          .addColumn('resources', 'text', (c) => c.notNull().defaultTo('[]'))
          .execute();
    },
  },
  '0017_domain_records': {
    async up(db: Kysely<unknown>) {
      // The per-user log and room timelines held the native protocol's views, with
      // usernames frozen in and the message's text copied into every entry about it.
      // They now hold domain records (src/core/records.ts): a message change keeps only
      // its kind (the message is read by message_id), people keep their id and a blank
      // name filled in when read. Rerunnable: converting a converted row changes nothing.
      await convertRows(db, 'user_log', 'user_id');
      await convertRows(db, 'room_events', 'room_id');
    },
  },
  '0018_scram_credentials': {
    async up(db: Kysely<unknown>) {
      // SCRAM (IRC and XMPP SASL): per account and mechanism the salt, iteration count,
      // StoredKey and ServerKey (base64), never the password or SaltedPassword.
      await db.schema
        .createTable('scram_credentials')
        .ifNotExists()
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('mechanism', 'text', (c) => c.notNull())
        .addColumn('salt', 'text', (c) => c.notNull())
        .addColumn('iterations', 'integer', (c) => c.notNull())
        .addColumn('stored_key', 'text', (c) => c.notNull())
        .addColumn('server_key', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('scram_credentials_pk', ['user_id', 'mechanism'])
        .execute();
      // Secrets every node shares (the fake SCRAM salts of unknown users).
      await db.schema
        .createTable('server_secrets')
        .ifNotExists()
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0019_guests': {
    async up(db: Kysely<unknown>) {
      // Guests' user rows and when each expires unless its connection renews it
      // (core/accounts/guests.ts); gone with the user row.
      await db.schema
        .createTable('guests')
        .ifNotExists()
        .addColumn('user_id', 'text', (c) =>
          c.primaryKey().references('users.id').onDelete('cascade'),
        )
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      // Read with every user lookup, so a send or a contact request knows a guest at once.
      if (!(await hasColumn(db, 'users', 'guest')))
        await db.schema
          .alterTable('users')
          .addColumn('guest', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      await db.schema
        .createIndex('guests_expires')
        .ifNotExists()
        .on('guests')
        .column('expires_at')
        .execute();
    },
  },
  '0023_xmpp_private_data': {
    async up(db: Kysely<unknown>) {
      // XEP-0049 private XML storage: a few bounded values per account, by key.
      await db.schema
        .createTable('private_data')
        .ifNotExists()
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('private_data_pk', ['user_id', 'key'])
        .execute();
    },
  },
  '0028_files_tables': {
    async up(db: Kysely<unknown>) {
      // Shared files (core/files): one row per upload into a conversation; the bytes are a
      // blob named by sha256, shared by every row with the same hash. A file belongs to the
      // message its uploader sent with client_id (messages_sender_client), once claimed.
      await db.schema
        .createTable('files')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('uploader_id', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text')
        .addColumn('claimed_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('files_sha256')
        .ifNotExists()
        .on('files')
        .column('sha256')
        .execute();
      await db.schema
        .createIndex('files_uploader_client')
        .ifNotExists()
        .on('files')
        .columns(['uploader_id', 'client_id'])
        .execute();
      // Resumable uploads in progress; their bytes wait on the node that received them.
      await db.schema
        .createTable('file_uploads')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('uploader_id', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('received', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('file_uploads_uploader')
        .ifNotExists()
        .on('file_uploads')
        .column('uploader_id')
        .execute();
      // A message's files as it carries them (JSON list of core/files Attachment), or null.
      if (!(await hasColumn(db, 'messages', 'attachments')))
        await db.schema.alterTable('messages').addColumn('attachments', 'text').execute();
    },
  },
  '0030_fast_tokens': {
    async up(db: Kysely<unknown>) {
      // XEP-0484 FAST tokens: each belongs to a device (a `sessions` row) and goes with it.
      // The token is derived from `id` and a server secret, never stored (core/accounts/tokens.ts).
      await db.schema
        .createTable('fast_tokens')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) =>
          c.notNull().references('sessions.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('client_hash', 'text', (c) => c.notNull())
        .addColumn('mechanism', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('count', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('fast_tokens_client')
        .ifNotExists()
        .on('fast_tokens')
        .columns(['user_id', 'client_hash'])
        .execute();
      await db.schema
        .createIndex('fast_tokens_session')
        .ifNotExists()
        .on('fast_tokens')
        .column('session_id')
        .execute();
    },
  },
  '0027_web_chosen_presence': {
    async up(db: Kysely<unknown>) {
      // The status a person chose for their account (core/presence: every device follows it,
      // and it caps what any connection shows); 'available' with no text until they choose.
      for (const [column, type, fallback] of [
        ['chosen_show', 'text', 'available'],
        ['chosen_status', 'text', ''],
        ['chosen_at', 'bigint', 0],
      ] as const)
        if (!(await hasColumn(db, 'user_presence', column)))
          await db.schema
            .alterTable('user_presence')
            .addColumn(column, type, (c) => c.notNull().defaultTo(fallback))
            .execute();
    },
  },
  '0032_files_blurhash': {
    async up(db: Kysely<unknown>) {
      // An image's placeholder (core/files Attachment.blurhash), computed at upload.
      if (!(await hasColumn(db, 'files', 'blurhash')))
        await db.schema.alterTable('files').addColumn('blurhash', 'text').execute();
    },
  },
  '0031_avatars_and_preapproval': {
    async up(db: Kysely<unknown>) {
      // A person's avatar (core/profiles/avatars.ts): one per account, its bytes a blob named by
      // sha256 like files' (shared when equal); sha1 is its public hash (XEP-0084, XEP-0153, ETag).
      await db.schema
        .createTable('avatars')
        .ifNotExists()
        .addColumn('user_id', 'text', (c) =>
          c.primaryKey().references('users.id').onDelete('cascade'),
        )
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('sha1', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('avatars_sha256')
        .ifNotExists()
        .on('avatars')
        .column('sha256')
        .execute();
      // RFC 6121 3.4: the owner let the contact see their presence before being asked.
      if (!(await hasColumn(db, 'contacts', 'approved')))
        await db.schema
          .alterTable('contacts')
          .addColumn('approved', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
    },
  },
  '0038_link_previews': {
    async up(db: Kysely<unknown>) {
      // Link previews (core/previews): one cached answer or failure per URL, swept by expiry.
      await db.schema
        .createTable('link_previews')
        .ifNotExists()
        .addColumn('url', 'text', (c) => c.primaryKey())
        .addColumn('data', 'text')
        .addColumn('error', 'text')
        .addColumn('fetched_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('link_previews_expires')
        .ifNotExists()
        .on('link_previews')
        .column('expires_at')
        .execute();
      // Who switched previews off (a row only for them; no row means on).
      await db.schema
        .createTable('link_preview_settings')
        .ifNotExists()
        .addColumn('user_id', 'text', (c) =>
          c.primaryKey().references('users.id').onDelete('cascade'),
        )
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .execute();
    },
  },
  '0044_pep_nodes': {
    async up(db: Kysely<unknown>) {
      // XMPP PEP nodes beyond the profile's (core/pep): per account and node, its access
      // model and last item (an opaque payload), gone with the account.
      await db.schema
        .createTable('pep_nodes')
        .ifNotExists()
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('node', 'text', (c) => c.notNull())
        .addColumn('access', 'text', (c) => c.notNull())
        .addColumn('item_id', 'text')
        .addColumn('payload', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('pep_nodes_pk', ['user_id', 'node'])
        .execute();
    },
  },
  '0041_room_avatars': {
    async up(db: Kysely<unknown>) {
      // A room's picture (core/rooms/avatar.ts), kept as a person's is (0031): its blob by
      // sha256, shared when equal; the public hash also on the room row, which every room
      // read already selects (summaries carry it).
      await db.schema
        .createTable('room_avatars')
        .ifNotExists()
        .addColumn('room_id', 'text', (c) =>
          c.primaryKey().references('rooms.id').onDelete('cascade'),
        )
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('sha1', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('room_avatars_sha256')
        .ifNotExists()
        .on('room_avatars')
        .column('sha256')
        .execute();
      if (!(await hasColumn(db, 'rooms', 'avatar')))
        await db.schema.alterTable('rooms').addColumn('avatar', 'text').execute();
    },
  },
};

/** A stored log or timeline entry's data as a domain record (migration 0017). */
export function toRecord(name: string, data: Record<string, unknown>): Record<string, unknown> {
  if (name === 'message' || name === 'room.message') {
    const { message: _view, ...rest } = data;
    return blankNames(rest);
  }
  return blankNames(data);
}

async function convertRows(
  db: Kysely<unknown>,
  table: 'user_log' | 'room_events',
  key: 'user_id' | 'room_id',
): Promise<void> {
  const k = sql.ref(key);
  const t = sql.table(table);
  let after: { id: string; seq: number } | undefined;
  for (;;) {
    const page = after
      ? sql`(${k} > ${after.id} or (${k} = ${after.id} and seq > ${after.seq}))`
      : sql`1 = 1`;
    const { rows } = await sql<{ id: string; seq: number | string; name: string; data: string }>`
      select ${k} as id, seq, name, data from ${t} where ${page} order by ${k}, seq limit 500`.execute(
      db,
    );
    if (rows.length === 0) return;
    for (const r of rows) {
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(r.data) as Record<string, unknown>;
      } catch {
        continue;
      }
      const next = JSON.stringify(toRecord(r.name, data));
      if (next !== r.data)
        await sql`update ${t} set data = ${next} where ${k} = ${r.id} and seq = ${r.seq}`.execute(
          db,
        );
    }
    const last = rows[rows.length - 1]!;
    after = { id: last.id, seq: Number(last.seq) };
  }
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** In the order they run: by name (Kysely sorts them so), whatever order they are written in. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort();
export const LATEST_MIGRATION = MIGRATION_NAMES.at(-1)!;

/**
 * On PostgreSQL, Kysely looks for its bookkeeping tables in every schema unless
 * told which one; a kysely_migration table in another schema of the same
 * database would make it skip creating its own and then fail. Pin it to the
 * schema the tables go in (the first one on search_path).
 */
async function migrator(db: Kysely<unknown>): Promise<Migrator> {
  // Unordered: branches merge migrations whose numbers were handed out in advance, so a
  // database may have run 0018 before 0017 exists; 0017 then runs when it arrives,
  // instead of Kysely refusing to start. Every migration is independent and rerunnable.
  const common = { db, provider, allowUnorderedMigrations: true };
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return new Migrator(common);
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
    db,
  );
  const schema = rows[0]?.schema;
  return new Migrator({ ...common, ...(schema ? { migrationTableSchema: schema } : {}) });
}

/**
 * Applies what is missing. Safe on every start and from several nodes at once:
 * on PostgreSQL the whole run holds an advisory lock on one connection, so a
 * second node waits and then finds nothing to do.
 */
export async function migrate(db: Kysely<unknown>, kind: 'sqlite' | 'postgres'): Promise<string[]> {
  const run = async (conn: Kysely<unknown>) => {
    const { error, results } = await (await migrator(conn)).migrateToLatest();
    if (error) throw new Error(`database migration failed: ${(error as Error).message}`);
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  };
  if (kind === 'sqlite') {
    // SQLite has no advisory lock: two processes starting on a new file can both see
    // a migration as pending and one then fails (on the DDL, or, for a migration that
    // can run twice, on recording it; or renaming a column the other renamed between
    // its check and its rename, as 0014 may). Its retry finds the work done.
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(db);
      } catch (err) {
        if (
          attempt >= 5 ||
          !/already exists|duplicate column|no such column|SQLITE_BUSY|database is locked|UNIQUE constraint failed: kysely_migration/i.test(
            String((err as Error).message),
          )
        )
          throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(7305532019)`.execute(conn);
        try {
          return await run(conn);
        } finally {
          await sql`select pg_advisory_unlock(7305532019)`.execute(conn);
        }
      });
    } catch (err) {
      // Kysely looks for its own table by listing every schema of the database and
      // asking has_schema_privilege of each; a schema dropped meanwhile by someone
      // else (another tenant, a test's cleanup) fails that query. Ours is not the
      // one missing, so asking again is safe.
      const gone = /schema "([^"]+)" does not exist/.exec(String((err as Error).message));
      if (attempt >= 5 || !gone || (await currentSchema(db)) === gone[1]) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

async function currentSchema(db: Kysely<unknown>): Promise<string | null | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
    db,
  );
  return rows[0]?.schema;
}

export async function pendingMigrations(db: Kysely<unknown>): Promise<string[]> {
  const info = await (await migrator(db)).getMigrations();
  return info.filter((m) => !m.executedAt).map((m) => m.name);
}
