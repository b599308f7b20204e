import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Test servers (in-process and spawned) take free IRC and XMPP ports, never 6667 or 5222: many run at once.
    env: {
      PARLEY_IRC_PORT: '0',
      PARLEY_IRC_TLS_PORT: '0',
      PARLEY_XMPP_PORT: '0',
      PARLEY_XMPP_TLS_PORT: '0',
    },
    // The second says how many tests were skipped for want of PostgreSQL or NATS.
    reporters: ['default', './test/helpers/skipped-reporter.ts'],
  },
});
