import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalBus, createLocalHub } from '../../src/bus/local.js';
import { createNatsBus } from '../../src/bus/nats.js';
import type { Bus } from '../../src/core/bus.js';
import { newId } from '../../src/core/ids.js';
import { openStore } from '../../src/store/open.js';
import pg from 'pg';

/**
 * Backends the contract and end-to-end suites run on. PostgreSQL and NATS join
 * when PARLEY_TEST_PG / PARLEY_TEST_NATS are set; in CI (CI=true) they must be,
 * so a missing service fails the run instead of quietly shrinking it.
 */
export const PG_URL = process.env.PARLEY_TEST_PG ?? '';
export const NATS_URL = process.env.PARLEY_TEST_NATS ?? '';

if (process.env.CI === 'true' && (!PG_URL || !NATS_URL)) {
  throw new Error(
    'CI=true but PARLEY_TEST_PG or PARLEY_TEST_NATS is not set: the backend suites must run in CI',
  );
}

export function skipNote(what: string): void {
  // Printed once per file so a local run says plainly what it did not cover.
  console.warn(
    `[parley tests] ${what} skipped: set ${what === 'PostgreSQL' ? 'PARLEY_TEST_PG=postgres://...' : 'PARLEY_TEST_NATS=nats://...'} to run it`,
  );
}

export function tempDir(prefix = 'parley-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh, empty PostgreSQL schema name; dropSchema() removes it afterwards. */
export function freshSchema(): string {
  return `t_${newId().slice(-12)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await c.end();
  }
}

export interface StoreBackend {
  name: 'sqlite' | 'postgres';
  /** Database settings for a new, empty database of this kind. */
  make(): { url: string; dataDir: string; pgSchema?: string; cleanup: () => Promise<void> };
}

export function storeBackends(): StoreBackend[] {
  const list: StoreBackend[] = [
    {
      name: 'sqlite',
      make() {
        const t = tempDir();
        return { url: '', dataDir: t.dir, cleanup: async () => t.cleanup() };
      },
    },
  ];
  if (PG_URL) {
    list.push({
      name: 'postgres',
      make() {
        const schema = freshSchema();
        return {
          url: PG_URL,
          dataDir: tmpdir(),
          pgSchema: schema,
          cleanup: () => dropSchema(schema),
        };
      },
    });
  } else skipNote('PostgreSQL');
  return list;
}

export async function openTestStore(b: StoreBackend) {
  const m = b.make();
  const store = await openStore({
    url: m.url,
    dataDir: m.dataDir,
    poolSize: 5,
    ...(m.pgSchema ? { schema: m.pgSchema } : {}),
  });
  return {
    store,
    async dispose() {
      await store.close();
      await m.cleanup();
    },
  };
}

export interface BusBackend {
  name: 'local' | 'nats';
  /** Two buses that reach each other (two nodes). */
  pair(): Promise<[Bus, Bus]>;
}

export function busBackends(): BusBackend[] {
  const list: BusBackend[] = [
    {
      name: 'local',
      async pair() {
        const hub = createLocalHub();
        return [createLocalBus(hub), createLocalBus(hub)];
      },
    },
  ];
  if (NATS_URL) {
    list.push({
      name: 'nats',
      async pair() {
        return [await createNatsBus({ url: NATS_URL }), await createNatsBus({ url: NATS_URL })];
      },
    });
  } else skipNote('NATS');
  return list;
}
