import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/load.js';
import type { Door } from '../../src/core/door.js';
import { createParley } from '../../src/main.js';
import { tempDir } from '../helpers/backends.js';

/**
 * The door lifecycle as main.ts runs it: doors start in order, /readyz reports
 * each door's problems by name, and shutdown drains every door before it
 * stops any, then stops them in order.
 */

/** A door that only writes down what happened to it. */
function fakeDoor(name: string, log: string[], problems: () => string[]): Door {
  return {
    name,
    start: async () => void log.push(`${name}.start`),
    drain: async () => void log.push(`${name}.drain`),
    stop: async () => void log.push(`${name}.stop`),
    problems: async () => problems(),
  };
}

function logSink() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, logger: pino({ level: 'info' }, sink) };
}

describe('doors', () => {
  it('start in order, answer /readyz by name, and drain all before stopping in order', async () => {
    const t = tempDir();
    const log: string[] = [];
    let botProblems: string[] = ['not listening yet'];
    const { lines, logger } = logSink();
    try {
      const config = buildConfig({
        server: { host: '127.0.0.1', port: 0 },
        data: { dir: t.dir },
        irc: { port: 0 },
        // The old name of a key that moved to [native]: read, with a warning.
        limits: { heartbeat_seconds: 20 },
      });
      const parley = await createParley(config, {
        logger,
        doors: () => [fakeDoor('bots', log, () => botProblems), fakeDoor('more', log, () => [])],
      });
      expect(parley.doors.map((d) => d.name)).toEqual(['native', 'irc', 'xmpp', 'bots', 'more']);
      const port = await parley.listen();
      expect(log).toEqual(['bots.start', 'more.start']);

      const notReady = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({
        status: 'unavailable',
        problems: ['bots: not listening yet'],
      });
      botProblems = [];
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);

      await parley.stop();
      expect(log).toEqual([
        'bots.start',
        'more.start',
        'bots.drain',
        'more.drain',
        'bots.stop',
        'more.stop',
      ]);
      expect(config.native.heartbeat_seconds).toBe(20);
      const warnings = lines.filter((l) => l.includes('limits.heartbeat_seconds is deprecated'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('use native.heartbeat_seconds instead');
    } finally {
      t.cleanup();
    }
  });
});
