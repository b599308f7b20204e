import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/store/sql/tables.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle } from '../helpers/server.js';
import { signUp } from '../helpers/people.js';

/**
 * An edit replaces the text: the old one lives on nowhere, not in either
 * person's log (earlier entries replay the message as it is now), the messages
 * table or the search index.
 */

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`an edited message (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let db: Kysely<Database>;
    beforeAll(async () => {
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 100000 } });
      db = (node.parley.store as unknown as { db: Kysely<Database> }).db;
    });
    afterAll(async () => {
      await node?.dispose();
    });

    const people = (n: number) => signUp(node, n, 'e');

    it('an edited direct message keeps its old text nowhere: logs, messages, search', async () => {
      const [ann, bob] = await people(2);
      const secret = `kumquat${process.pid}`;
      const sent = await ann!.c.sendMessage(bob!.name, `the code is ${secret}`, 'e1');
      await bob!.c.react(sent.message.id, '👀');
      expect((await bob!.c.searchMessages(secret)).results).toHaveLength(1);

      await ann!.c.editMessage(sent.message.id, 'never mind');
      // Every entry about the message, in both logs, replays the text as it is now.
      for (const p of [ann!, bob!]) {
        const sync = await p.c.sync(0);
        const about = sync.events.filter(
          (e) => (e.data.message as { id?: string } | undefined)?.id === sent.message.id,
        );
        expect(about.map((e) => e.data.change)).toEqual(['new', 'reaction', 'edited']);
        for (const e of about) expect(e.data.message).toMatchObject({ text: 'never mind' });
      }
      const count = async (table: 'user_log' | 'messages', col: 'data' | 'body') =>
        Number(
          (
            await sql<{
              n: number | string;
            }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(col)} like ${'%' + secret + '%'}`.execute(
              db,
            )
          ).rows[0]!.n,
        );
      expect(await count('user_log', 'data')).toBe(0);
      expect(await count('messages', 'body')).toBe(0);
      expect((await bob!.c.searchMessages(secret)).results).toEqual([]);
      expect((await ann!.c.searchMessages(secret)).results).toEqual([]);
      expect((await bob!.c.searchMessages('mind')).results).toHaveLength(1);
    });
  });
}
