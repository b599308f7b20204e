import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'web/dist/**', 'node_modules/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The web client runs in browsers.
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Rule 1 of DESIGN.md: core knows no door, driver or web client.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/doors/**', '**/store/**', '**/bus/**', '**/web/**', '**/cli/**'],
              message: 'core/ must not import doors, stores, buses or the web client',
            },
            {
              group: [
                'pg',
                'better-sqlite3',
                'kysely',
                'nats',
                'fastify',
                'ws',
                '@fastify/*',
                '@node-rs/*',
              ],
              message: 'core/ must not import drivers; take an interface instead',
            },
          ],
        },
      ],
    },
  },
  {
    // The room table is merged into ops.ts's: importing ops.ts back would close a cycle
    // (shared types and helpers live in op.ts).
    files: ['src/doors/native/room-ops.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['./ops.js'], message: 'import from ./op.js instead' }] },
      ],
    },
  },
);
