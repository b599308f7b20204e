import { join, resolve } from 'node:path';
import { type Kysely, sql } from 'kysely';
import type { Store } from '../core/store.js';
import { createStoreHealth, type StoreHealth } from './health.js';
import { openPostgres } from './postgres/open.js';
import { createSqlAccountStore } from './sql/accounts.js';
import { createSqlContactStore } from './sql/contacts.js';
import { createSqlConversationStore } from './sql/conversations.js';
import { createSqlFileStore } from './sql/files.js';
import { createSqlAvatarStore } from './sql/avatars.js';
import { createSqlFilterStore } from './sql/filters.js';
import { createSqlPrivateStore } from './sql/private.js';
import { createSqlPepStore } from './sql/pep.js';
import { createSqlPreviewStore } from './sql/previews.js';
import { createSqlHistoryStore } from './sql/history.js';
import { createSqlMarkerStore } from './sql/markers.js';
import { createSqlMessageStore } from './sql/messages.js';
import { createSearchIndexer } from './sql/search-index.js';
import { createSqlOccupancyStore } from './sql/occupancy.js';
import { createSqlPresenceStore } from './sql/presence.js';
import { migrate } from './sql/migrations.js';
import { createSqlProfileStore } from './sql/profiles.js';
import { createSqlRoomStore } from './sql/rooms.js';
import type { Database } from './sql/tables.js';
import { openSqlite } from './sqlite/open.js';

export interface StoreOptions {
  /** '' = SQLite under dataDir; sqlite:PATH; postgres://... */
  url: string;
  dataDir: string;
  poolSize: number;
  /** PostgreSQL schema for every table (database.schema); created when missing. */
  schema?: string;
  /** Create `schema` when it is missing (default true; `parley doctor` only looks). */
  createSchema?: boolean;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** Told about outages (PostgreSQL); one of its own when not given. */
  health?: StoreHealth;
}

export function describeStore(o: Pick<StoreOptions, 'url' | 'dataDir'>): {
  kind: 'sqlite' | 'postgres';
  where: string;
} {
  if (o.url.startsWith('postgres'))
    return { kind: 'postgres', where: o.url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@') };
  const path = o.url.startsWith('sqlite:')
    ? o.url.slice('sqlite:'.length)
    : join(o.dataDir, 'parley.db');
  return { kind: 'sqlite', where: path === ':memory:' ? path : resolve(path) };
}

export async function openStore(
  o: StoreOptions,
): Promise<Store & { db: Kysely<Database>; health: StoreHealth }> {
  const { kind, where } = describeStore(o);
  const health = o.health ?? createStoreHealth();
  let db: Kysely<Database>;
  if (kind === 'postgres') {
    db = openPostgres(o.url, {
      poolSize: o.poolSize,
      health,
      ...(o.schema ? { schema: o.schema } : {}),
    });
  } else {
    db = openSqlite(where, o.url === '' ? { ownDir: resolve(o.dataDir) } : {});
  }
  try {
    if (kind === 'postgres' && o.schema && o.createSchema !== false) {
      // Two nodes starting together may both try; the loser's duplicate error is harmless.
      await sql`create schema if not exists ${sql.id(o.schema)}`
        .execute(db)
        .catch((err: { code?: string }) => {
          if (err?.code !== '23505' && err?.code !== '42P06') throw err;
        });
    }
    if (o.migrate !== false) await migrate(db as Kysely<unknown>, kind);
  } catch (err) {
    health.close();
    await db.destroy();
    throw err;
  }
  // SQLite's search index is filled in batches (search-index.ts); PostgreSQL's is part of the row.
  const searchIndex = kind === 'sqlite' ? createSearchIndexer(db) : undefined;
  const check = async () => {
    await sql`select 1`.execute(db);
  };
  health.probeWith(check);
  return {
    kind,
    db,
    health,
    accounts: createSqlAccountStore(db, kind),
    profiles: createSqlProfileStore(db),
    contacts: createSqlContactStore(db, kind),
    presence: createSqlPresenceStore(db),
    occupancy: createSqlOccupancyStore(db),
    messages: createSqlMessageStore(db, kind, searchIndex),
    filters: createSqlFilterStore(db),
    markers: createSqlMarkerStore(db, kind),
    conversations: createSqlConversationStore(db),
    history: createSqlHistoryStore(db),
    rooms: createSqlRoomStore(db, kind),
    privateData: createSqlPrivateStore(db),
    pep: createSqlPepStore(db),
    files: createSqlFileStore(db),
    avatars: createSqlAvatarStore(db),
    previews: createSqlPreviewStore(db),
    check,
    async close() {
      health.close();
      await searchIndex?.close();
      await db.destroy();
    },
  };
}
