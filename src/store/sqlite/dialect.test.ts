import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { QueuedSqliteDialect } from './dialect.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('QueuedSqliteDriver', () => {
  it('hands the one connection to one holder at a time, in the order asked', async () => {
    const driver = new QueuedSqliteDialect({ database: new Database(':memory:') }).createDriver();
    await driver.init();
    const first = await driver.acquireConnection();
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) =>
      driver.acquireConnection().then((c) => {
        order.push(n);
        return c;
      }),
    );
    await tick();
    expect(order).toEqual([]); // nobody gets it while it is held
    await driver.releaseConnection(first);
    await tick();
    expect(order).toEqual([1]);
    for (const expected of [
      [1, 2],
      [1, 2, 3],
    ]) {
      await driver.releaseConnection(await waiting[order.length - 1]!);
      await tick();
      expect(order).toEqual(expected);
    }
    await driver.releaseConnection(await waiting[2]!);
    // Free again: the next one gets it at once.
    await driver.releaseConnection(await driver.acquireConnection());
    await driver.destroy();
  });

  it('serves thousands of concurrent queries and transactions, each whole', async () => {
    const db = new Kysely<{ t: { k: number; n: number } }>({
      dialect: new QueuedSqliteDialect({ database: new Database(':memory:') }),
    });
    await sql`create table t (k integer primary key, n integer not null)`.execute(db);
    await Promise.all(
      Array.from({ length: 3000 }, (_, k) =>
        k % 3
          ? db.insertInto('t').values({ k, n: 1 }).execute()
          : db.transaction().execute(async (tx) => {
              // Read and write in one transaction: nobody else's statement runs between.
              const before = await tx
                .selectFrom('t')
                .select(sql<number>`count(*)`.as('c'))
                .execute();
              await tx.insertInto('t').values({ k, n: before[0]!.c }).execute();
            }),
      ),
    );
    const r = await db
      .selectFrom('t')
      .select(sql<number>`count(*)`.as('c'))
      .executeTakeFirst();
    expect(r?.c).toBe(3000);
    await db.destroy();
  });
});
