import type { Kysely } from 'kysely';
import type { AvatarStore, StoredAvatar } from '../../core/profiles/avatars.js';
import type { Database } from './tables.js';

export function createSqlAvatarStore(db: Kysely<Database>): AvatarStore {
  const read = async (q: Pick<Kysely<Database>, 'selectFrom'>, userId: string) => {
    const r = await q
      .selectFrom('avatars')
      .select(['sha256', 'sha1', 'type', 'size', 'width', 'height', 'updated_at'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return (
      r && {
        sha256: r.sha256,
        hash: r.sha1,
        type: r.type,
        size: Number(r.size),
        width: Number(r.width),
        height: Number(r.height),
        updatedAt: Number(r.updated_at),
      }
    );
  };
  return {
    avatar: (userId) => read(db, userId),
    async setAvatar(userId, a: StoredAvatar | null) {
      return db.transaction().execute(async (tx) => {
        const before = await read(tx, userId);
        if (a === null) await tx.deleteFrom('avatars').where('user_id', '=', userId).execute();
        else {
          const cols = {
            sha256: a.sha256,
            sha1: a.hash,
            type: a.type,
            size: a.size,
            width: a.width,
            height: a.height,
            updated_at: a.updatedAt,
          };
          await tx
            .insertInto('avatars')
            .values({ user_id: userId, ...cols })
            .onConflict((oc) => oc.column('user_id').doUpdateSet(cols))
            .execute();
        }
        return before;
      });
    },
  };
}
