import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

/**
 * A run without PARLEY_TEST_PG and PARLEY_TEST_NATS ends by saying how many
 * tests it left out and how to run them (test/helpers/skipped-reporter.ts),
 * instead of a bare "skipped" count that looks like a full run.
 */
it('a run on SQLite alone says how many PostgreSQL and NATS tests did not run', async () => {
  const env = { ...process.env, PARLEY_TEST_PG: '', PARLEY_TEST_NATS: '', CI: '' };
  const run = await promisify(execFile)(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      'test/contract/postgres-prepared.test.ts',
      'test/contract/bus.test.ts',
    ],
    { env, encoding: 'utf8' },
  );
  // eslint-disable-next-line no-control-regex -- the colours vitest writes
  const out = run.stdout.replace(/\u001b\[[0-9;]*m/g, '');
  expect(out).toMatch(/Not run: \d+ tests \(counted in "skipped" above\)/);
  expect(out).toMatch(
    /\b1 test need PostgreSQL: set PARLEY_TEST_PG=postgres:\/\/\.\.\. to run them/,
  );
  expect(out).toMatch(/\d+ tests need NATS: set PARLEY_TEST_NATS=nats:\/\/\.\.\. to run them/);
}, 120_000);
