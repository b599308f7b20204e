import type { Kysely } from 'kysely';
import type { FilterStore } from '../../core/messages/store.js';
import { compiled } from './compiled.js';
import type { Database } from './tables.js';

export function createSqlFilterStore(db: Kysely<Database>): FilterStore {
  // Read for every message to the user: built once (see compiled.ts).
  const phrases = compiled((p: { userId: string }) =>
    db
      .selectFrom('filters')
      .select('phrase')
      .where('user_id', '=', p.userId)
      .orderBy('phrase_lower'),
  );
  return {
    async list(userId) {
      return (await phrases(db, { userId })).map((r) => r.phrase);
    },
    async add(userId, phrase, at) {
      const r = await db
        .insertInto('filters')
        .values({ user_id: userId, phrase, phrase_lower: phrase.toLowerCase(), created_at: at })
        .onConflict((oc) => oc.columns(['user_id', 'phrase_lower']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async remove(userId, phrase) {
      const r = await db
        .deleteFrom('filters')
        .where('user_id', '=', userId)
        .where('phrase_lower', '=', phrase.toLowerCase())
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}
