import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/backends.js';

/** Opens the store in a separate process (better-sqlite3 blocks its thread on locks, so two opens need two processes). */
function openInChild(dir: string): Promise<{ code: number | null; out: string }> {
  const script = `const { openStore } = await import('./src/store/open.ts');
const s = await openStore({ url: '', dataDir: process.argv[1], poolSize: 1 });
await s.accounts.listUsers({ limit: 1 });
await s.close();
console.log('opened');`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', script, dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

describe('two processes starting on a new SQLite data directory at once', () => {
  it('both migrate and open it', async () => {
    for (let round = 0; round < 5; round++) {
      const t = tempDir();
      try {
        const results = await Promise.all([openInChild(t.dir), openInChild(t.dir)]);
        for (const r of results) {
          expect(r.out).toContain('opened');
          expect(r.code).toBe(0);
        }
      } finally {
        t.cleanup();
      }
    }
  });
});
