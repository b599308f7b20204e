import type { Reporter, TestModule, Vitest } from 'vitest/node';
import type { Needs } from './backends.js';

const HOW: Record<Exclude<Needs, false>, string> = {
  PostgreSQL: 'set PARLEY_TEST_PG=postgres://...',
  NATS: 'set PARLEY_TEST_NATS=nats://...',
  'PostgreSQL and NATS': 'set both PARLEY_TEST_PG and PARLEY_TEST_NATS',
};

/**
 * After vitest's own summary ("12 skipped"), says plainly how many of the
 * skipped tests did not run because PostgreSQL or NATS was not configured
 * (suites registered with describeOn carry that in their meta), so a run on
 * SQLite alone cannot pass for a full one.
 */
export default class SkippedBackendsReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const left = new Map<Exclude<Needs, false>, number>();
    for (const m of modules)
      for (const t of m.children.allTests('skipped')) {
        let needs: Needs | undefined;
        for (let p = t.parent; p.type === 'suite' && !needs; p = p.parent) needs = p.meta().needs;
        if (needs) left.set(needs, (left.get(needs) ?? 0) + 1);
      }
    if (!left.size) return;
    const lines = [...left].map(
      ([what, n]) => `  ${n} test${n === 1 ? '' : 's'} need ${what}: ${HOW[what]} to run them`,
    );
    const total = [...left.values()].reduce((a, b) => a + b, 0);
    const text = `\nNot run: ${total} test${total === 1 ? '' : 's'} (counted in "skipped" above) for backends this run does not have:\n${lines.join('\n')}\n`;
    if (this.vitest) this.vitest.logger.log(text);
    else console.log(text);
  }
}
