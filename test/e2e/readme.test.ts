import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { storeBackends } from '../helpers/backends.js';
import { startSingle } from '../helpers/server.js';

/**
 * The README's REST and rooms examples run as pasted: the two shell blocks are
 * taken from README.md as they are, pointed at a server on port 0 instead of
 * 8080, and run with bash, curl and node, as a newcomer would.
 */
const sqlite = storeBackends().find((b) => b.name === 'sqlite')!;

function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

describe('README examples', () => {
  it('sign up, sign in, and the rooms walk-through work as pasted', async () => {
    const blocks = shellBlocks(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'));
    const rest = blocks.find((b) => b.includes('/api/v1/sessions'));
    const rooms = blocks.find((b) => b.includes('/api/v1/rooms/tardis/join'));
    expect(rest, 'the REST example').toBeDefined();
    expect(rooms, 'the rooms example').toBeDefined();
    const node = await startSingle(sqlite);
    try {
      const script = `set -euo pipefail\n${rest}\n${rooms}`.replaceAll(
        'localhost:8080',
        node.url.replace('http://', ''),
      );
      // Not spawnSync: the server runs in this process and must keep answering.
      const run = await promisify(execFile)('bash', ['-c', script], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const lines = run.stdout.trim().split('\n');
      // Each curl answers one JSON line (no trailing newline in between: split on "}{").
      const answers = lines
        .join('')
        .replaceAll('}{', '}\n{')
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(answers.some((a) => JSON.stringify(a).includes('"error"'))).toBe(false);
      expect(answers[2]).toMatchObject({ user: { username: 'alice' } });
      expect(JSON.stringify(answers.at(-1))).toContain('Hello @alice!');
    } finally {
      await node.dispose();
    }
  });
});
