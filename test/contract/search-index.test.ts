import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import {
  both,
  directSender,
  payload,
  storeOptions,
  storeUsers,
} from '../helpers/store-fixtures.js';

/**
 * Search sees every committed message, however its index is kept: on SQLite the
 * index is filled in batches after the sends (src/store/sql/search-index.ts), so
 * this checks what happens between a commit and its batch — an edit, a deletion, a
 * restart (the index catches up on the next search), a rowid used again.
 */

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`search index (${backend.name})`, () => {
    it('finds messages committed just before, edited or deleted before indexing, and after a restart', async () => {
      const m = backend.make();
      const opts = storeOptions(m);
      let store = await openStore(opts);
      try {
        const [a, b] = await storeUsers(store, ['a', 'b']);
        const send = directSender(() => store, a!, b!);
        const found = async (word: string) =>
          (await store.messages.search(b!.id, [word], { limit: 50 })).map((r) => r.message.text);

        // Sent and searched at once: no wait for a batch.
        await send('alpha one');
        expect(await found('alpha')).toEqual(['alpha one']);
        // Edited and deleted before any batch ran: the index holds only what is current.
        const edited = await send('bravo draft');
        const gone = await send('charlie secret');
        await store.messages.update(
          edited.message.id,
          () => ({ text: 'bravo final' }),
          both,
          payload,
        );
        await store.messages.update(
          gone.message.id,
          () => ({ deletedAt: 1_800_000_000_000 }),
          both,
          payload,
        );
        await store.messages.update(gone.message.id, () => ({ text: '' }), both, payload);
        expect(await found('draft')).toEqual([]);
        expect(await found('final')).toEqual(['bravo final']);
        expect(await found('secret')).toEqual([]);
        // Indexed, then edited: the old words leave the index.
        await store.messages.update(
          edited.message.id,
          () => ({ text: 'bravo third' }),
          both,
          payload,
        );
        expect(await found('final')).toEqual([]);
        expect(await found('third')).toEqual(['bravo third']);

        // Committed, then the process stops before any batch: the next search finds it.
        await send('delta after crash');
        await store.close();
        store = await openStore(opts);
        expect(await found('delta')).toEqual(['delta after crash']);

        if (backend.name === 'sqlite') {
          // The newest message removed and its rowid given to the next one: that one is
          // indexed at once, since a catch-up starts above the mark.
          await store.messages.search(b!.id, ['alpha'], { limit: 1 });
          const last = await send('echo removed');
          await store.messages.search(b!.id, ['alpha'], { limit: 1 });
          await sql`delete from user_log where message_id = ${last.message.id}`.execute(store.db);
          await sql`delete from messages where id = ${last.message.id}`.execute(store.db);
          await send('foxtrot reused');
          expect(await found('echo')).toEqual([]);
          expect(await found('foxtrot')).toEqual(['foxtrot reused']);
          const check = await sql<{
            ok: string;
          }>`insert into messages_fts(messages_fts, rank) values ('integrity-check', 1)`
            .execute(store.db)
            .then(() => 'ok');
          expect(check).toBe('ok');
        }
      } finally {
        await store.close();
        await m.cleanup();
      }
    });
  });
}
