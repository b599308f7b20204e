import { type Kysely, sql } from 'kysely';
import type { Profile, ProfilePatch, ProfileStore } from '../../core/profiles/store.js';
import type { Database } from './tables.js';

/** LIKE pattern for a literal substring: %, _ and \ in user input match themselves. */
export function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

type Row = {
  user_id: string;
  username: string;
  display_name: string;
  birth_year: number | null;
  city: string;
  country: string;
  about: string;
  searchable: number;
  avatar: string | null;
};

const toProfile = (r: Row): Profile => ({
  userId: r.user_id,
  username: r.username,
  displayName: r.display_name,
  birthYear: r.birth_year === null ? null : Number(r.birth_year),
  city: r.city,
  country: r.country,
  about: r.about,
  searchable: Number(r.searchable) === 1,
  avatar: r.avatar ?? null,
});

export function createSqlProfileStore(db: Kysely<Database>): ProfileStore {
  const base = () =>
    db
      .selectFrom('profiles')
      .innerJoin('users', 'users.id', 'profiles.user_id')
      .leftJoin('avatars', 'avatars.user_id', 'profiles.user_id')
      .select([
        'avatars.sha1 as avatar',
        'profiles.user_id',
        'users.username',
        'profiles.display_name',
        'profiles.birth_year',
        'profiles.city',
        'profiles.country',
        'profiles.about',
        'profiles.searchable',
      ]);

  const store: ProfileStore = {
    async profile(userId) {
      const r = await base().where('profiles.user_id', '=', userId).executeTakeFirst();
      return r && toProfile(r);
    },

    async displayNames(ids) {
      const out = new Map<string, string>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .selectFrom('profiles')
          .select(['user_id', 'display_name'])
          .where('user_id', 'in', ids.slice(i, i + 500))
          .execute();
        for (const r of rows) if (r.display_name) out.set(r.user_id, r.display_name);
      }
      return out;
    },

    async profileByUsername(username) {
      const r = await base().where('users.username', '=', username).executeTakeFirst();
      return r && toProfile(r);
    },

    async updateProfile(userId, patch: ProfilePatch) {
      const set: Record<string, unknown> = {};
      if (patch.displayName !== undefined) {
        set.display_name = patch.displayName;
        set.display_name_lower = patch.displayName.toLowerCase();
      }
      if (patch.city !== undefined) {
        set.city = patch.city;
        set.city_lower = patch.city.toLowerCase();
      }
      if (patch.country !== undefined) set.country = patch.country;
      if (patch.about !== undefined) set.about = patch.about;
      if (patch.birthYear !== undefined) set.birth_year = patch.birthYear;
      if (patch.searchable !== undefined) set.searchable = patch.searchable ? 1 : 0;
      if (Object.keys(set).length)
        await db.updateTable('profiles').set(set).where('user_id', '=', userId).execute();
      return store.profile(userId);
    },

    async search(q) {
      let query = base()
        .where('profiles.searchable', '=', 1)
        .orderBy('users.username')
        .limit(q.limit);
      if (q.usernamePrefix)
        query = query.where(
          sql<boolean>`users.username like ${likeLiteral(q.usernamePrefix) + '%'} escape '\\'`,
        );
      // The *_lower columns are lowercased in JS on write, so the input is too: the
      // same on both engines (SQLite's LIKE folds ASCII case only, PostgreSQL's none).
      if (q.nameContains)
        query = query.where(
          sql<boolean>`profiles.display_name_lower like ${'%' + likeLiteral(q.nameContains.toLowerCase()) + '%'} escape '\\'`,
        );
      if (q.city) query = query.where('profiles.city_lower', '=', q.city.toLowerCase());
      if (q.birthYearMin !== undefined)
        query = query.where('profiles.birth_year', '>=', q.birthYearMin);
      if (q.birthYearMax !== undefined)
        query = query.where('profiles.birth_year', '<=', q.birthYearMax);
      if (q.after !== undefined) query = query.where('users.username', '>', q.after);
      if (q.excludeUserIds.length)
        query = query.where('profiles.user_id', 'not in', [...q.excludeUserIds]);
      return (await query.execute()).map(toProfile);
    },
  };
  return store;
}
