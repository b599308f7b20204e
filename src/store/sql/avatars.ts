import type { Kysely } from 'kysely';
import type { StoredAvatar } from '../../core/files/pictures.js';
import type { AvatarStore } from '../../core/profiles/avatars.js';
import type { Database } from './tables.js';

/**
 * Avatar rows: a person's (`avatars`, by user) and a room's (`room_avatars`, by
 * room) have the same columns but their key, so one reader and one writer serve
 * both (the room's run inside its RoomTx, rooms.ts).
 */
export type AvatarOwner =
  { table: 'avatars'; key: 'user_id' } | { table: 'room_avatars'; key: 'room_id' };
export const PERSON: AvatarOwner = { table: 'avatars', key: 'user_id' };
export const ROOM: AvatarOwner = { table: 'room_avatars', key: 'room_id' };

type Q = Pick<Kysely<Database>, 'selectFrom' | 'insertInto' | 'deleteFrom'>;

// The two tables differ only in their key's name: typed as `avatars`, keyed by `owner.key`.
const tableOf = (o: AvatarOwner) => o.table as 'avatars';
const keyOf = (o: AvatarOwner) => o.key as 'user_id';

export async function readAvatar(
  q: Pick<Kysely<Database>, 'selectFrom'>,
  owner: AvatarOwner,
  id: string,
): Promise<StoredAvatar | undefined> {
  const r = await q
    .selectFrom(tableOf(owner))
    .select(['sha256', 'sha1', 'type', 'size', 'width', 'height', 'updated_at'])
    .where(keyOf(owner), '=', id)
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
}

/** Sets (or with null removes) the owner's row; call inside a transaction with `readAvatar` before it. */
export async function writeAvatar(
  q: Q,
  owner: AvatarOwner,
  id: string,
  a: StoredAvatar | null,
): Promise<void> {
  if (a === null) {
    await q.deleteFrom(tableOf(owner)).where(keyOf(owner), '=', id).execute();
    return;
  }
  const cols = {
    sha256: a.sha256,
    sha1: a.hash,
    type: a.type,
    size: a.size,
    width: a.width,
    height: a.height,
    updated_at: a.updatedAt,
  };
  await q
    .insertInto(tableOf(owner))
    .values({ [keyOf(owner)]: id, ...cols } as { user_id: string } & typeof cols)
    .onConflict((oc) => oc.column(keyOf(owner)).doUpdateSet(cols))
    .execute();
}

export function createSqlAvatarStore(db: Kysely<Database>): AvatarStore {
  return {
    avatar: (userId) => readAvatar(db, PERSON, userId),
    async setAvatar(userId, a: StoredAvatar | null) {
      return db.transaction().execute(async (tx) => {
        const before = await readAvatar(tx, PERSON, userId);
        await writeAvatar(tx, PERSON, userId, a);
        return before;
      });
    },
  };
}
