import type { Kysely } from 'kysely';
import type { PreviewStore } from '../../core/previews/store.js';
import type { Database } from './tables.js';

export function createSqlPreviewStore(db: Kysely<Database>): PreviewStore {
  return {
    async get(url, now) {
      const r = await db
        .selectFrom('link_previews')
        .select(['url', 'data', 'error', 'fetched_at', 'expires_at'])
        .where('url', '=', url)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (!r) return undefined;
      return {
        url: r.url,
        ...(r.data !== null ? { data: r.data } : {}),
        ...(r.error !== null ? { error: r.error } : {}),
        fetchedAt: Number(r.fetched_at),
        expiresAt: Number(r.expires_at),
      };
    },
    async put(e) {
      const row = {
        data: e.data ?? null,
        error: e.error ?? null,
        fetched_at: e.fetchedAt,
        expires_at: e.expiresAt,
      };
      await db
        .insertInto('link_previews')
        .values({ url: e.url, ...row })
        .onConflict((oc) => oc.column('url').doUpdateSet(row))
        .execute();
    },
    async sweep(now) {
      const r = await db
        .deleteFrom('link_previews')
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async enabledFor(userId) {
      const r = await db
        .selectFrom('link_preview_settings')
        .select('enabled')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return r === undefined || Number(r.enabled) === 1;
    },
    async setEnabledFor(userId, on) {
      await db
        .insertInto('link_preview_settings')
        .values({ user_id: userId, enabled: on ? 1 : 0 })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ enabled: on ? 1 : 0 }))
        .execute();
    },
  };
}
