import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type {
  Appended,
  LogPayload,
  MessageStore,
  StoredMessage,
} from '../../core/messages/store.js';
import { preparedOnPostgres } from '../postgres/prepared.js';
import type { Database } from './tables.js';

/** A message's files as stored: null when it carries none. */
export const attachmentsJson = (m: { attachments?: readonly unknown[] }): string | null =>
  m.attachments?.length ? JSON.stringify(m.attachments) : null;

type Tx = Transaction<Database> | Kysely<Database>;
type Kind = 'sqlite' | 'postgres';

export interface SendItem {
  m: Parameters<MessageStore['insert']>[0];
  logFor: (m: StoredMessage) => string[];
  payload: LogPayload;
}

/**
 * A batch of sends written with a handful of statements, whatever its size (group
 * commit's usual path, src/store/sql/messages.ts): the conversations' and users'
 * current heads in one read each, sequence numbers counted on from them here, then
 * the messages and the log entries as multi-row inserts. One statement per send (or
 * three, as before) cost a round trip each on PostgreSQL and Kysely's promise chain
 * each on SQLite.
 *
 * The caller holds every user's lock (PostgreSQL) or the only connection (SQLite),
 * so nobody else appends to these conversations or logs until it commits: the
 * numbers stay gapless and in commit order. Any failure (a client id already used)
 * fails the whole statement, and the caller runs the batch again one send at a time.
 */
export async function writeSendBatch(
  tx: Tx,
  kind: Kind,
  items: readonly SendItem[],
): Promise<(Appended & { duplicate: false })[]> {
  const convHeads = await heads(
    tx,
    kind,
    'messages',
    'conversation_id',
    items.map((i) => i.m.conversationId),
  );
  const stored = items.map(({ m }) => {
    const { held, ...fields } = m;
    const seq = convHeads.get(m.conversationId)! + 1;
    convHeads.set(m.conversationId, seq);
    const s: StoredMessage = {
      ...fields,
      // Stored as visible-but-held, so releasing it is one flag.
      visibleToRecipient: m.visibleToRecipient && held !== true,
      filtered: held === true ? 'held' : 'no',
      seq,
      editedAt: null,
      deletedAt: null,
      reactions: [],
    };
    return s;
  });
  const audiences = items.map((item, i) => item.logFor(stored[i]!));
  const userHeads = await heads(tx, kind, 'user_log', 'user_id', audiences.flat());

  await insertRows(
    tx,
    kind,
    'messages',
    MESSAGE_COLUMNS,
    items.map(({ m }, i) => [
      m.id,
      m.conversationId,
      stored[i]!.seq,
      m.senderId,
      m.recipientId,
      m.clientId,
      m.text,
      m.replyTo,
      m.createdAt,
      m.visibleToRecipient ? 1 : 0,
      m.held === true ? 1 : 0,
      attachmentsJson(m),
    ]),
  );

  const logRows: unknown[][] = [];
  const results = items.map((item, i) => {
    const message = stored[i]!;
    const seqs = new Map<string, number>();
    // Every user usually gets the same entry: serialised once.
    let last: { data: Record<string, unknown>; json: string } | undefined;
    for (const userId of audiences[i]!) {
      const p = item.payload(message, userId);
      if (last?.data !== p.data) last = { data: p.data, json: JSON.stringify(p.data) };
      const seq = userHeads.get(userId)! + 1;
      userHeads.set(userId, seq);
      seqs.set(userId, seq);
      logRows.push([userId, seq, message.createdAt, p.name, message.id, last.json]);
    }
    return { message, seqs, duplicate: false as const };
  });
  await insertRows(tx, kind, 'user_log', LOG_COLUMNS, logRows);
  return results;
}

/** Columns written, with their PostgreSQL types (for unnest's arrays). */
const MESSAGE_COLUMNS = [
  ['id', 'text'],
  ['conversation_id', 'text'],
  ['seq', 'bigint'],
  ['sender_id', 'text'],
  ['recipient_id', 'text'],
  ['client_id', 'text'],
  ['body', 'text'],
  ['reply_to', 'text'],
  ['created_at', 'bigint'],
  ['visible_to_recipient', 'integer'],
  ['filtered', 'integer'],
  ['attachments', 'text'],
] as const;
const LOG_COLUMNS = [
  ['user_id', 'text'],
  ['seq', 'bigint'],
  ['at', 'bigint'],
  ['name', 'text'],
  ['message_id', 'text'],
  ['data', 'text'],
] as const;
type Columns = readonly (readonly [string, string])[];

/**
 * The highest `seq` under each key (0 for none), one indexed look-up per key: a
 * correlated max() is a single seek backwards in the (key, seq) index, where a
 * GROUP BY would read every row of a long log. The keys travel as one parameter,
 * so the statement's text is the same for every batch.
 */
async function heads(
  tx: Tx,
  kind: Kind,
  table: 'messages' | 'user_log',
  key: 'conversation_id' | 'user_id',
  keys: readonly string[],
): Promise<Map<string, number>> {
  const unique = [...new Set(keys)];
  const text =
    kind === 'postgres'
      ? preparedOnPostgres(
          `select k, (select max(seq) from ${table} where ${key} = k) as head from unnest($1::text[]) as t(k)`,
        )
      : `select value as k, (select max(seq) from ${table} where ${key} = value) as head from json_each(?)`;
  const { rows } = await tx.executeQuery<{ k: string; head: number | string | null }>(
    CompiledQuery.raw(text, [kind === 'postgres' ? unique : JSON.stringify(unique)]),
  );
  const out = new Map<string, number>();
  for (const r of rows) out.set(r.k, Number(r.head ?? 0));
  return out;
}

/**
 * SQLite: multi-row inserts in chunks of 64, 16, 4 and 1 rows, so its statement cache
 * sees only four texts per table. PostgreSQL: one statement whatever the count, each
 * column as one array parameter spread by unnest (one round trip, one prepared text).
 */
const CHUNKS = [64, 16, 4, 1];
const texts = new Map<string, string>();

function insertText(table: string, columns: Columns, n: number): string {
  const id = `${table} ${n}`;
  let text = texts.get(id);
  if (text === undefined) {
    const row = `(${columns.map(() => '?').join(', ')})`;
    text = `insert into ${table} (${columns.map(([c]) => c).join(', ')}) values ${Array.from({ length: n }, () => row).join(', ')}`;
    texts.set(id, text);
  }
  return text;
}

function unnestText(table: string, columns: Columns): string {
  const id = `unnest ${table}`;
  let text = texts.get(id);
  if (text === undefined) {
    text = preparedOnPostgres(
      `insert into ${table} (${columns.map(([c]) => c).join(', ')}) select * from unnest(${columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`,
    );
    texts.set(id, text);
  }
  return text;
}

async function insertRows(
  tx: Tx,
  kind: Kind,
  table: string,
  columns: Columns,
  rows: readonly unknown[][],
): Promise<void> {
  if (rows.length === 0) return;
  if (kind === 'postgres') {
    const arrays = columns.map((_, c) => rows.map((r) => r[c]));
    await tx.executeQuery(CompiledQuery.raw(unnestText(table, columns), arrays));
    return;
  }
  for (let i = 0; i < rows.length;) {
    const n = CHUNKS.find((c) => c <= rows.length - i)!;
    await tx.executeQuery(
      CompiledQuery.raw(insertText(table, columns, n), rows.slice(i, i + n).flat()),
    );
    i += n;
  }
}
