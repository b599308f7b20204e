/**
 * The server under test, run by bench/run.ts as a separate process (fork, with
 * an IPC channel): `node --import tsx --expose-gc bench/server.ts`.
 *
 * The configuration comes as JSON sections in PARLEY_BENCH_SERVER (the same shape
 * as parley.toml). On IPC it answers:
 *   { type: 'stats' }  -> { type: 'stats', ...ServerStats }  (this process's own CPU and memory)
 *   { type: 'gc' }     -> { type: 'gc', done }                 (full collection, with --expose-gc)
 *   { type: 'stop' }   -> graceful stop, then exit 0 (a --cpu-prof profile is written on exit)
 *   { type: 'heap', path } -> { type: 'heap', path } after writing a V8 heap snapshot there
 *   { type: 'sql' }    -> { type: 'sql', statements } with PARLEY_BENCH_SQL_STATS=1 (SQLite only):
 *                         every statement the server ran, with its count and time (see sqlStats)
 * It stops by itself when the parent goes away or after PARLEY_BENCH_MAX_SECONDS.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import Database from 'better-sqlite3';
import { buildConfig } from '../src/config/load.js';
import { createParley } from '../src/main.js';

export interface ServerStats {
  /** process.cpuUsage() of the server process, every thread included, in microseconds. */
  cpuUserUs: number;
  cpuSystemUs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Open WebSocket connections and authenticated sessions on this node. */
  connections: number;
  sessions: number;
  /** Event-loop delay since the previous stats request, in milliseconds. */
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  at: number;
}

const send = (m: object) => process.send?.(m);
const file = JSON.parse(process.env.PARLEY_BENCH_SERVER ?? '{}') as Record<string, unknown>;
const maxSeconds = Number(process.env.PARLEY_BENCH_MAX_SECONDS ?? 1800);

export interface SqlStat {
  sql: string;
  prepares: number;
  runs: number;
  /** Wall and CPU (process-wide) microseconds, prepare and execution apart. */
  prepareWallUs: number;
  prepareCpuUs: number;
  execWallUs: number;
  execCpuUs: number;
}

/**
 * A diagnostic (it costs time itself, so not for the headline figures): wraps
 * better-sqlite3's prepare and each statement's run/all/get to count what SQL the
 * server runs and what it costs. Kysely prepares every query anew, so every
 * execution goes through here.
 */
function sqlStats(): () => SqlStat[] {
  const stats = new Map<string, SqlStat>();
  const cpuNow = () => {
    const c = process.cpuUsage();
    return c.user + c.system;
  };
  const proto = Database.prototype as unknown as {
    prepare(this: unknown, sql: string): Record<string, unknown>;
  };
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, sql: string) {
    const key = sql.replace(/\s+/g, ' ').trim();
    let st = stats.get(key);
    if (!st) {
      st = {
        sql: key,
        prepares: 0,
        runs: 0,
        prepareWallUs: 0,
        prepareCpuUs: 0,
        execWallUs: 0,
        execCpuUs: 0,
      };
      stats.set(key, st);
    }
    const s = st;
    const w0 = performance.now();
    const c0 = cpuNow();
    const stmt = prepare.call(this, sql);
    s.prepares++;
    s.prepareWallUs += (performance.now() - w0) * 1000;
    s.prepareCpuUs += cpuNow() - c0;
    for (const m of ['run', 'all', 'get']) {
      const fn = stmt[m] as (...a: unknown[]) => unknown;
      stmt[m] = (...a: unknown[]) => {
        const w = performance.now();
        const c = cpuNow();
        try {
          return fn.apply(stmt, a);
        } finally {
          s.runs++;
          s.execWallUs += (performance.now() - w) * 1000;
          s.execCpuUs += cpuNow() - c;
        }
      };
    }
    return stmt;
  };
  return () => [...stats.values()];
}
const sqlReport = process.env.PARLEY_BENCH_SQL_STATS === '1' ? sqlStats() : undefined;

const parley = await createParley(buildConfig(file));
const port = await parley.listen();
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

let stopping: Promise<void> | undefined;
function stop(code = 0): Promise<void> {
  stopping ??= (async () => {
    const hard = setTimeout(() => process.exit(code || 1), 15_000);
    hard.unref();
    await parley.stop().catch((err) => process.stderr.write(`bench server: stop failed: ${err}\n`));
    process.exit(code);
  })();
  return stopping;
}

function stats(): ServerStats {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const out: ServerStats = {
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    external: mem.external,
    arrayBuffers: mem.arrayBuffers,
    connections: parley.http.ws.count(),
    sessions: parley.core.sessions.count(),
    loopDelayP50Ms: loop.percentile(50) / 1e6,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    loopDelayMaxMs: loop.max / 1e6,
    at: Date.now(),
  };
  loop.reset();
  return out;
}

process.on('message', (m: { type?: string; path?: string }) => {
  switch (m?.type) {
    case 'stats':
      send({ type: 'stats', ...stats() });
      break;
    case 'gc': {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      // A second pass collects what the first one only finalized.
      setTimeout(() => {
        gc?.();
        send({ type: 'gc', done: gc !== undefined });
      }, 200);
      break;
    }
    case 'heap':
      send({ type: 'heap', path: writeHeapSnapshot(m.path) });
      break;
    case 'sql':
      send({ type: 'sql', statements: sqlReport?.() ?? [] });
      break;
    case 'stop':
      void stop(0);
      break;
  }
});
process.on('disconnect', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
setTimeout(() => {
  process.stderr.write(`bench server: still running after ${maxSeconds} s; stopping\n`);
  void stop(1);
}, maxSeconds * 1000).unref();

process.stderr.write(`bench server: listening on 127.0.0.1:${port} (pid ${process.pid})\n`);
send({ type: 'ready', port, pid: process.pid });
