import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalBus, createLocalHub } from '../../src/bus/local.js';
import { createNatsBus } from '../../src/bus/nats.js';
import type { Bus } from '../../src/core/bus.js';
import { newId } from '../../src/core/ids.js';
import { openStore } from '../../src/store/open.js';
import pg from 'pg';
import { describe } from 'vitest';

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

/**
 * What a suite needs that this run does not have, or false. A suite on such a
 * backend is registered but skipped (describeOn), so vitest counts its tests as
 * skipped and test/helpers/skipped-reporter.ts says at the end how many were left
 * out and which variable would run them.
 */
export type Needs = false | 'PostgreSQL' | 'NATS' | 'PostgreSQL and NATS';

export const needs = (pgNeeded: boolean, natsNeeded: boolean): Needs =>
  pgNeeded && !PG_URL
    ? natsNeeded && !NATS_URL
      ? 'PostgreSQL and NATS'
      : 'PostgreSQL'
    : natsNeeded && !NATS_URL
      ? 'NATS'
      : false;

declare module 'vitest' {
  interface TaskMeta {
    /** Set on a suite skipped because its service is not configured. */
    needs?: Exclude<Needs, false>;
  }
}

/** `describe`, skipped (and counted) when the backend's service is not configured. */
export function describeOn(b: { skip: Needs }) {
  return (name: string, fn: () => void) =>
    describe(name, { skip: b.skip !== false, ...(b.skip ? { meta: { needs: b.skip } } : {}) }, fn);
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
  /** Not configured in this run: a suite on it is skipped (describeOn). */
  skip: Needs;
  /** Database settings for a new, empty database of this kind. */
  make(): { url: string; dataDir: string; pgSchema?: string; cleanup: () => Promise<void> };
}

/** Every store backend, the ones this run cannot reach marked `skip` (use with describeOn). */
export function everyStoreBackend(): StoreBackend[] {
  return [
    {
      name: 'sqlite',
      skip: false,
      make() {
        const t = tempDir();
        return { url: '', dataDir: t.dir, cleanup: async () => t.cleanup() };
      },
    },
    {
      name: 'postgres',
      skip: needs(true, false),
      make() {
        if (!PG_URL) throw new Error('PARLEY_TEST_PG is not set: run this suite with describeOn');
        const schema = freshSchema();
        return {
          url: PG_URL,
          dataDir: tmpdir(),
          pgSchema: schema,
          cleanup: () => dropSchema(schema),
        };
      },
    },
  ];
}

/** The store backends this run can reach (SQLite first). */
export function storeBackends(): StoreBackend[] {
  return everyStoreBackend().filter((b) => b.skip === false);
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
  skip: Needs;
  /** Two buses that reach each other (two nodes). */
  pair(): Promise<[Bus, Bus]>;
}

/** Every bus backend, the ones this run cannot reach marked `skip` (use with describeOn). */
export function everyBusBackend(): BusBackend[] {
  return [
    {
      name: 'local',
      skip: false,
      async pair() {
        const hub = createLocalHub();
        return [createLocalBus(hub), createLocalBus(hub)];
      },
    },
    {
      name: 'nats',
      skip: needs(false, true),
      async pair() {
        return [await createNatsBus({ url: NATS_URL }), await createNatsBus({ url: NATS_URL })];
      },
    },
  ];
}

export function busBackends(): BusBackend[] {
  return everyBusBackend().filter((b) => b.skip === false);
}
