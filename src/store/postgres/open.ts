import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { StoreHealth } from '../health.js';
import type { Database as Tables } from '../sql/tables.js';
import { namePreparedStatements } from './prepared.js';

const INT8 = 20;

/**
 * A pool whose bigint columns come back as numbers: they hold millisecond
 * timestamps and counters, far below 2^53.
 * `schema` (tests) puts every table in that schema via search_path.
 *
 * When the server restarts or dies, pg emits 'error' on idle clients (the pool
 * listens) and on checked-out ones (nobody did: Node exited). Every client gets a
 * listener of its own when it connects; a failed client is not queryable and
 * the pool drops it at release. A query or a connect that fails because the
 * database cannot be reached rejects with `unavailable` (`health.failed`).
 */
export function openPostgres(
  url: string,
  opts: { poolSize: number; schema?: string; health: StoreHealth },
): Kysely<Tables> {
  const { health } = opts;
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
  pool.on('error', (err) => void health.failed(err));
  pool.on('connect', (client) => {
    // A checked-out client's error: its query (if any) rejects with it too.
    client.on('error', (err) => void health.failed(err));
    namePreparedStatements(client);
    guardQueries(client, health);
  });
  const guarded = {
    connect: () =>
      pool.connect().catch((err: unknown) => {
        throw health.failed(err);
      }),
    end: () => pool.end(),
  };
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool: guarded }) });
}

/** Kysely runs every statement as `client.query(text, values)`, a promise: map its failure, note its success. */
function guardQueries(client: pg.PoolClient, health: StoreHealth): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (
    ...args: unknown[]
  ) => {
    const startedAt = Date.now();
    const out = query(...args);
    if (!(out instanceof Promise)) return out;
    return out.then(
      (r: unknown) => {
        health.succeeded(startedAt);
        return r;
      },
      (err: unknown) => {
        throw health.failed(err);
      },
    );
  };
}
