import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { describeOn, dropSchema, freshSchema, needs, PG_URL } from '../helpers/backends.js';
import { directSender, storeUsers, tag } from '../helpers/store-fixtures.js';

/**
 * On PostgreSQL a send's statements run as named (prepared) statements on each
 * connection (src/store/postgres/prepared.ts): they are really prepared, and a
 * column added under them (a newer node's migration) does not break them.
 */

describeOn({ skip: needs(true, false) })('prepared statements (postgres)', () => {
  it("runs a send's statements prepared, and they survive a column added under them", async () => {
    const schema = freshSchema();
    // One connection, so the statements and the catalogue query share a session.
    const store = await openStore({ url: PG_URL, dataDir: '', poolSize: 1, schema });
    try {
      const [a, b] = await storeUsers(store, ['a', 'b']);
      const direct = directSender(() => store, a!, b!);
      const send = async (text: string) => {
        const ctx = await store.messages.sendContext(a!.id, b!.username, `c-${tag()}`);
        expect(ctx.to?.id).toBe(b!.id);
        return direct(text);
      };
      await send('first');
      const { rows } = await sql<{
        name: string;
        statement: string;
      }>`select name, statement from pg_prepared_statements`.execute(store.db);
      const prepared = rows.filter((r) => /^parley_\d+$/.test(r.name)).map((r) => r.statement);
      expect(prepared.some((s) => s.includes('as sender_name'))).toBe(true);
      expect(prepared.some((s) => s.startsWith('insert into messages'))).toBe(true);
      expect(prepared.some((s) => s.startsWith('insert into user_log'))).toBe(true);

      await sql`alter table messages add column later_column text`.execute(store.db);
      await sql`alter table users add column later_column text`.execute(store.db);
      await sql`alter table user_log add column later_column text`.execute(store.db);
      const second = await send('second');
      expect(second.message.seq).toBe(2);
      expect(
        (
          await store.history.range({
            conversationId: second.message.conversationId,
            viewerId: a!.id,
            fromSeq: 0,
            order: 'desc',
            limit: 5,
          })
        ).map((m) => m.text),
      ).toEqual(['second', 'first']);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });
});
