import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withStatementCache } from './statements.js';

const opened: Database.Database[] = [];
function open() {
  const raw = new Database(':memory:');
  opened.push(raw);
  raw.exec('create table t (k integer primary key, v text)');
  return { raw, prepare: vi.spyOn(raw, 'prepare') };
}
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
});

describe('withStatementCache', () => {
  it('prepares a text once and returns the same statement again', () => {
    const { raw, prepare } = open();
    const db = withStatementCache(raw, 4);
    const a = db.prepare('select v from t where k = ?');
    expect(db.prepare('select v from t where k = ?')).toBe(a);
    expect(prepare).toHaveBeenCalledTimes(1);
  });

  it('stays bounded, dropping the least recently used text first', () => {
    const { raw, prepare } = open();
    const db = withStatementCache(raw, 2);
    const one = db.prepare('select 1');
    db.prepare('select 2');
    db.prepare('select 1'); // now 'select 2' is the oldest
    db.prepare('select 3'); // drops 'select 2'
    expect(prepare).toHaveBeenCalledTimes(3);
    expect(db.prepare('select 1')).toBe(one);
    expect(prepare).toHaveBeenCalledTimes(3);
    db.prepare('select 2'); // prepared again: it had been dropped
    expect(prepare).toHaveBeenCalledTimes(4);
    expect(() => withStatementCache(raw, 0)).toThrow(RangeError);
  });

  it('keeps reader and writer statements apart and binds fresh parameters each time', () => {
    const { raw } = open();
    const db = withStatementCache(raw, 8);
    const insert = db.prepare('insert into t (k, v) values (?, ?)');
    expect(insert.reader).toBe(false);
    expect(insert.run([1, 'one']).changes).toBe(1);
    expect(db.prepare('insert into t (k, v) values (?, ?)').run([2, 'two']).changes).toBe(1);
    const select = db.prepare('select v from t where k = ?');
    expect(select.reader).toBe(true);
    expect(select.all([1])).toEqual([{ v: 'one' }]);
    expect(db.prepare('select v from t where k = ?').all([2])).toEqual([{ v: 'two' }]);
    expect(db.prepare('select v from t where k = ?').all([3])).toEqual([]);
    // insert ... returning is a reader: the driver reads its rows with all().
    const returning = db.prepare('insert into t (k, v) values (?, ?) returning k');
    expect(returning.reader).toBe(true);
    expect(returning.all([3, 'three'])).toEqual([{ k: 3 }]);
    // A failed run leaves the cached statement usable.
    expect(() => db.prepare('insert into t (k, v) values (?, ?)').run([1, 'again'])).toThrow();
    expect(db.prepare('insert into t (k, v) values (?, ?)').run([4, 'four']).changes).toBe(1);
  });

  it('gives a statement that is still being iterated no second user', () => {
    const { raw } = open();
    raw.exec("insert into t values (1, 'a'), (2, 'b')");
    const db = withStatementCache(raw, 8);
    const q = 'select v from t order by k';
    const iter = db.prepare(q).iterate([]);
    expect(iter.next().value).toEqual({ v: 'a' });
    const other = db.prepare(q);
    expect(other.all([])).toEqual([{ v: 'a' }, { v: 'b' }]);
    expect(iter.next().value).toEqual({ v: 'b' });
    expect(iter.next().done).toBe(true);
  });

  it('serves Kysely: the same query shape with different values, in and out of transactions', async () => {
    const { raw, prepare } = open();
    const db = new Kysely<{ t: { k: number; v: string } }>({
      dialect: new SqliteDialect({ database: withStatementCache(raw, 16) }),
    });
    for (let k = 1; k <= 5; k++)
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('t')
          .values({ k, v: `v${k}` })
          .execute();
      });
    for (let k = 1; k <= 5; k++) {
      const r = await db.selectFrom('t').select('v').where('k', '=', k).executeTakeFirst();
      expect(r?.v).toBe(`v${k}`);
    }
    const n = await sql<{ n: number }>`select count(*) as n from t`.execute(db);
    expect(n.rows[0]?.n).toBe(5);
    // begin, insert, commit, select, count: each text prepared once.
    expect(prepare).toHaveBeenCalledTimes(5);
    await db.destroy();
    expect(raw.open).toBe(false);
  });
});
