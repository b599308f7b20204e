import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The second says how many tests were skipped for want of PostgreSQL or NATS.
    reporters: ['default', './test/helpers/skipped-reporter.ts'],
  },
});
