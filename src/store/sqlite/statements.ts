import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Compiled statements kept per database: Parley's queries come in a few hundred shapes. */
export const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver calls `prepare(sql)` for every query it runs, and
 * better-sqlite3 compiles the SQL anew each time: about a fifth of the CPU of a
 * direct message went there. Queries bind their values as parameters, so the
 * same texts keep coming back; this keeps their compiled statements, least
 * recently used dropped first past `max`.
 *
 * Safe to share because the driver only calls `reader`, `all`, `run` and
 * `iterate` (no per-statement modes such as `raw` or `pluck`), binds every
 * parameter on each call, and runs one query at a time. A statement still being
 * iterated is `busy`: a second use of that text then gets a statement of its own.
 */
export function withStatementCache(db: Database, max = STATEMENT_CACHE_SIZE): SqliteDatabase {
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('max must be at least 1');
  const cache = new Map<string, Statement>();
  return {
    close: () => db.close(),
    prepare(sql) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        // Map keeps insertion order: moving the hit to the end makes the first key the oldest.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = db.prepare(sql);
      if (hit) return stmt;
      cache.set(sql, stmt);
      if (cache.size > max) cache.delete(cache.keys().next().value as string);
      return stmt;
    },
  };
}
