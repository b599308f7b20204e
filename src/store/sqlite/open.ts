import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Database as Tables } from '../sql/tables.js';
import { QueuedSqliteDialect } from './dialect.js';
import { narrowDatabaseFiles, prepareDatabaseFiles } from './private-files.js';
import { withStatementCache } from './statements.js';

/**
 * Two processes switching a new file to WAL at once can each hold a read lock
 * that the other's switch needs: SQLite then answers SQLITE_BUSY at once,
 * without waiting through busy_timeout (it would deadlock). The loser waits a
 * little, its read lock released, and tries again.
 */
function toWal(raw: Database.Database): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 1; ; attempt++) {
    try {
      raw.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 50) throw err;
      Atomics.wait(pause, 0, 0, 10 + Math.floor(Math.random() * 40));
    }
  }
}

/**
 * Opens (creating if needed) the SQLite file in WAL mode, readable by this user
 * only (private-files.ts). synchronous=FULL so a commit is on disk before we
 * acknowledge it (DESIGN.md rule 3). `ownDir`: the data directory, when the file
 * lives in it.
 */
export function openSqlite(path: string, opts: { ownDir?: string } = {}): Kysely<Tables> {
  if (path !== ':memory:') prepareDatabaseFiles(path, opts.ownDir);
  const raw = new Database(path);
  // First, so that switching a new file to WAL waits for another process doing the same.
  raw.pragma('busy_timeout = 5000');
  toWal(raw);
  raw.pragma('synchronous = FULL');
  // Checkpoint every ~40 MB of WAL (4 kB pages), not every 4 MB: a send dirties
  // about 7 scattered index pages, and the pages written again between two
  // checkpoints are copied back once. About 10% less CPU per message; durability
  // is the commit's fsync either way.
  raw.pragma('wal_autocheckpoint = 10000');
  raw.pragma('foreign_keys = ON');
  // Deleted text is overwritten with zeros in the file, not left in freed space
  // (docs/operations.md, "What a deletion guarantees"). Measured at 8baec5f with
  // `bench --scenario dm --pairs 100`: 3,300-3,600 messages per server CPU second
  // with it and without, within the noise of a shared 2-core machine.
  raw.pragma('secure_delete = ON');
  // A WAL that grew while a long reader held checkpoints back is cut back to 64 MB
  // once they resume, so old page copies do not linger past its usual ~40 MB.
  raw.pragma('journal_size_limit = 67108864');
  if (path !== ':memory:') narrowDatabaseFiles(path);
  return new Kysely<Tables>({
    dialect: new QueuedSqliteDialect({ database: withStatementCache(raw) }),
  });
}
