import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * `npm ci` on Node 20 must not warn EBADENGINE: no installed package may ask for
 * a newer Node than package.json promises (20.12). A dependency of a dependency
 * that moves on to Node 22 gets an `overrides` pin instead (cookie, for example).
 */
describe('package-lock.json', () => {
  it('holds no package whose engines.node needs more than Node 20', () => {
    const lock = JSON.parse(
      readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8'),
    ) as { packages: Record<string, { engines?: { node?: string } }> };
    const tooNew = Object.entries(lock.packages)
      .map(([path, p]) => [path, p.engines?.node ?? ''] as const)
      // The lowest Node a range admits, when it starts with ">=N" or "^N" (the usual forms).
      .filter(([, range]) => {
        const lowest = range.split('||').map((r) => /^\s*(?:>=|\^)\s*v?(\d+)/.exec(r)?.[1]);
        return lowest.every((m) => m !== undefined && Number(m) > 20);
      });
    expect(tooNew).toEqual([]);
  });
});
