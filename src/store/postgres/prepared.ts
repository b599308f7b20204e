import type pg from 'pg';

/**
 * SQL texts that run on every send, kept as named (prepared) statements on each
 * PostgreSQL connection: parsed and planned once per connection instead of at
 * every run. Only texts registered here are named, and they must list their
 * result columns (no `select *`): a prepared statement whose result shape changes
 * under it (a column added by a newer node's migration) fails on PostgreSQL, and
 * the registered ones cannot change shape.
 */
const names = new Map<string, string>();

/** Registers `text` (idempotent) and returns it unchanged. */
export function preparedOnPostgres(text: string): string {
  if (!names.has(text)) names.set(text, `parley_${names.size + 1}`);
  return text;
}

/**
 * Makes a pool client run registered texts as named statements (Kysely's driver
 * calls `client.query(text, values)`; pg prepares a named statement on first use
 * per connection and reuses it after).
 */
export function namePreparedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (
    ...args: unknown[]
  ) => {
    const [text, values] = args;
    const name = typeof text === 'string' && args.length === 2 ? names.get(text) : undefined;
    return name === undefined ? query(...args) : query({ name, text, values });
  };
}
