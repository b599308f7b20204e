import {
  copyFileSync,
  existsSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBackends, tempDir } from '../helpers/backends.js';
import { runCli } from '../helpers/cli.js';
import { startNode } from '../helpers/server.js';

/**
 * `parley backup FILE` on the embedded SQLite database, while the server runs
 * and keeps taking messages: the copy opens as a server of its own with every
 * message acknowledged before the backup began.
 */
const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;

describe('parley backup (sqlite)', () => {
  const db = sqlite.make();
  const out = tempDir('parley-backup-');
  const env: NodeJS.ProcessEnv = {
    PARLEY_DATA_DIR: db.dataDir,
    PARLEY_DATABASE_URL: db.url,
    PARLEY_LOG_LEVEL: 'silent',
  };
  let node: Awaited<ReturnType<typeof startNode>>;

  beforeAll(async () => {
    node = await startNode({ db });
  });
  afterAll(async () => {
    await node?.stop();
    await db.cleanup();
    out.cleanup();
  });

  it('copies a live database: a server on the copy has everything acknowledged before it', async () => {
    const alice = node.client();
    const bob = node.client();
    await alice.register('alice', 'password123');
    await bob.register('bob', 'password123');
    await alice.requestContact('bob');
    await bob.approveContact('alice', true);
    for (let i = 0; i < 40; i++) await alice.sendMessage('bob', `before ${i}`, `b-${i}`);

    // Sends keep coming while the copy is made.
    let sending = true;
    let during = 0;
    const load = (async () => {
      while (sending) await alice.sendMessage('bob', `during ${during}`, `d-${during++}`);
    })();
    const file = join(out.dir, 'parley-backup.db');
    const r = await runCli(['backup', file], { env });
    sending = false;
    await load;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^backed up .*parley\.db to .*parley-backup\.db \(\d+\.\d MB\)\n$/);
    // One self-contained file: no -wal beside it, no partial copy left behind.
    expect(readdirSync(out.dir)).toEqual(['parley-backup.db']);
    // As private as the database it copies.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();

    const restored = tempDir('parley-restored-');
    try {
      copyFileSync(file, join(restored.dir, 'parley.db'));
      const copy = await startNode({ db: { url: '', dataDir: restored.dir } });
      try {
        const b = copy.client();
        await b.login('bob', 'password123');
        const texts: string[] = [];
        for (let before: number | undefined; ;) {
          const page = await b.history('alice', { limit: 100, ...(before ? { before } : {}) });
          texts.push(...page.messages.map((m) => m.text));
          if (!page.more || !page.messages.length) break;
          before = page.messages[0]!.seq;
        }
        for (let i = 0; i < 40; i++) expect(texts).toContain(`before ${i}`);
        // The copy is a point in time: sends after it are not in it, and none is torn.
        expect(texts.length).toBeLessThanOrEqual(40 + during);
        for (const t of texts) expect(t).toMatch(/^(before|during) \d+$/);
        // It is a working server: it takes new messages.
        await b.sendMessage('alice', 'after the restore', 'r-1');
      } finally {
        await copy.stop();
      }
    } finally {
      restored.cleanup();
    }
  });

  it('refuses to overwrite, to write where it cannot, and to run without a file; changes nothing', async () => {
    const taken = join(out.dir, 'taken.db');
    writeFileSync(taken, 'precious');
    const r = await runCli(['backup', taken], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/taken\.db already exists; give a new file name/);
    expect(readFileSync(taken, 'utf8')).toBe('precious');

    const nowhere = join(out.dir, 'no-such-folder', 'x.db');
    const r2 = await runCli(['backup', nowhere], { env });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/cannot write .*x\.db/);
    expect(existsSync(join(out.dir, 'no-such-folder'))).toBe(false);

    expect((await runCli(['backup'], { env })).code).toBe(2);
    expect((await runCli(['backup', 'a.db', 'b.db'], { env })).code).toBe(2);
    expect(readdirSync(out.dir).sort()).toEqual(['parley-backup.db', 'taken.db']);
  });

  it('points PostgreSQL users to pg_dump, and says an in-memory database has nothing to copy', async () => {
    const file = join(out.dir, 'pg.db');
    const pg = await runCli(['backup', file], {
      env: { ...env, PARLEY_DATABASE_URL: 'postgres://someone:secret@db.example:5432/parley' },
    });
    expect(pg.code).toBe(1);
    expect(pg.stderr).toMatch(/PostgreSQL .*pg_dump/);
    expect(pg.stderr).not.toContain('secret');
    const mem = await runCli(['backup', file], {
      env: { ...env, PARLEY_DATABASE_URL: 'sqlite::memory:' },
    });
    expect(mem.code).toBe(1);
    expect(mem.stderr).toMatch(/in memory/);
    expect(existsSync(file)).toBe(false);
  });
});
