import { type Kysely, type Selectable, sql } from 'kysely';
import type { ContactRow, ContactStore } from '../../core/contacts/store.js';
import { compiled } from './compiled.js';
import type { ContactsTable, Database } from './tables.js';

const toRow = (r: Selectable<ContactsTable>): ContactRow => ({
  ownerId: r.owner_id,
  contactId: r.contact_id,
  inRoster: Number(r.in_roster) === 1,
  subTo: Number(r.sub_to) === 1,
  subFrom: Number(r.sub_from) === 1,
  askOut: Number(r.ask_out) === 1,
  pendingIn: Number(r.pending_in) === 1,
  noteIn: r.note_in,
  alias: r.alias,
  groups: parseGroups(r.groups),
  updatedAt: Number(r.updated_at),
  approved: Number(r.approved) === 1,
});

function parseGroups(s: string): string[] {
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) ? v.filter((g): g is string => typeof g === 'string') : [];
  } catch {
    return [];
  }
}

const toColumns = (r: ContactRow): ContactsTable => ({
  owner_id: r.ownerId,
  contact_id: r.contactId,
  in_roster: r.inRoster ? 1 : 0,
  sub_to: r.subTo ? 1 : 0,
  sub_from: r.subFrom ? 1 : 0,
  ask_out: r.askOut ? 1 : 0,
  pending_in: r.pendingIn ? 1 : 0,
  note_in: r.noteIn,
  alias: r.alias,
  groups: JSON.stringify(r.groups),
  updated_at: r.updatedAt,
  approved: r.approved ? 1 : 0,
});

export function createSqlContactStore(
  db: Kysely<Database>,
  kind: 'sqlite' | 'postgres',
): ContactStore {
  // Asked for every message and receipt: built once (see compiled.ts).
  const blocked = compiled((p: { ownerId: string; otherId: string }) =>
    db
      .selectFrom('blocks')
      .select('owner_id')
      .where('owner_id', '=', p.ownerId)
      .where('blocked_id', '=', p.otherId),
  );
  return {
    async changePair(a, b, change) {
      return db.transaction().execute(async (tx) => {
        if (kind === 'postgres') {
          // Rows may not exist yet, so lock the pair itself: both orders map to one key.
          const key = a < b ? `${a}:${b}` : `${b}:${a}`;
          await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(tx);
        }
        const rows = await tx
          .selectFrom('contacts')
          .selectAll()
          .where((eb) =>
            eb.or([
              eb.and([eb('owner_id', '=', a), eb('contact_id', '=', b)]),
              eb.and([eb('owner_id', '=', b), eb('contact_id', '=', a)]),
            ]),
          )
          .execute();
        const ab = rows.find((r) => r.owner_id === a);
        const ba = rows.find((r) => r.owner_id === b);
        const out = change(ab && toRow(ab), ba && toRow(ba));
        for (const [owner, other, next] of [
          [a, b, out.ab],
          [b, a, out.ba],
        ] as const) {
          if (next === null)
            await tx
              .deleteFrom('contacts')
              .where('owner_id', '=', owner)
              .where('contact_id', '=', other)
              .execute();
          else {
            const cols = toColumns(next);
            await tx
              .insertInto('contacts')
              .values(cols)
              .onConflict((oc) => oc.columns(['owner_id', 'contact_id']).doUpdateSet({ ...cols }))
              .execute();
          }
        }
        return out.result;
      });
    },

    async contactsOf(ownerId) {
      const rows = await db
        .selectFrom('contacts')
        .innerJoin('users', 'users.id', 'contacts.contact_id')
        .innerJoin('profiles', 'profiles.user_id', 'contacts.contact_id')
        .leftJoin('avatars', 'avatars.user_id', 'contacts.contact_id')
        .selectAll('contacts')
        .select(['users.username', 'profiles.display_name', 'avatars.sha1 as avatar'])
        .where('contacts.owner_id', '=', ownerId)
        .orderBy('users.username')
        .execute();
      return rows.map((r) => ({
        ...toRow(r),
        username: r.username,
        displayName: r.display_name,
        avatar: r.avatar ?? null,
      }));
    },

    async block(ownerId, blockedId, at) {
      const r = await db
        .insertInto('blocks')
        .values({ owner_id: ownerId, blocked_id: blockedId, created_at: at })
        .onConflict((oc) => oc.columns(['owner_id', 'blocked_id']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    async unblock(ownerId, blockedId) {
      const r = await db
        .deleteFrom('blocks')
        .where('owner_id', '=', ownerId)
        .where('blocked_id', '=', blockedId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },

    async blocked(ownerId) {
      const rows = await db
        .selectFrom('blocks')
        .innerJoin('users', 'users.id', 'blocks.blocked_id')
        .select(['blocks.blocked_id', 'users.username', 'blocks.created_at'])
        .where('blocks.owner_id', '=', ownerId)
        .orderBy('users.username')
        .execute();
      return rows.map((r) => ({
        userId: r.blocked_id,
        username: r.username,
        createdAt: Number(r.created_at),
      }));
    },

    async isBlocked(ownerId, otherId) {
      return (await blocked(db, { ownerId, otherId })).length > 0;
    },

    async blockersOf(userId) {
      const rows = await db
        .selectFrom('blocks')
        .select('owner_id')
        .where('blocked_id', '=', userId)
        .execute();
      return rows.map((r) => r.owner_id);
    },
  };
}
