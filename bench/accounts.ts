/**
 * Accounts for the load generator: either written straight into the store before
 * the server starts (fast: one argon2 hash shared by every user, sessions created
 * with known tokens), or registered through the REST API like real clients (one
 * argon2 hash each, ~30 ms of CPU).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken } from '../src/core/accounts/service.js';
import { newId, newSecret } from '../src/core/ids.js';
import { createArgon2Hasher } from '../src/crypto/argon2.js';
import type { openStore as OpenStore } from '../src/store/open.js';

export interface Account {
  username: string;
  token: string;
}

export const PASSWORD = 'bench-password-1';
const FILE = 'bench-accounts.json';

/** Runs `fn` over `items` with at most `limit` calls pending. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Accounts saved by an earlier run in this data directory (reused with --data-dir). */
export function savedAccounts(dataDir: string): Account[] {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) return [];
  return JSON.parse(readFileSync(path, 'utf8')) as Account[];
}

/**
 * Creates `count` users and one session each directly in the store (the server is
 * not running yet). Returns them with their tokens and saves them in the data dir.
 */
export async function seedAccounts(o: {
  /** The store of the code being measured (its migrations), not the working tree's. */
  openStore: typeof OpenStore;
  url: string;
  dataDir: string;
  schema?: string;
  count: number;
  prefix: string;
  existing?: Account[];
}): Promise<Account[]> {
  const store = await o.openStore({
    url: o.url,
    dataDir: o.dataDir,
    poolSize: 10,
    ...(o.schema ? { schema: o.schema } : {}),
  });
  const out = [...(o.existing ?? [])];
  try {
    const passwordHash = await createArgon2Hasher().hash(PASSWORD);
    const todo = Array.from(
      { length: Math.max(0, o.count - out.length) },
      (_, i) => out.length + i,
    );
    const made: Account[] = new Array(todo.length);
    await pool(todo, store.kind === 'postgres' ? 8 : 1, async (n, i) => {
      const t = Date.now();
      const user = { id: newId(t), username: `${o.prefix}${n}`, passwordHash, createdAt: t };
      await store.accounts.createUser({ ...user, disabled: false }, { now: t });
      const token = `pt_${newSecret()}`;
      await store.accounts.createSession({
        id: newId(t),
        userId: user.id,
        tokenHash: hashToken(token),
        device: 'bench',
        createdAt: t,
        lastSeenAt: t,
        lastAddress: '127.0.0.1',
      });
      made[i] = { username: user.username, token };
    });
    out.push(...made);
  } finally {
    await store.close();
  }
  writeFileSync(join(o.dataDir, FILE), JSON.stringify(out));
  return out;
}

/**
 * Registers users through POST /api/v1/accounts, `concurrency` at a time, until there
 * are `count` with the `existing` ones (which are kept).
 */
export async function registerAccounts(o: {
  baseUrl: string;
  dataDir: string;
  count: number;
  prefix: string;
  concurrency: number;
  existing?: Account[];
}): Promise<{ accounts: Account[]; failures: number }> {
  const accounts: Account[] = [...(o.existing ?? [])];
  accounts.length = Math.max(o.count, accounts.length);
  let failures = 0;
  await pool(
    Array.from(
      { length: Math.max(0, o.count - (o.existing?.length ?? 0)) },
      (_, i) => i + (o.existing?.length ?? 0),
    ),
    o.concurrency,
    async (i) => {
      const username = `${o.prefix}${i}`;
      for (let attempt = 0; attempt < 3; attempt++) {
        const res = await fetch(`${o.baseUrl}/api/v1/accounts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: PASSWORD, device: 'bench' }),
        }).catch(() => undefined);
        if (res?.ok) {
          const body = (await res.json()) as { token: string };
          accounts[i] = { username, token: body.token };
          return;
        }
        await res?.body?.cancel().catch(() => {});
        // Only a transport failure, a 5xx or a 429 is worth another try.
        if (res && res.status < 500 && res.status !== 429) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      failures++;
    },
  );
  const ok = accounts.filter(Boolean);
  writeFileSync(join(o.dataDir, FILE), JSON.stringify(ok));
  return { accounts: ok, failures };
}
