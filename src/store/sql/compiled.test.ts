import Database from 'better-sqlite3';
import { type Generated, Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { withStatementCache } from '../sqlite/statements.js';
import { compiled } from './compiled.js';

interface Tables {
  t: { k: Generated<number>; owner: string; v: string; n: number };
}

let raw: Database.Database;
let db: Kysely<Tables>;
beforeEach(() => {
  raw = new Database(':memory:');
  raw.exec('create table t (k integer primary key, owner text not null, v text, n integer)');
  db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
});
afterEach(async () => {
  await db.destroy();
});

describe('compiled', () => {
  it('binds each call its own values, a value used twice and constants in their places', async () => {
    const insert = compiled((p: { owner: string; v: string }) =>
      db
        .insertInto('t')
        .values((eb) => ({
          owner: p.owner,
          v: p.v,
          // next n for this owner: the owner is bound twice.
          n: eb
            .selectFrom('t')
            .select(sql<number>`coalesce(max(n), 0) + 1`.as('next'))
            .where('owner', '=', p.owner),
        }))
        .returning(['n', 'v']),
    );
    const list = compiled((p: { owner: string }) =>
      db
        .selectFrom('t')
        .select(['v', 'n'])
        .where('owner', '=', p.owner)
        .where('n', '>', 0) // a constant, kept as it was built
        .orderBy('n'),
    );
    expect(await insert(db, { owner: 'a', v: 'a1' })).toEqual([{ n: 1, v: 'a1' }]);
    expect(await insert(db, { owner: 'b', v: 'b1' })).toEqual([{ n: 1, v: 'b1' }]);
    await db.transaction().execute(async (tx) => {
      expect(await insert(tx, { owner: 'a', v: 'a2' })).toEqual([{ n: 2, v: 'a2' }]);
    });
    expect(await list(db, { owner: 'a' })).toEqual([
      { v: 'a1', n: 1 },
      { v: 'a2', n: 2 },
    ]);
    expect(await list(db, { owner: 'b' })).toEqual([{ v: 'b1', n: 1 }]);
    expect(await list(db, { owner: 'nobody' })).toEqual([]);
  });

  it('builds the query once and sends the same SQL text every time', async () => {
    const build = vi.fn((p: { k: number }) => db.selectFrom('t').selectAll().where('k', '=', p.k));
    const one = compiled(build);
    const seen: string[] = [];
    const spy = vi.spyOn(db, 'executeQuery').mockImplementation((q) => {
      seen.push((q as { sql: string }).sql);
      return Promise.resolve({ rows: [] });
    });
    await one(db, { k: 1 });
    await one(db, { k: 2 });
    spy.mockRestore();
    expect(build).toHaveBeenCalledTimes(1);
    expect(seen).toEqual(['select * from "t" where "k" = ?', 'select * from "t" where "k" = ?']);
  });

  it('refuses a build that inlines or transforms a value, and a call that leaves one out', async () => {
    const inlined = compiled((p: { v: string }) =>
      db.selectFrom('t').selectAll().where('v', '=', sql.lit(p.v)),
    );
    await expect(inlined(db, { v: 'x' })).rejects.toThrow(/inlined/);
    const transformed = compiled((p: { v: string }) =>
      db.selectFrom('t').selectAll().where('v', '=', JSON.stringify(p.v)),
    );
    await expect(transformed(db, { v: 'x' })).rejects.toThrow(/transformed/);
    const unused = compiled((p: { v: string }) => {
      void p.v;
      return db.selectFrom('t').selectAll();
    });
    await expect(unused(db, { v: 'x' })).rejects.toThrow(/not a bound parameter/);
    const ok = compiled((p: { v: string }) => db.selectFrom('t').selectAll().where('v', '=', p.v));
    await expect(ok(db, {} as { v: string })).rejects.toThrow(/no value for v/);
  });
});
