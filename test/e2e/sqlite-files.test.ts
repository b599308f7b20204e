import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/backends.js';
import { startNode } from '../helpers/server.js';

/**
 * The SQLite database holds password hashes and every message: the data
 * directory is 0700 and the database, its -wal and its -shm are 0600, whether
 * Parley creates them or an older version left them readable.
 */
const mode = (p: string) => statSync(p).mode & 0o777;

async function expectPrivate(dataDir: string) {
  const node = await startNode({ db: { url: '', dataDir } });
  try {
    // A write, so the WAL holds something.
    await node.client().register('files', 'password123');
    expect(mode(dataDir).toString(8)).toBe('700');
    for (const f of ['parley.db', 'parley.db-wal', 'parley.db-shm'])
      expect(mode(join(dataDir, f)).toString(8), f).toBe('600');
  } finally {
    await node.stop();
  }
}

describe('SQLite files are private', () => {
  it('a new data directory and database are readable by the server user only', async () => {
    const t = tempDir();
    try {
      // A folder Parley creates, two levels deep.
      await expectPrivate(join(t.dir, 'var', 'parley'));
    } finally {
      t.cleanup();
    }
  });

  it('files an older version left world-readable are narrowed at start', async () => {
    const t = tempDir();
    try {
      const dir = join(t.dir, 'data');
      mkdirSync(dir, { mode: 0o755 });
      chmodSync(dir, 0o755);
      const first = await startNode({ db: { url: '', dataDir: dir } });
      await first.stop();
      for (const f of ['parley.db', 'parley.db-wal', 'parley.db-shm']) {
        writeFileSync(join(dir, f), '', { flag: 'a' });
        chmodSync(join(dir, f), 0o644);
      }
      chmodSync(dir, 0o755);
      await expectPrivate(dir);
    } finally {
      t.cleanup();
    }
  });
});
