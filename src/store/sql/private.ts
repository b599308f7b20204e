import { type Kysely, sql } from 'kysely';
import type { PrivateStore } from '../../core/private/store.js';
import type { Database } from './tables.js';

export function createSqlPrivateStore(db: Kysely<Database>): PrivateStore {
  return {
    async get(userId, key) {
      const r = await db
        .selectFrom('private_data')
        .select('value')
        .where('user_id', '=', userId)
        .where('key', '=', key)
        .executeTakeFirst();
      return r?.value;
    },
    async put(userId, key, value, at, maxKeys) {
      // One statement: a new key is written only while the account has fewer than maxKeys.
      const r = await sql`
        insert into private_data (user_id, key, value, updated_at)
        select ${userId}, ${key}, ${value}, ${at}
        where exists (select 1 from private_data where user_id = ${userId} and key = ${key})
           or (select count(*) from private_data where user_id = ${userId}) < ${maxKeys}
        on conflict (user_id, key) do update set value = excluded.value, updated_at = excluded.updated_at`.execute(
        db,
      );
      return Number(r.numAffectedRows ?? 0) > 0;
    },
    async remove(userId, key) {
      await db
        .deleteFrom('private_data')
        .where('user_id', '=', userId)
        .where('key', '=', key)
        .execute();
    },
  };
}
