/**
 * Helpers shared by the load generator's scenarios (bench/run.ts, bench/fanout.ts):
 * logging, the server process handle, /proc sampling, latency samples, and opening
 * and closing authenticated WebSocket clients.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { type Account, pool } from './accounts.js';
import type { ServerStats, SqlStat } from './server.js';

export const log = (msg: string) => process.stderr.write(`[${new Date().toISOString()}] ${msg}\n`);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
export const mb = (b: number) => round(b / 2 ** 20, 1);

export interface ServerProc {
  child: ChildProcess;
  port: number;
  stats(): Promise<ServerStats>;
  sql(): Promise<SqlStat[]>;
  heapSnapshot(path: string): Promise<string>;
  gc(): Promise<void>;
  stop(): Promise<void>;
  warnings: { count: number; samples: string[] };
}

/**
 * The server process's CPU (user + system, all threads: the counter process.cpuUsage()
 * reads) and RSS, read from /proc by this process, so a server whose event loop is
 * swamped is still measured at the moment we ask.
 */
export interface ProcSample {
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  rss: number;
  at: number;
}
/** utime and stime (fields 14 and 15 of /proc/PID/stat), in clock ticks of 1/100 s on Linux. */
export function procTimes(pid: number | string): [number, number, string] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(f[11]) / 100, Number(f[12]) / 100, comm];
}
export function procSample(pid: number): ProcSample {
  const [user, system] = procTimes(pid);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return {
    cpuSeconds: user + system,
    userSeconds: user,
    systemSeconds: system,
    rss: rssKb * 1024,
    at: performance.now(),
  };
}

/**
 * CPU of the whole machine (busy seconds summed over every core, /proc/stat) and of
 * the PostgreSQL processes on it: with both cores shared, what the server did not
 * use went to the generator, PostgreSQL, or something else running meanwhile.
 */
export interface MachineSample {
  busySeconds: number;
  postgresSeconds: number;
}
export function machineSample(): MachineSample {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + cpu[7]!;
  let postgres = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const [u, sy, comm] = procTimes(pid);
      if (comm === 'postgres') postgres += u + sy;
    } catch {
      // the process ended meanwhile
    }
  }
  return { busySeconds: busy / 100, postgresSeconds: postgres };
}

/** A growable array of latencies (ms) with percentiles. */
export class Samples {
  private data = new Float64Array(1 << 16);
  n = 0;
  push(v: number) {
    if (this.n === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n++] = v;
  }
  summary() {
    const s = this.data.slice(0, this.n).sort();
    const at = (q: number) =>
      this.n ? round(s[Math.min(this.n - 1, Math.floor(q * this.n))]!) : null;
    return {
      count: this.n,
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      p999: at(0.999),
      max: this.n ? round(s[this.n - 1]!) : null,
    };
  }
}

export function tally(map: Record<string, number>, key: string) {
  map[key] = (map[key] ?? 0) + 1;
}

export interface Opened {
  ws: WebSocket;
  account: Account;
}

/**
 * Opens one authenticated WebSocket per account (token in the upgrade request,
 * so the hello names the user), `concurrency` handshakes at a time.
 */
export async function openClients(
  port: number,
  accounts: Account[],
  concurrency: number,
  onClose: (code: number) => void,
): Promise<{
  clients: Opened[];
  failures: Record<string, number>;
  latency: Samples;
  seconds: number;
}> {
  const clients: Opened[] = [];
  const failures: Record<string, number> = {};
  const latency = new Samples();
  const started = performance.now();
  let done = 0;
  await pool(accounts, concurrency, async (account) => {
    const t = performance.now();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws`, {
      headers: { authorization: `Bearer ${account.token}` },
      perMessageDeflate: false,
    });
    const ok = await new Promise<boolean>((res) => {
      const timer = setTimeout(() => {
        tally(failures, 'timeout');
        ws.terminate();
        res(false);
      }, 30_000);
      ws.once('message', (data) => {
        clearTimeout(timer);
        const s = data.toString();
        if (s.startsWith('{"type":"hello"') && s.includes('"user"')) return res(true);
        tally(failures, `refused: ${s.slice(0, 120)}`);
        ws.terminate();
        res(false);
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        tally(failures, `error: ${err.message}`);
        res(false);
      });
    });
    if (!ok) return;
    latency.push(performance.now() - t);
    ws.on('close', (code) => onClose(code));
    ws.on('error', () => {});
    clients.push({ ws, account });
    if (++done % 2000 === 0) log(`${done} connected`);
  });
  return { clients, failures, latency, seconds: (performance.now() - started) / 1000 };
}

export async function closeClients(clients: Opened[]): Promise<void> {
  await Promise.all(
    clients.map(
      ({ ws }) =>
        new Promise<void>((res) => {
          if (ws.readyState === WebSocket.CLOSED) return res();
          const t = setTimeout(() => {
            ws.terminate();
            res();
          }, 3000);
          ws.once('close', () => {
            clearTimeout(t);
            res();
          });
          ws.close(1000, 'bench done');
        }),
    ),
  );
}

/** What the SQL of the run cost per acknowledged message (--sql-stats; SQLite only). */
export function sqlPerMessage(before: SqlStat[], after: SqlStat[], messages: number) {
  const was = new Map(before.map((s) => [s.sql, s]));
  const diff = after
    .map((s) => {
      const b = was.get(s.sql);
      return {
        sql: s.sql.length > 140 ? `${s.sql.slice(0, 137)}...` : s.sql,
        runs: s.runs - (b?.runs ?? 0),
        prepares: s.prepares - (b?.prepares ?? 0),
        prepareCpuUs: s.prepareCpuUs - (b?.prepareCpuUs ?? 0),
        execCpuUs: s.execCpuUs - (b?.execCpuUs ?? 0),
        execWallUs: s.execWallUs - (b?.execWallUs ?? 0),
        prepareWallUs: s.prepareWallUs - (b?.prepareWallUs ?? 0),
      };
    })
    .filter((s) => s.runs > 0 || s.prepares > 0);
  const sum = (f: (s: (typeof diff)[number]) => number) => diff.reduce((n, s) => n + f(s), 0);
  const per = (v: number) => (messages ? round(v / messages, 1) : null);
  return {
    messages,
    statementsPerMessage: per(sum((s) => s.runs)),
    preparesPerMessage: per(sum((s) => s.prepares)),
    prepareCpuUsPerMessage: per(sum((s) => s.prepareCpuUs)),
    execCpuUsPerMessage: per(sum((s) => s.execCpuUs)),
    execWallUsPerMessage: per(sum((s) => s.execWallUs)),
    top: diff
      .sort((a, b) => b.prepareCpuUs + b.execCpuUs - (a.prepareCpuUs + a.execCpuUs))
      .slice(0, 20)
      .map((s) => ({
        sql: s.sql,
        perMessage: per(s.runs),
        cpuUsPerRun: s.runs ? round((s.prepareCpuUs + s.execCpuUs) / s.runs, 1) : null,
        execWallUsPerRun: s.runs ? round(s.execWallUs / s.runs, 1) : null,
      })),
  };
}
