import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { StartupError } from '../main.js';
import { isConnectionFailure, storeErrorText } from '../store/health.js';
import { describeStore, openStore } from '../store/open.js';

/** Seconds between attempts: 1, 2, 4 ... up to 30. */
export function backoffSeconds(attempt: number): number {
  return Math.min(30, 2 ** Math.min(attempt, 5));
}

/**
 * `parley serve` with a PostgreSQL database that does not answer yet: rather than
 * exit (a supervisor would restart it in a loop for the whole outage), answer
 * /healthz 200 and everything else 503 on the server's address, and try again
 * with growing intervals, one warning per attempt. Resolves once the database
 * answers, with the listener closed (the port it had, for server.port = 0);
 * throws StartupError for what waiting cannot fix (a wrong password, no such
 * database) or when database.start_timeout_seconds ran out. Resolves undefined
 * when `stop` is aborted (SIGTERM while waiting): the process should just end.
 */
export async function waitForStore(
  config: Config,
  logger: Logger,
  onListening?: (port: number) => void,
  stop?: AbortSignal,
): Promise<{ port: number } | undefined> {
  const { kind, where } = describeStore({ url: config.database.url, dataDir: config.data.dir });
  const port = config.server.port;
  if (kind !== 'postgres') return { port };
  const first = await attempt(config);
  if (first === undefined) return { port };
  if (!isConnectionFailure(first)) throw cannotOpen(kind, where, first);

  let reason = storeErrorText(first);
  const started = Date.now();
  const server = await listen(config, () => reason);
  const bound = (server.address() as { port: number }).port;
  onListening?.(bound);
  const limit = config.database.start_timeout_seconds * 1000;
  try {
    for (let n = 0; ; n++) {
      const wait = backoffSeconds(n);
      logger.warn(
        { database: where, reason, attempt: n + 1, retryInSeconds: wait },
        'waiting for the database: /healthz answers, /readyz says 503 until it does',
      );
      if (limit && Date.now() - started + wait * 1000 > limit)
        throw cannotOpen(kind, where, first, config.database.start_timeout_seconds);
      await new Promise<void>((r) => {
        if (stop?.aborted) return r();
        const t = setTimeout(done, wait * 1000);
        function done() {
          clearTimeout(t);
          stop?.removeEventListener('abort', done);
          r();
        }
        stop?.addEventListener('abort', done);
      });
      if (stop?.aborted) {
        logger.warn('stopped while waiting for the database');
        return undefined;
      }
      const err = await attempt(config);
      if (err === undefined) break;
      if (!isConnectionFailure(err)) throw cannotOpen(kind, where, err);
      reason = storeErrorText(err);
    }
    logger.warn(
      { waitedSeconds: Math.round((Date.now() - started) / 100) / 10 },
      'the database answers; starting',
    );
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
  }
  return { port: bound };
}

/** Undefined when the database answers; else why not. */
async function attempt(config: Config): Promise<unknown> {
  try {
    const store = await openStore({
      url: config.database.url,
      dataDir: config.data.dir,
      poolSize: 1,
      migrate: false,
      createSchema: false,
    });
    try {
      await store.check();
    } finally {
      await store.close();
    }
    return undefined;
  } catch (err) {
    return err;
  }
}

function cannotOpen(kind: string, where: string, err: unknown, gaveUpAfter?: number) {
  return new StartupError(
    `cannot open the ${kind} database at ${where}: ${storeErrorText(err)}${
      gaveUpAfter ? ` (waited ${gaveUpAfter} s: database.start_timeout_seconds)` : ''
    }`,
    { cause: err },
  );
}

function listen(config: Config, reason: () => string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const ok = path === '/healthz';
    res.writeHead(ok ? 200 : 503, {
      'content-type': 'application/json',
      ...(ok ? {} : { 'retry-after': '1' }),
    });
    res.end(
      JSON.stringify(
        ok
          ? { status: 'ok' }
          : path === '/readyz'
            ? { status: 'unavailable', problems: [`database: ${reason()}`] }
            : {
                error: {
                  condition: 'unavailable',
                  text: 'the server is waiting for its database; retry in a moment',
                  retryAfter: 1,
                },
              },
      ),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: config.server.host, port: config.server.port }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
