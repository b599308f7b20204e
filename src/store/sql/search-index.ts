import { type Kysely, sql } from 'kysely';
import type { Database } from './tables.js';

/**
 * SQLite's full-text index (FTS5, external content on `messages`) is filled in
 * batches after the messages are committed, not by a trigger inside each send:
 * indexed one commit at a time, FTS5 writes a small segment per commit and keeps
 * merging them (about 18 µs a message); a batch of thousands costs about 2 µs a
 * message (docs/benchmarks.md).
 *
 * `fts_progress.indexed_to` is the highest `messages` rowid in the index; every
 * message above it is still to be indexed (migration 0011 keeps the update and
 * delete triggers to indexed messages only). The mark moves in the same
 * transaction as the rows it covers, so a crash leaves index and mark together;
 * the next catch-up indexes whatever was committed since.
 *
 * Search calls `catchUp` first, so it always sees every committed message; the
 * rest of the time a timer catches up every `everyMs` (default 500 ms).
 */
export interface SearchIndexer {
  /** Indexes every message committed so far. */
  catchUp(): Promise<void>;
  /** Stops the timer and waits for a catch-up under way. */
  close(): Promise<void>;
}

/** Rows per transaction: bounds how long one catch-up holds the connection (~40 ms). */
const CHUNK = 20_000;

export function createSearchIndexer(
  db: Kysely<Database>,
  opts: { everyMs?: number } = {},
): SearchIndexer {
  let running: Promise<void> | undefined;
  let closed = false;

  /** One chunk; true when more is left. */
  async function step(): Promise<boolean> {
    return db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ indexed_to: number; newest: number | null }>`
        select indexed_to, (select max(rowid) from messages) as newest from fts_progress`.execute(
        tx,
      );
      const from = Number(rows[0]?.indexed_to ?? 0);
      const newest = Number(rows[0]?.newest ?? 0);
      if (newest <= from) return false;
      const to = Math.min(newest, from + CHUNK);
      await sql`insert into messages_fts(rowid, body)
        select rowid, body from messages where rowid > ${from} and rowid <= ${to}`.execute(tx);
      await sql`update fts_progress set indexed_to = ${to}`.execute(tx);
      return to < newest;
    });
  }

  function catchUp(): Promise<void> {
    // One at a time: a caller arriving meanwhile waits for the run under way, then
    // runs again for what was committed since it began.
    const run = (running ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        while (await step());
      });
    const tracked: Promise<void> = run.finally(() => {
      if (running === tracked) running = undefined;
    });
    running = tracked;
    return run;
  }

  const timer = setInterval(() => {
    // Nothing to report to: a failure here (the file closing, say) is retried at the
    // next tick, and search runs its own catch-up and reports its own errors.
    if (!running && !closed) catchUp().catch(() => undefined);
  }, opts.everyMs ?? 500);
  timer.unref();

  return {
    catchUp,
    async close() {
      closed = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
