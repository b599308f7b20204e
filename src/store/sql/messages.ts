import { CompiledQuery, type Kysely, type Selectable, type Transaction, sql } from 'kysely';
import type { LogPayload, MessageStore, StoredMessage } from '../../core/messages/store.js';
import { blankNames } from '../../core/records.js';
import { compiled } from './compiled.js';
import { isUniqueViolation } from './errors.js';
import { preparedOnPostgres } from '../postgres/prepared.js';
import type { SearchIndexer } from './search-index.js';
import { attachmentsJson, writeSendBatch } from './send-batch.js';

export { attachmentsJson };
import type { Database, MessagesTable } from './tables.js';

type Tx = Transaction<Database> | Kysely<Database>;

// Group commit's savepoints (when a batch must run again), compiled once.
const SAVEPOINT = CompiledQuery.raw('savepoint parley_send');
const RELEASE = CompiledQuery.raw('release savepoint parley_send');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint parley_send');
const LOCK_USERS = preparedOnPostgres(`select pg_advisory_xact_lock(hashtextextended(k, 0))
  from unnest($1::text[]) with ordinality as t(k, i) order by i`);

export const toMessage = (
  r: Selectable<MessagesTable>,
  reactions: StoredMessage['reactions'] = [],
): StoredMessage => ({
  id: r.id,
  conversationId: r.conversation_id,
  seq: Number(r.seq),
  senderId: r.sender_id,
  recipientId: r.recipient_id,
  clientId: r.client_id,
  text: r.body,
  replyTo: r.reply_to,
  createdAt: Number(r.created_at),
  editedAt: r.edited_at === null ? null : Number(r.edited_at),
  deletedAt: r.deleted_at === null ? null : Number(r.deleted_at),
  visibleToRecipient: Number(r.visible_to_recipient) === 1 && Number(r.filtered) === 0,
  filtered: Number(r.filtered) === 1 ? 'held' : Number(r.filtered) === 2 ? 'cleared' : 'no',
  reactions,
  ...(r.attachments ? { attachments: parseAttachments(r.attachments) } : {}),
});

/** The stored JSON list of a message's files; a row that fails to parse carries none. */
function parseAttachments(json: string): StoredMessage['attachments'] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as StoredMessage['attachments']) : [];
  } catch {
    return [];
  }
}

export async function reactionsOf(
  db: Tx,
  ids: readonly string[],
): Promise<Map<string, StoredMessage['reactions']>> {
  const out = new Map<string, StoredMessage['reactions']>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('reactions')
    .select(['message_id', 'user_id', 'emoji'])
    .where('message_id', 'in', [...ids])
    .orderBy('created_at')
    .orderBy('user_id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.message_id) ?? [];
    let entry = list.find((e) => e.emoji === r.emoji);
    if (!entry) list.push((entry = { emoji: r.emoji, userIds: [] }));
    entry.userIds.push(r.user_id);
    out.set(r.message_id, list);
  }
  return out;
}

/** Messages by id as they are now (with reactions), in two reads however many. */
export async function loadMany(
  db: Tx,
  ids: readonly string[],
): Promise<Map<string, StoredMessage>> {
  const out = new Map<string, StoredMessage>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const rows = await db.selectFrom('messages').selectAll().where('id', 'in', chunk).execute();
    const reactions = await reactionsOf(db, chunk);
    for (const r of rows) out.set(r.id, toMessage(r, reactions.get(r.id) ?? []));
  }
  return out;
}

async function load(db: Tx, id: string): Promise<StoredMessage | undefined> {
  const r = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  return toMessage(r, (await reactionsOf(db, [id])).get(id) ?? []);
}

/**
 * Search terms are words of letters and digits only (core's searchTerms), so they
 * are safe inside either query syntax. Each matches as a prefix, as people type
 * ("go" finds "going"); one letter only as a whole word, or it matches everything.
 */
const ftsTerm = (t: string) => (t.length > 1 ? `"${t}"*` : `"${t}"`);
const pgTerm = (t: string) => (t.length > 1 ? `${t}:*` : t);

export function createSqlMessageStore(
  db: Kysely<Database>,
  kind: 'sqlite' | 'postgres',
  /** SQLite: the full-text index filled in batches, caught up before each search. */
  searchIndex?: SearchIndexer,
): MessageStore {
  /**
   * Serialises writers per user: log and conversation sequence numbers are
   * max+1 under these locks, so they are gapless and commit in order. SQLite
   * runs one transaction at a time anyway.
   *
   * Every caller takes its locks in sorted order, so no two wait on each other in
   * a cycle; one statement takes them all (a batch of sends names many users).
   * Ordered by ordinality, the locks are taken in the array's order whether the
   * lock call runs before or after that sort.
   */
  async function lockUsers(tx: Tx, ids: readonly string[]): Promise<void> {
    if (kind !== 'postgres') return;
    const keys = [...new Set(ids)].sort().map((id) => 'user:' + id);
    await tx.executeQuery(CompiledQuery.raw(LOCK_USERS, [keys]));
  }

  // The statements every send runs, built once (see compiled.ts).
  const insertEntry = compiled(
    (p: { userId: string; at: number; name: string; messageId: string | null; data: string }) =>
      db
        .insertInto('user_log')
        .values((eb) => ({
          user_id: p.userId,
          seq: eb
            .selectFrom('user_log')
            .select(sql<number>`coalesce(max(seq), 0) + 1`.as('next'))
            .where('user_id', '=', p.userId),
          at: p.at,
          name: p.name,
          message_id: p.messageId,
          data: p.data,
        }))
        .returning('seq'),
  );
  const selectBySender = compiled((p: { senderId: string; clientId: string }) =>
    db
      .selectFrom('messages')
      .selectAll()
      .where('sender_id', '=', p.senderId)
      .where('client_id', '=', p.clientId),
  );
  const insertMessage = compiled(
    (p: {
      id: string;
      conversationId: string;
      senderId: string;
      recipientId: string;
      clientId: string;
      body: string;
      replyTo: string | null;
      createdAt: number;
      visible: number;
      filtered: number;
      attachments: string | null;
    }) =>
      db
        .insertInto('messages')
        .values((eb) => ({
          id: p.id,
          conversation_id: p.conversationId,
          // The conversation's next seq is read by the insert itself: one statement, not two.
          seq: eb
            .selectFrom('messages')
            .select(sql<number>`coalesce(max(seq), 0) + 1`.as('next'))
            .where('conversation_id', '=', p.conversationId),
          sender_id: p.senderId,
          recipient_id: p.recipientId,
          client_id: p.clientId,
          body: p.body,
          reply_to: p.replyTo,
          created_at: p.createdAt,
          edited_at: null,
          deleted_at: null,
          visible_to_recipient: p.visible,
          filtered: p.filtered,
          attachments: p.attachments,
        }))
        .returning('seq'),
  );

  // The send's lookups in one statement (MessageStore.sendContext). A recipient with
  // keyword filters costs one more statement, a retried client id one more.
  const p = kind === 'postgres' ? (n: number) => `$${n}` : () => '?';
  const SEND_CONTEXT = preparedOnPostgres(`select
      s.username as sender_name, s.guest as sender_guest,
      t.id as to_id, t.username as to_username, t.guest as to_guest,
      exists (select 1 from blocks b where b.owner_id = t.id and b.blocked_id = ${p(1)}) as blocked,
      exists (select 1 from blocks b where b.owner_id = ${p(1)} and b.blocked_id = t.id) as blocking,
      exists (select 1 from filters f where f.user_id = t.id) as has_filters,
      (select m.id from messages m where m.sender_id = ${p(1)} and m.client_id = ${p(2)}) as earlier_id
    from (select 1 as one) o left join users t on t.username = ${p(3)}
      left join users s on s.id = ${p(1)}`);
  const sendContextParams =
    kind === 'postgres'
      ? (sender: string, to: string, clientId: string) => [sender, clientId, to]
      : (sender: string, to: string, clientId: string) => [
          sender,
          sender,
          sender,
          clientId,
          to,
          sender,
        ];
  const selectPhrases = compiled((q: { userId: string }) =>
    db
      .selectFrom('filters')
      .select('phrase')
      .where('user_id', '=', q.userId)
      .orderBy('phrase_lower'),
  );

  /**
   * One log entry at the user's head + 1, read and written by one statement (the
   * caller holds the user's lock), so a send costs one statement per user, not two.
   */
  async function appendEntry(
    tx: Tx,
    userId: string,
    at: number,
    name: string,
    messageId: string | null,
    data: Record<string, unknown>,
  ): Promise<number> {
    const [r] = await insertEntry(tx, {
      userId,
      at,
      name,
      messageId,
      data: JSON.stringify(blankNames(data)),
    });
    return Number(r!.seq);
  }

  async function appendLog(
    tx: Tx,
    m: StoredMessage,
    users: readonly string[],
    payload: LogPayload,
    at: number,
  ): Promise<Map<string, number>> {
    const seqs = new Map<string, number>();
    // The service gives every user the same entry: serialised once.
    let last: { data: Record<string, unknown>; json: string } | undefined;
    for (const userId of users) {
      const p = payload(m, userId);
      if (last?.data !== p.data) last = { data: p.data, json: JSON.stringify(p.data) };
      const [r] = await insertEntry(tx, {
        userId,
        at,
        name: p.name,
        messageId: m.id,
        data: last.json,
      });
      seqs.set(userId, Number(r!.seq));
    }
    return seqs;
  }

  interface Touch {
    userId: string;
    conversationId: string;
    otherId: string;
    seq: number;
    at: number;
  }

  /** The conversation-list entries a message moves: one per user who can see it. */
  function touchesOf(m: StoredMessage, viewers: Iterable<string>): Touch[] {
    if (!m.conversationId.startsWith('dm:')) return [];
    return [...viewers].map((userId) => ({
      userId,
      conversationId: m.conversationId,
      otherId: userId === m.senderId ? m.recipientId : m.senderId,
      seq: m.seq,
      at: m.createdAt,
    }));
  }

  /**
   * Moves conversation-list entries forward (never back: a released old message does
   * not outrank a newer one), in one statement however many; a batch of sends calls it
   * once. An entry named twice keeps its latest message (one row may change only once
   * per statement).
   */
  async function touchConversations(tx: Tx, touches: readonly Touch[]): Promise<void> {
    const latest = new Map<string, Touch>();
    for (const t of touches) {
      const key = `${t.userId} ${t.conversationId}`;
      const had = latest.get(key);
      if (!had || had.seq < t.seq) latest.set(key, t);
    }
    if (latest.size === 0) return;
    const params: unknown[] = [];
    const rows = [...latest.values()].map((t) => {
      params.push(t.userId, t.conversationId, t.otherId, t.seq, t.at);
      const n = params.length;
      return kind === 'postgres'
        ? `($${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`
        : '(?, ?, ?, ?, ?)';
    });
    await tx.executeQuery(
      CompiledQuery.raw(
        `insert into conversations (user_id, conversation_id, other_id, last_seq, last_at)
         values ${rows.join(', ')}
         on conflict (user_id, conversation_id) do update
           set last_seq = excluded.last_seq, last_at = excluded.last_at
           where conversations.last_seq < excluded.last_seq`,
        params,
      ),
    );
  }

  async function bySender(
    tx: Tx,
    senderId: string,
    clientId: string,
  ): Promise<StoredMessage | undefined> {
    const [r] = await selectBySender(tx, { senderId, clientId });
    return r && toMessage(r, (await reactionsOf(tx, [r.id])).get(r.id) ?? []);
  }

  type InsertArgs = Parameters<MessageStore['insert']>;
  type Inserted = Awaited<ReturnType<MessageStore['insert']>>;

  /**
   * One message and its log entries, inside the caller's transaction (locks already
   * held). A retry of a stored send is answered before it gets here; two copies
   * racing trip the (sender, clientId) unique constraint, and the loser is answered
   * with the winner's message (retryAsDuplicate).
   */
  async function insertOne(
    tx: Tx,
    m: InsertArgs[0],
    logFor: InsertArgs[1],
    payload: InsertArgs[2],
  ): Promise<Inserted> {
    const { held, ...fields } = m;
    const [row] = await insertMessage(tx, {
      id: m.id,
      conversationId: m.conversationId,
      senderId: m.senderId,
      recipientId: m.recipientId,
      clientId: m.clientId,
      body: m.text,
      replyTo: m.replyTo,
      createdAt: m.createdAt,
      visible: m.visibleToRecipient ? 1 : 0,
      filtered: held === true ? 1 : 0,
      attachments: attachmentsJson(m),
    });
    const stored: StoredMessage = {
      ...fields,
      // Stored as visible-but-held, so releasing it is one flag.
      visibleToRecipient: m.visibleToRecipient && held !== true,
      filtered: held === true ? 'held' : 'no',
      seq: Number(row!.seq),
      editedAt: null,
      deletedAt: null,
      reactions: [],
    };
    const seqs = await appendLog(tx, stored, logFor(stored), payload, stored.createdAt);
    return { message: stored, seqs, duplicate: false };
  }

  /**
   * Group commit: sends that arrive while a transaction is running wait for the
   * next one and share it (one failure spoils nothing else: see drainBatches);
   * every one is answered only after that transaction has committed.
   */
  interface Job {
    args: InsertArgs;
    resolve(r: Inserted): void;
    reject(e: unknown): void;
  }
  const queue: Job[] = [];
  let draining = false;
  const MAX_BATCH = 256;

  async function retryAsDuplicate(job: Job, err: unknown): Promise<void> {
    // Two copies of one retried send racing: the loser answers with the winner's message.
    try {
      const [m] = job.args;
      const earlier = isUniqueViolation(err)
        ? await bySender(db, m.senderId, m.clientId)
        : undefined;
      if (earlier)
        job.resolve({ message: earlier, seqs: new Map<string, number>(), duplicate: true });
      else job.reject(err);
    } catch (lookupErr) {
      job.reject(lookupErr);
    }
  }

  async function drain(): Promise<void> {
    try {
      await drainBatches();
    } finally {
      draining = false;
      // Anything queued during the last await starts a new round.
      if (queue.length) {
        draining = true;
        setImmediate(() => void drain());
      }
    }
  }

  type Outcome = { ok: Inserted } | { err: unknown };

  /**
   * The batch in one transaction. With `savepoints`, each send runs in its own, so a
   * failing send fails alone; without, any failure throws and nothing is committed.
   */
  async function runBatch(batch: readonly Job[], savepoints: boolean): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    await db.transaction().execute(async (tx) => {
      await lockUsers(
        tx,
        batch.flatMap((j) => [j.args[0].senderId, j.args[0].recipientId]),
      );
      if (!savepoints) {
        const written = await writeSendBatch(
          tx,
          kind,
          batch.map((j) => ({ m: j.args[0], logFor: j.args[1], payload: j.args[2] })),
        );
        for (const ok of written) outcomes.push({ ok });
      }
      for (const job of savepoints ? batch : []) {
        await tx.executeQuery(SAVEPOINT);
        try {
          outcomes.push({ ok: await insertOne(tx, ...job.args) });
          await tx.executeQuery(RELEASE);
        } catch (err) {
          await tx.executeQuery(ROLLBACK_TO);
          await tx.executeQuery(RELEASE);
          outcomes.push({ err });
        }
      }
      // The conversation lists of the whole batch in one statement, in the same transaction.
      await touchConversations(
        tx,
        outcomes.flatMap((o) => ('ok' in o ? touchesOf(o.ok.message, o.ok.seqs.keys()) : [])),
      );
    });
    return outcomes;
  }

  async function drainBatches(): Promise<void> {
    while (queue.length) {
      const batch = queue.splice(0, MAX_BATCH);
      let outcomes: Outcome[];
      try {
        // A send almost never fails, so a batch is first written whole, in a handful of
        // statements (send-batch.ts). If one send fails, nothing was committed, and the
        // batch runs again one send at a time, each in a savepoint, so only it fails.
        outcomes = await runBatch(batch, false).catch((err: unknown) => {
          if (batch.length === 1) throw err;
          return runBatch(batch, true);
        });
      } catch (err) {
        // Nothing of this batch was committed.
        if (batch.length === 1) await retryAsDuplicate(batch[0]!, err);
        else for (const job of batch) job.reject(err);
        continue;
      }
      for (const [i, job] of batch.entries()) {
        const o = outcomes[i]!;
        if ('ok' in o) job.resolve(o.ok);
        else await retryAsDuplicate(job, o.err);
      }
    }
  }

  return {
    insert(m, logFor, payload) {
      return new Promise<Inserted>((resolve, reject) => {
        queue.push({ args: [m, logFor, payload], resolve, reject });
        if (!draining) {
          draining = true;
          setImmediate(() => void drain());
        }
      });
    },

    async sendContext(senderId, toUsername, clientId) {
      const { rows } = await db.executeQuery<{
        sender_name: string | null;
        sender_guest: number | null;
        to_id: string | null;
        to_username: string | null;
        to_guest: number | null;
        blocked: number | boolean;
        blocking: number | boolean;
        has_filters: number | boolean;
        earlier_id: string | null;
      }>(CompiledQuery.raw(SEND_CONTEXT, sendContextParams(senderId, toUsername, clientId)));
      const r = rows[0]!;
      const to =
        r.to_id !== null && r.to_username !== null
          ? { id: r.to_id, username: r.to_username, guest: Number(r.to_guest) === 1 }
          : undefined;
      return {
        senderName: r.sender_name ?? undefined,
        senderGuest: Number(r.sender_guest) === 1,
        to,
        blocked: Boolean(Number(r.blocked)),
        blocking: Boolean(Number(r.blocking)),
        phrases:
          to && Number(r.has_filters)
            ? (await selectPhrases(db, { userId: to.id })).map((f) => f.phrase)
            : [],
        earlier: r.earlier_id === null ? undefined : await bySender(db, senderId, clientId),
      };
    },
    bySenderClientId: (senderId, clientId) => bySender(db, senderId, clientId),
    byId: (id) => load(db, id),

    async update(id, change, logFor, payload) {
      return db.transaction().execute(async (tx) => {
        const first = await load(tx, id);
        if (!first) return undefined;
        await lockUsers(tx, [first.senderId, first.recipientId]);
        const cur = (await load(tx, id))!;
        const patch = change(cur);
        // Nothing to change (a repeated delete): nothing is logged or told.
        if (Object.keys(patch).length === 0)
          return { message: cur, seqs: new Map<string, number>() };
        const next: StoredMessage = { ...cur, ...patch };
        if (patch.filtered !== undefined) {
          const blocked = (
            await tx
              .selectFrom('messages')
              .select('visible_to_recipient')
              .where('id', '=', id)
              .executeTakeFirstOrThrow()
          ).visible_to_recipient;
          next.visibleToRecipient = Number(blocked) === 1 && patch.filtered === 'no';
        }
        await tx
          .updateTable('messages')
          .set({
            body: next.text,
            edited_at: next.editedAt,
            deleted_at: next.deletedAt,
            filtered: next.filtered === 'held' ? 1 : next.filtered === 'cleared' ? 2 : 0,
          })
          .where('id', '=', id)
          .execute();
        if (next.deletedAt !== null) {
          await tx.deleteFrom('reactions').where('message_id', '=', id).execute();
          next.reactions = [];
        }
        const at = next.deletedAt ?? next.editedAt ?? Date.now();
        const viewers = logFor(next);
        const seqs = await appendLog(tx, next, viewers, payload, at);
        // A message released from the filtered folder is news in its conversation.
        if (patch.filtered === 'no') await touchConversations(tx, touchesOf(next, viewers));
        return { message: next, seqs };
      });
    },

    async react(id, userId, emoji, on, at, logFor, payload) {
      return db.transaction().execute(async (tx) => {
        const first = await load(tx, id);
        if (!first) return undefined;
        await lockUsers(tx, [first.senderId, first.recipientId]);
        // Read again under the lock: a deletion committed meanwhile wins.
        if ((await load(tx, id))?.deletedAt !== null) return undefined;
        let changed: number;
        if (on) {
          const r = await tx
            .insertInto('reactions')
            .values({ message_id: id, user_id: userId, emoji, created_at: at })
            .onConflict((oc) => oc.columns(['message_id', 'user_id', 'emoji']).doNothing())
            .executeTakeFirst();
          changed = Number(r.numInsertedOrUpdatedRows ?? 0);
        } else {
          const r = await tx
            .deleteFrom('reactions')
            .where('message_id', '=', id)
            .where('user_id', '=', userId)
            .where('emoji', '=', emoji)
            .executeTakeFirst();
          changed = Number(r.numDeletedRows);
        }
        const next = (await load(tx, id))!;
        // Reacting twice, or taking back what was not given, changes nothing and tells nobody.
        if (changed === 0) return { message: next, seqs: new Map<string, number>() };
        return { message: next, seqs: await appendLog(tx, next, logFor(next), payload, at) };
      });
    },

    async search(viewerId, terms, opts) {
      if (terms.length === 0) return [];
      // Messages committed since the last batch are indexed first: search misses nothing.
      await searchIndex?.catchUp();
      const conv = opts.conversationId
        ? sql`and m.conversation_id = ${opts.conversationId}`
        : sql``;
      const from = opts.fromSeq ? sql`and m.seq >= ${opts.fromSeq}` : sql``;
      const page = opts.before
        ? sql`and (m.created_at < ${opts.before.createdAt} or (m.created_at = ${opts.before.createdAt} and m.id < ${opts.before.id}))`
        : sql``;
      const visible =
        opts.wholeConversation && opts.conversationId
          ? sql`m.deleted_at is null`
          : opts.directOnly
            ? sql`m.deleted_at is null and m.conversation_id like 'dm:%' and (m.sender_id = ${viewerId} or (m.recipient_id = ${viewerId} and m.visible_to_recipient = 1 and m.filtered = 0))`
            : sql`m.deleted_at is null and (m.sender_id = ${viewerId} or (m.recipient_id = ${viewerId} and m.visible_to_recipient = 1 and m.filtered = 0) or exists (select 1 from room_members rm where rm.user_id = ${viewerId} and m.conversation_id = 'room:' || rm.room_id and m.seq >= rm.history_from))`;
      const times = sql.join(
        [
          sql``,
          ...(opts.start !== undefined ? [sql`m.created_at >= ${opts.start}`] : []),
          ...(opts.end !== undefined ? [sql`m.created_at <= ${opts.end}`] : []),
        ],
        sql` and `,
      );
      // Highlights are marked with U+0002 ... U+0003 (characters no one types).
      const q =
        kind === 'postgres'
          ? sql<Selectable<MessagesTable> & { snippet: string }>`
              select m.*, ts_headline('simple', m.body, q,
                'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=24, MinWords=8, MaxFragments=1, FragmentDelimiter=…') as snippet
              from messages m, to_tsquery('simple', ${terms.map(pgTerm).join(' & ')}) q
              where m.body_tsv @@ q and ${visible} ${conv} ${from} ${page} ${times}
              order by m.created_at desc, m.id desc limit ${opts.limit}`
          : sql<Selectable<MessagesTable> & { snippet: string }>`
              select m.*, snippet(messages_fts, 0, char(2), char(3), '…', 16) as snippet
              from messages_fts join messages m on m.rowid = messages_fts.rowid
              where messages_fts match ${terms.map(ftsTerm).join(' ')} and ${visible} ${conv} ${from} ${page} ${times}
              order by m.created_at desc, m.id desc limit ${opts.limit}`;
      const rows = (await q.execute(db)).rows;
      const reactions = await reactionsOf(
        db,
        rows.map((r) => r.id),
      );
      return rows.map((r) => ({
        message: toMessage(r, reactions.get(r.id) ?? []),
        snippet: r.snippet,
      }));
    },

    async held(userId, page) {
      let q = db
        .selectFrom('messages')
        .selectAll()
        .where('recipient_id', '=', userId)
        .where('filtered', '=', 1)
        .where('visible_to_recipient', '=', 1)
        .where('deleted_at', 'is', null)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit);
      if (page.before) {
        const b = page.before;
        q = q.where((eb) =>
          eb.or([
            eb('created_at', '<', b.createdAt),
            eb.and([eb('created_at', '=', b.createdAt), eb('id', '<', b.id)]),
          ]),
        );
      }
      const rows = await q.execute();
      const reactions = await reactionsOf(
        db,
        rows.map((r) => r.id),
      );
      return rows.map((r) => toMessage(r, reactions.get(r.id) ?? []));
    },

    async appendEvent(userId, name, data, at) {
      return db.transaction().execute(async (tx) => {
        await lockUsers(tx, [userId]);
        const seq = await appendEntry(tx, userId, at, name, null, data);
        return seq;
      });
    },

    async log(userId, after, limit) {
      const rows = await db
        .selectFrom('user_log')
        .selectAll()
        .where('user_id', '=', userId)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(limit)
        .execute();
      const messages = await loadMany(
        db,
        rows.flatMap((r) => (r.message_id === null ? [] : [r.message_id])),
      );
      return rows.map((r) => {
        const message = r.message_id === null ? undefined : messages.get(r.message_id);
        return {
          userId: r.user_id,
          seq: Number(r.seq),
          at: Number(r.at),
          name: r.name,
          data: JSON.parse(r.data) as Record<string, unknown>,
          ...(message ? { message } : {}),
        };
      });
    },

    async logHead(userId) {
      const r = await db
        .selectFrom('user_log')
        .select(sql<number>`coalesce(max(seq), 0)`.as('head'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      return Number(r.head);
    },

    async firstLogSeq(userId, messageId) {
      const r = await db
        .selectFrom('user_log')
        .select(sql<number>`min(seq)`.as('seq'))
        .where('user_id', '=', userId)
        .where('message_id', '=', messageId)
        .executeTakeFirst();
      return r?.seq === null || r?.seq === undefined ? undefined : Number(r.seq);
    },
  };
}
