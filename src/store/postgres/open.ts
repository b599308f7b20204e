import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database as Tables } from '../sql/tables.js';
import { namePreparedStatements } from './prepared.js';

const INT8 = 20;

/**
 * A pool whose bigint columns come back as numbers: they hold millisecond
 * timestamps and counters, far below 2^53.
 * `schema` (tests) puts every table in that schema via search_path.
 */
export function openPostgres(
  url: string,
  opts: { poolSize: number; schema?: string },
): Kysely<Tables> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize,
    connectionTimeoutMillis: 5000,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  pool.on('connect', namePreparedStatements);
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
}
