/**
 * Load generator for the native protocol (issue 3). The server under test runs in
 * its own process (bench/server.ts); this process is the clients. Progress goes to
 * stderr; the result is ONE JSON line on stdout.
 *
 *   npm run bench -- --scenario connect --clients 10000
 *   npm run bench -- --scenario dm --pairs 500 --rate 20000 --duration 20
 *   npm run bench -- --scenario dm --pairs 500 --rate max --duration 20
 *   npm run bench -- --scenario fanout --members 500 --senders 10 --rate max
 *   add --db postgres (PARLEY_BENCH_PG or --pg-url), --profile DIR, --accounts rest ...
 *
 * See docs/benchmarks.md for every option and the recorded figures.
 */
import { fork, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import WebSocket from 'ws';
import { type Account, registerAccounts, savedAccounts, seedAccounts } from './accounts.js';
import {
  closeClients,
  log,
  machineSample,
  mb,
  openClients,
  procSample,
  round,
  Samples,
  type ServerProc,
  sleep,
  sqlPerMessage,
  tally,
} from './common.js';
import { FANOUT_ROOM, fanoutScenario, seedRoom } from './fanout.js';
import type { openStore as OpenStore } from '../src/store/open.js';
import type { ServerStats, SqlStat } from './server.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const CACHE = join(ROOT, 'node_modules/.cache/parley-bench');

/**
 * Compiles the server as production runs it (plain JS, no TypeScript loader in the
 * process): src/ of the working tree, or of a commit (`--commit REV`, taken with
 * `git archive`, so files others are editing are not measured), plus bench/server.ts.
 * Returns the entry point and what was measured.
 */
function buildServer(rev: string | undefined): { entry: string; source: Record<string, unknown> } {
  const t = performance.now();
  const git = (...a: string[]) => {
    const r = spawnSync('git', a, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`git ${a.join(' ')} failed: ${r.stderr}`);
    return r.stdout.trim();
  };
  const commit = git('rev-parse', '--short', rev ?? 'HEAD');
  const dir = join(CACHE, rev ? commit : 'worktree');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'bench'), { recursive: true });
  if (rev) {
    const tar = spawnSync('git', ['archive', '--format=tar', commit, 'src'], {
      cwd: ROOT,
      maxBuffer: 1 << 30,
    });
    if (tar.status !== 0) throw new Error(`git archive ${commit} failed`);
    const x = spawnSync('tar', ['-x', '-C', dir], { input: tar.stdout });
    if (x.status !== 0) throw new Error('unpacking the source failed');
  } else cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
  // treeKnows() reads the measured tree's example config to tell which limits it has.
  writeFileSync(
    join(dir, 'parley.example.toml'),
    rev
      ? git('show', `${commit}:parley.example.toml`)
      : readFileSync(join(ROOT, 'parley.example.toml'), 'utf8'),
  );
  cpSync(join(HERE, 'server.ts'), join(dir, 'bench/server.ts'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { rootDir: '.', outDir: 'build', noEmit: false, sourceMap: false },
      include: ['src', 'bench/server.ts'],
      exclude: ['src/**/*.test.ts'],
    }),
  );
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`compiling the server failed (${dir})`);
  log(
    `compiled the server (${rev ? `commit ${commit}` : 'working tree'}) in ${round((performance.now() - t) / 1000, 1)} s`,
  );
  const source = rev
    ? { commit }
    : {
        commit: git('rev-parse', '--short', 'HEAD'),
        workingTree: true,
        uncommittedSrcFiles: git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean)
          .length,
      };
  return { entry: join(dir, 'build/bench/server.js'), source };
}

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'dm' },
    clients: { type: 'string', default: '1000' },
    pairs: { type: 'string', default: '500' },
    members: { type: 'string', default: '500' },
    senders: { type: 'string', default: '10' },
    rate: { type: 'string', default: 'max' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    grace: { type: 'string', default: '30' },
    window: { type: 'string', default: '8' },
    size: { type: 'string', default: '100' },
    idle: { type: 'string', default: '10' },
    'connect-concurrency': { type: 'string', default: '200' },
    accounts: { type: 'string', default: 'seed' },
    'register-concurrency': { type: 'string', default: '4' },
    db: { type: 'string', default: 'sqlite' },
    'pg-url': { type: 'string' },
    'pg-pool': { type: 'string', default: '10' },
    'pg-schema': { type: 'string' },
    'data-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
    profile: { type: 'string' },
    timeout: { type: 'string' },
    label: { type: 'string' },
    server: { type: 'string', default: 'dist' },
    'sql-stats': { type: 'boolean', default: false },
    'node-flags': { type: 'string' },
    commit: { type: 'string' },
    'heap-snapshot': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (args.help) {
  process.stdout.write(`npm run bench -- [options]   (one JSON line on stdout; progress on stderr)

  --scenario connect|dm|fanout connect: N idle authenticated clients; dm: direct messages between pairs;
                               fanout: K members sending to one room of M members, all connected
  --clients N                  connect: how many clients (default 1000)
  --idle S                     connect: hold the connections S seconds before measuring (default 10)
  --connect-concurrency N      handshakes in flight while connecting (default 200)
  --heap-snapshot DIR          connect: write baseline and connected heap snapshots (see bench/heap.ts)
  --pairs N                    dm: N pairs of users, each writing to the other (default 500)
  --members M                  fanout: members of the room, each connected (default 500)
  --senders K                  fanout: how many of them send (default 10)
  --rate R|max                 dm, fanout: R messages/s in all (open loop), or max (closed loop) (default max)
  --window W                   dm, fanout: requests in flight per sender, 1-32 (default 8)
  --size B                     dm, fanout: text bytes per message (default 100)
  --warmup S --duration S      dm, fanout: unmeasured warm-up, then the measured window (defaults 5, 20)
  --grace S                    dm, fanout: wait at most S s for replies and deliveries at the end (default 30)
  --db sqlite|postgres         store (default sqlite); --pg-url URL or PARLEY_BENCH_PG, --pg-pool N,
                               --pg-schema NAME (default: a fresh schema, dropped at the end)
  --accounts seed|rest         seed: written to the store before the server starts (default);
                               rest: registered over REST (argon2), --register-concurrency N (default 4)
  --data-dir DIR               keep the data (and the accounts) there and reuse them next time
  --keep                       keep the temporary data dir / PostgreSQL schema
  --server dist|tsx            dist: compile and run plain JS like production (default); tsx: run the TS
  --commit REV                 with dist: measure src/ of that commit instead of the working tree
  --profile DIR                V8 CPU profile of the server (see bench/profile.ts)
  --sql-stats                  SQLite: count and time every statement the server runs (slows it)
  --timeout S                  hard limit for the whole run
  --label TEXT                 copied into the result
`);
  process.exit(0);
}

function num(name: keyof typeof args, min: number, max: number): number {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < min || v > max)
    fail(`--${name} must be a number from ${min} to ${max}`);
  return v;
}

function fail(msg: string): never {
  process.stderr.write(`bench: ${msg}\n`);
  process.stdout.write(JSON.stringify({ error: msg }) + '\n');
  process.exit(2);
}

const scenario = args.scenario!;
if (scenario !== 'connect' && scenario !== 'dm' && scenario !== 'fanout')
  fail('--scenario must be connect, dm or fanout');
const dbKind = args.db!;
if (dbKind !== 'sqlite' && dbKind !== 'postgres') fail('--db must be sqlite or postgres');
const serverMode = args.server!;
if (serverMode !== 'dist' && serverMode !== 'tsx') fail('--server must be dist or tsx');
const accountsMode = args.accounts!;
if (accountsMode !== 'seed' && accountsMode !== 'rest') fail('--accounts must be seed or rest');
if (scenario === 'fanout' && accountsMode !== 'seed')
  fail('--scenario fanout seeds its room into the store: it needs --accounts seed');

const clientsWanted =
  scenario === 'connect'
    ? num('clients', 1, 100_000)
    : scenario === 'fanout'
      ? num('members', 2, 100_000)
      : num('pairs', 1, 50_000) * 2;
const sendersWanted = scenario === 'fanout' ? num('senders', 1, clientsWanted) : 0;
const duration = num('duration', 1, 600);
const warmup = num('warmup', 0, 120);
const grace = num('grace', 1, 120);
const idle = num('idle', 0, 600);
const rateMax = args.rate === 'max';
const rate = rateMax ? 0 : num('rate', 1, 1_000_000);
// The server refuses more than 32 requests in flight per connection.
const windowSize = num('window', 1, 32);
const textBytes = num('size', 1, 16_000);
const hardTimeout =
  args.timeout !== undefined
    ? num('timeout', 10, 3600)
    : 300 + warmup + duration + grace + idle + clientsWanted / 50;

checkFileLimit(clientsWanted);

// Everything below is bounded: a hard deadline ends the run whatever happens.
let server: ServerProc | undefined;
const deadline = setTimeout(() => {
  log(`hard timeout (${hardTimeout} s) reached; stopping`);
  server?.child.kill('SIGKILL');
  fail(`timed out after ${hardTimeout} s`);
}, hardTimeout * 1000);

// ---------------------------------------------------------------- server process

/** Whether the measured tree's config has a key: older commits refuse keys they do not know. */
function treeKnows(entry: string, key: string): boolean {
  for (const up of ['..', '../..']) {
    const file = join(dirname(entry), up, 'parley.example.toml');
    if (existsSync(file)) return readFileSync(file, 'utf8').includes(key);
  }
  return false;
}

async function startServer(o: {
  entry: string;
  dataDir: string;
  url: string;
  schema?: string;
  poolSize: number;
  profileDir?: string;
}): Promise<ServerProc> {
  const config = {
    server: { host: '127.0.0.1', port: 0, shutdown_grace_seconds: 5 },
    data: { dir: o.dataDir },
    database: { url: o.url, pool_size: o.poolSize, ...(o.schema ? { schema: o.schema } : {}) },
    log: { level: 'warn' },
    registration: {
      policy: 'open',
      // With --accounts rest every account comes from this one address.
      ...(treeKnows(o.entry, 'accounts_per_address_per_hour')
        ? { accounts_per_address_per_hour: 1_000_000 }
        : {}),
    },
    // Generous limits: the bench is one address and a few very busy users.
    limits: {
      frames_per_second: 100_000,
      frame_burst: 100_000,
      requests_per_minute_per_address: 1_000_000,
      // Every client connects from this one address.
      ...(treeKnows(o.entry, 'connections_per_address')
        ? { connections_per_address: 1_000_000 }
        : {}),
    },
    messages: { per_second: 100_000, burst: 100_000 },
    rooms: { max_members: Math.max(10_000, clientsWanted) },
    // The IRC and XMPP doors' listeners stay off: these scenarios measure the native door.
    ...(treeKnows(o.entry, '[irc]') ? { irc: { port: -1, tls_port: -1 } } : {}),
    ...(treeKnows(o.entry, '[xmpp]') ? { xmpp: { port: -1, tls_port: -1 } } : {}),
  };
  // --server tsx runs the TypeScript directly: quicker to iterate, but the loader
  // (a second V8 isolate on Node 20) adds ~40 MB of RSS and some CPU.
  const execArgv = o.entry.endsWith('.ts') ? ['--import', 'tsx', '--expose-gc'] : ['--expose-gc'];
  if (o.profileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${o.profileDir}`);
  // V8 and Node flags for the server alone (e.g. --node-flags=--max-semi-space-size=1).
  if (args['node-flags']) execArgv.push(...args['node-flags'].split(/\s+/).filter(Boolean));
  const child = fork(o.entry, [], {
    execArgv,
    env: {
      ...process.env,
      PARLEY_BENCH_SERVER: JSON.stringify(config),
      PARLEY_BENCH_MAX_SECONDS: String(Math.ceil(hardTimeout + 30)),
      ...(args['sql-stats'] ? { PARLEY_BENCH_SQL_STATS: '1' } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  // The server logs (pino JSON, level warn and up) go to our stderr and are counted.
  const warnings = { count: 0, samples: [] as string[] };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    warnings.count++;
    if (warnings.samples.length < 5) {
      try {
        const j = JSON.parse(line) as { msg?: string; err?: { message?: string } };
        warnings.samples.push(`${j.msg ?? ''}${j.err?.message ? `: ${j.err.message}` : ''}`);
      } catch {
        warnings.samples.push(line.slice(0, 200));
      }
    }
    if (warnings.count <= 20) process.stderr.write(`server: ${line}\n`);
  });
  const waiting = new Map<string, ((m: Record<string, unknown>) => void)[]>();
  child.on('message', (m: Record<string, unknown>) => {
    const list = waiting.get(m.type as string);
    list?.shift()?.(m);
  });
  const request = <T>(type: string, timeoutMs = 10_000, extra: object = {}): Promise<T> =>
    new Promise<T>((res, rej) => {
      const t = setTimeout(() => {
        // Forget this request, so a late answer is not taken for the next one.
        const list = waiting.get(type) ?? [];
        list.splice(list.indexOf(done), 1);
        rej(new Error(`server did not answer ${type} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const list = waiting.get(type) ?? [];
      const done = (m: Record<string, unknown>) => {
        clearTimeout(t);
        res(m as T);
      };
      list.push(done);
      waiting.set(type, list);
      if (type !== 'ready') child.send({ type, ...extra });
    });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const ready = await Promise.race([
    request<{ port: number }>('ready', 60_000),
    exited.then((code) => {
      throw new Error(`the server exited (code ${code}) before it was ready`);
    }),
  ]);
  return {
    child,
    port: ready.port,
    warnings,
    // A swamped server answers late (its event loop is behind), hence the long wait.
    stats: () => request<ServerStats>('stats', 120_000),
    heapSnapshot: async (path) => (await request<{ path: string }>('heap', 300_000, { path })).path,
    sql: async () => (await request<{ statements: SqlStat[] }>('sql', 120_000)).statements,
    gc: async () => {
      await request('gc', 120_000);
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' });
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** How long a durable SQLite commit takes on this disk (WAL, synchronous=FULL), like the server's. */
function diskCommitProbe(dir: string) {
  const path = join(dir, 'bench-fsync-probe.db');
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('create table if not exists t (id integer primary key, b text)');
    const ins = db.prepare('insert into t (b) values (?)');
    const s = new Samples();
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      ins.run('x'.repeat(500));
      s.push(performance.now() - t);
    }
    return s.summary();
  } finally {
    db.close();
    for (const f of ['', '-wal', '-shm']) rmSync(path + f, { force: true });
  }
}

const cpuSeconds = (a: ServerStats, b: ServerStats) =>
  (b.cpuUserUs + b.cpuSystemUs - a.cpuUserUs - a.cpuSystemUs) / 1e6;

// ---------------------------------------------------------------- helpers

function checkFileLimit(sockets: number): void {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s+/)[3]);
    if (Number.isFinite(soft) && soft < sockets + 200)
      fail(
        `${sockets} sockets need more open files than this shell allows (ulimit -n is ${soft}); ` +
          `raise it first: ulimit -n ${Math.max(65536, sockets + 1000)}`,
      );
  } catch {
    // No /proc (not Linux): let the sockets fail if they must.
  }
}

// ---------------------------------------------------------------- scenarios

async function connectScenario(srv: ServerProc, accounts: Account[]) {
  await sleep(1000);
  await srv.gc();
  const base = await srv.stats();
  const snapDir = args['heap-snapshot'] ? resolve(args['heap-snapshot']) : undefined;
  if (snapDir) {
    mkdirSync(snapDir, { recursive: true });
    await srv.heapSnapshot(join(snapDir, 'baseline.heapsnapshot'));
  }
  log(`server baseline: rss ${mb(base.rss)} MB, heap ${mb(base.heapUsed)} MB`);
  const closes: Record<string, number> = {};
  let phase = 'connect';
  const m0 = machineSample();
  const opened = await openClients(
    srv.port,
    accounts,
    num('connect-concurrency', 1, 10_000),
    (code) => tally(closes, `${phase}:${code}`),
  );
  const connected = await srv.stats();
  const m1 = machineSample();
  log(
    `${opened.clients.length} connected in ${round(opened.seconds)} s; server rss ${mb(connected.rss)} MB; holding ${idle} s`,
  );
  phase = 'idle';
  await sleep(idle * 1000);
  const beforeGc = await srv.stats();
  await srv.gc();
  const held = await srv.stats();
  const n = opened.clients.length;
  // After the figures above: writing a snapshot costs memory itself.
  if (snapDir) await srv.heapSnapshot(join(snapDir, 'connected.heapsnapshot'));
  phase = 'close';
  await closeClients(opened.clients);
  // Closing logs every user out of presence: wait for that work to finish, and for
  // the heap to come back near its baseline (bounded: 30 s).
  const closedAt = performance.now();
  let after = held;
  const afterCloseHeap: number[] = [];
  for (let i = 0; i < 15; i++) {
    await sleep(2000);
    await srv.gc();
    after = await srv.stats();
    afterCloseHeap.push(after.heapUsed);
    if (after.sessions === 0 && after.heapUsed < base.heapUsed * 1.25) break;
  }
  if (snapDir) await srv.heapSnapshot(join(snapDir, 'closed.heapsnapshot'));
  const settleSeconds = (performance.now() - closedAt) / 1000;
  return {
    clients: accounts.length,
    connected: n,
    connectFailures: opened.failures,
    closedByServer: closes,
    connectSeconds: round(opened.seconds),
    connectsPerSecond: round(n / opened.seconds, 0),
    connectLatencyMs: opened.latency.summary(),
    serverCpuSecondsConnect: round(cpuSeconds(base, connected), 3),
    machineCpuSecondsConnect: round(m1.busySeconds - m0.busySeconds, 2),
    postgresCpuSecondsConnect: round(m1.postgresSeconds - m0.postgresSeconds, 2),
    serverCpuSecondsIdle: round(cpuSeconds(connected, beforeGc), 3),
    idleSeconds: idle,
    serverConnections: held.connections,
    serverSessions: held.sessions,
    serverRss: {
      baseline: base.rss,
      connected: connected.rss,
      idleBeforeGc: beforeGc.rss,
      idleAfterGc: held.rss,
      afterClose: after.rss,
    },
    serverHeapUsed: {
      baseline: base.heapUsed,
      idleAfterGc: held.heapUsed,
      afterClose: after.heapUsed,
    },
    serverHeapTotal: {
      baseline: base.heapTotal,
      connected: connected.heapTotal,
      idleAfterGc: held.heapTotal,
    },
    serverExternal: { baseline: base.external, idleAfterGc: held.external },
    serverArrayBuffers: { baseline: base.arrayBuffers, idleAfterGc: held.arrayBuffers },
    afterCloseSettleSeconds: round(settleSeconds, 1),
    afterCloseHeapUsed: afterCloseHeap,
    rssBytesPerConnection: n ? Math.round((held.rss - base.rss) / n) : null,
    heapBytesPerConnection: n ? Math.round((held.heapUsed - base.heapUsed) / n) : null,
    serverRssMb: round(held.rss / 2 ** 20, 1),
    // Event-loop delay while connecting, and while idle (before the forced GC).
    serverLoopDelayP99Ms: {
      connect: round(connected.loopDelayP99Ms),
      idle: round(beforeGc.loopDelayP99Ms),
    },
  };
}

const REPLY = '{"type":"reply","re":';
const MESSAGE_EVENT = '{"type":"event","name":"message"';
const CLIENT_ID = '"clientId":"';

interface Rec {
  cid: string;
  sentAt: number;
  intended: number;
  measured: boolean;
  acked: boolean;
  delivered: boolean;
}

interface DmClient {
  ws: WebSocket;
  idx: number;
  partner: string;
  inFlight: number;
  nextReq: number;
  pending: Map<number, Rec>;
  /** Scheduled send times that waited for a free slot in the window (fixed rate only). */
  backlog: number[];
  backHead: number;
}

async function dmScenario(srv: ServerProc, accounts: Account[]) {
  const closes: Record<string, number> = {};
  let phase: 'setup' | 'warmup' | 'measure' | 'drain' | 'done' = 'setup';
  const opened = await openClients(
    srv.port,
    accounts,
    num('connect-concurrency', 1, 10_000),
    (code) => tally(closes, `${phase}:${code}`),
  );
  if (opened.clients.length !== accounts.length)
    throw new Error(
      `only ${opened.clients.length} of ${accounts.length} clients connected: ${JSON.stringify(opened.failures)}`,
    );
  // Accounts come in pairs (0,1), (2,3)...: each side writes to the other.
  const byName = new Map(opened.clients.map((c) => [c.account.username, c.ws]));
  const clients: DmClient[] = accounts.map((a, i) => ({
    ws: byName.get(a.username)!,
    idx: i,
    partner: accounts[i ^ 1]!.username,
    inFlight: 0,
    nextReq: 1,
    pending: new Map(),
    backlog: [],
    backHead: 0,
  }));
  const text = 'x'.repeat(textBytes);
  const outstanding = new Map<string, Rec>();
  const ackLatency = new Samples();
  const deliveryLatency = new Samples();
  const ackFromSchedule = new Samples();
  /** How late the generator wrote a message against its schedule (its own lag + the window). */
  const sendDelay = new Samples();
  const errors: Record<string, number> = {};
  const c = {
    scheduled: 0,
    sent: 0,
    sentMeasured: 0,
    acked: 0,
    ackedInWindow: 0,
    delivered: 0,
    duplicateDeliveries: 0,
    unknownDeliveries: 0,
    frameErrors: 0,
    otherFrames: 0,
    backlogDropped: 0,
  };
  let t0 = Infinity;
  let tEnd = Infinity;

  function send(cl: DmClient, intended: number) {
    const id = cl.nextReq++;
    const cid = `${cl.idx}.${id}`;
    const now = performance.now();
    const rec: Rec = {
      cid,
      sentAt: now,
      intended,
      measured: phase === 'measure',
      acked: false,
      delivered: false,
    };
    cl.pending.set(id, rec);
    outstanding.set(cid, rec);
    cl.inFlight++;
    c.sent++;
    if (rec.measured) {
      c.sentMeasured++;
      if (!rateMax) sendDelay.push(now - intended);
    }
    cl.ws.send(
      `{"id":${id},"type":"messages.send","data":{"to":"${cl.partner}","clientId":"${cid}","text":"${text}"}}`,
    );
  }

  function pump(cl: DmClient) {
    if (phase === 'drain' || phase === 'done') return;
    if (rateMax) {
      while (cl.inFlight < windowSize) send(cl, performance.now());
      return;
    }
    while (cl.inFlight < windowSize && cl.backHead < cl.backlog.length)
      send(cl, cl.backlog[cl.backHead++]!);
    if (cl.backHead > 1024 && cl.backHead * 2 > cl.backlog.length) {
      cl.backlog = cl.backlog.slice(cl.backHead);
      cl.backHead = 0;
    }
  }

  function onFrame(cl: DmClient, data: Buffer) {
    const s = data.toString();
    const now = performance.now();
    // The server writes these frames with JSON.stringify in a fixed key order, so the
    // fields the bench needs are cut out of the text instead of parsing every frame.
    if (s.startsWith(REPLY)) {
      const end = s.indexOf(',', REPLY.length);
      const re = Number(s.slice(REPLY.length, end));
      const rec = cl.pending.get(re);
      if (!rec) return;
      cl.pending.delete(re);
      cl.inFlight--;
      if (s.startsWith('"ok":true', end + 1)) {
        rec.acked = true;
        c.acked++;
        if (now >= t0 && now < tEnd) c.ackedInWindow++;
        if (rec.measured) {
          ackLatency.push(now - rec.sentAt);
          if (!rateMax) ackFromSchedule.push(now - rec.intended);
        }
        if (rec.delivered) outstanding.delete(rec.cid);
      } else {
        const j = JSON.parse(s) as { error?: { condition?: string; text?: string } };
        tally(errors, `${j.error?.condition}: ${j.error?.text}`);
        outstanding.delete(rec.cid);
      }
      pump(cl);
    } else if (s.startsWith(MESSAGE_EVENT)) {
      const i = s.indexOf(CLIENT_ID) + CLIENT_ID.length;
      const cid = s.slice(i, s.indexOf('"', i));
      const rec = outstanding.get(cid);
      if (!rec) {
        c.unknownDeliveries++;
        return;
      }
      if (rec.delivered) {
        c.duplicateDeliveries++;
        return;
      }
      rec.delivered = true;
      c.delivered++;
      if (rec.measured) deliveryLatency.push(now - rec.sentAt);
      if (rec.acked) outstanding.delete(cid);
    } else if (s.startsWith('{"type":"error"')) {
      c.frameErrors++;
      if (c.frameErrors <= 5) log(`error frame: ${s.slice(0, 200)}`);
    } else c.otherFrames++;
  }

  for (const cl of clients) cl.ws.on('message', (data: Buffer) => onFrame(cl, data));

  log(
    `${clients.length} clients (${clients.length / 2} pairs); ${rateMax ? `as fast as possible, window ${windowSize}` : `${rate} msg/s`}; warmup ${warmup} s, measure ${duration} s`,
  );
  const sqlBefore = args['sql-stats'] ? await srv.sql() : undefined;
  const start = performance.now();
  phase = 'warmup';
  let ticker: NodeJS.Timeout | undefined;
  if (rateMax) for (const cl of clients) pump(cl);
  else {
    ticker = setInterval(() => {
      if (phase !== 'warmup' && phase !== 'measure') return;
      // Message k is due at start + k / rate.
      const due = Math.floor(((performance.now() - start) / 1000) * rate) + 1;
      while (c.scheduled < due) {
        const intended = start + (c.scheduled / rate) * 1000;
        const cl = clients[c.scheduled % clients.length]!;
        c.scheduled++;
        if (cl.inFlight < windowSize && cl.backHead === cl.backlog.length) send(cl, intended);
        else cl.backlog.push(intended);
      }
    }, 1);
  }

  await sleep(warmup * 1000);
  const pid = srv.child.pid!;
  const gen0 = process.cpuUsage();
  const p0 = procSample(pid);
  const m0 = machineSample();
  t0 = performance.now();
  phase = 'measure';
  // Loop delay comes over IPC and may come late; it is recorded when it arrives.
  void srv.stats().catch(() => undefined);
  const samples: { t: number; rss: number; acked: number; cpu: number; loopP99Ms?: number }[] = [];
  let last = p0;
  let lastAcked = c.ackedInWindow;
  const step = Math.min(5, duration);
  while (duration * 1000 - (performance.now() - t0) > 50) {
    await sleep(Math.min(step * 1000, duration * 1000 - (performance.now() - t0)));
    const p = procSample(pid);
    const dt = (p.at - last.at) / 1000;
    const sample: (typeof samples)[number] = {
      t: round((p.at - t0) / 1000, 1),
      rss: p.rss,
      acked: Math.round((c.ackedInWindow - lastAcked) / dt),
      cpu: round((p.cpuSeconds - last.cpuSeconds) / dt),
    };
    samples.push(sample);
    void srv.stats().then(
      (s) => (sample.loopP99Ms = round(s.loopDelayP99Ms)),
      () => undefined,
    );
    log(`  t=${sample.t}s acked ${sample.acked}/s server cpu ${sample.cpu} rss ${mb(p.rss)} MB`);
    last = p;
    lastAcked = c.ackedInWindow;
  }
  const p1 = procSample(pid);
  const m1 = machineSample();
  tEnd = p1.at;
  phase = 'drain';
  const gen1 = process.cpuUsage(gen0);
  const windowSeconds = (tEnd - t0) / 1000;
  if (ticker) clearInterval(ticker);
  for (const cl of clients) {
    c.backlogDropped += cl.backlog.length - cl.backHead;
    cl.backlog = [];
    cl.backHead = 0;
  }

  // Drain: every reply, and every delivery of an acked message, or the grace period ends.
  const drainStart = performance.now();
  const settled = () => {
    if (clients.some((cl) => cl.inFlight > 0)) return false;
    for (const r of outstanding.values()) if (r.acked && !r.delivered) return false;
    return true;
  };
  while (!settled() && performance.now() - drainStart < grace * 1000) await sleep(50);
  const drainSeconds = (performance.now() - drainStart) / 1000;
  phase = 'done';
  let lost = 0;
  let lostMeasured = 0;
  for (const r of outstanding.values())
    if (r.acked && !r.delivered) {
      lost++;
      if (r.measured) lostMeasured++;
    }
  const unacked = clients.reduce((n, cl) => n + cl.inFlight, 0);
  const p2 = procSample(pid);
  const s2 = await srv.stats();
  const sql = sqlBefore ? sqlPerMessage(sqlBefore, await srv.sql(), c.acked) : undefined;
  await closeClients(opened.clients);

  const serverCpu = p1.cpuSeconds - p0.cpuSeconds;
  const throughput = c.ackedInWindow / windowSeconds;
  return {
    pairs: clients.length / 2,
    clients: clients.length,
    targetRate: rateMax ? 'max' : rate,
    window: windowSize,
    textBytes,
    warmupSeconds: warmup,
    windowSeconds: round(windowSeconds),
    throughput: round(throughput, 0),
    ackedInWindow: c.ackedInWindow,
    serverCpuSeconds: round(serverCpu, 3),
    serverCpuUtilization: round(serverCpu / windowSeconds),
    serverCpuUserSeconds: round(p1.userSeconds - p0.userSeconds, 2),
    serverCpuSystemSeconds: round(p1.systemSeconds - p0.systemSeconds, 2),
    msgsPerServerCpuSecond: serverCpu > 0 ? round(c.ackedInWindow / serverCpu, 0) : null,
    ackLatencyMs: ackLatency.summary(),
    deliveryLatencyMs: deliveryLatency.summary(),
    ...(rateMax
      ? {}
      : {
          ackFromScheduleMs: ackFromSchedule.summary(),
          sendDelayMs: sendDelay.summary(),
          scheduled: c.scheduled,
        }),
    sent: c.sent,
    sentMeasured: c.sentMeasured,
    acked: c.acked,
    delivered: c.delivered,
    lost,
    lostMeasured,
    unacked,
    backlogDropped: c.backlogDropped,
    duplicateDeliveries: c.duplicateDeliveries,
    unknownDeliveries: c.unknownDeliveries,
    errors,
    frameErrors: c.frameErrors,
    closedByServer: closes,
    drainSeconds: round(drainSeconds),
    serverRss: { start: p0.rss, end: p1.rss, afterDrain: p2.rss },
    serverLoopDelayP99MsWorst: Math.max(0, ...samples.map((x) => x.loopP99Ms ?? 0)),
    serverHeapUsedAfterDrain: s2.heapUsed,
    perInterval: samples,
    ...(sql ? { sql } : {}),
    generatorCpuSeconds: round((gen1.user + gen1.system) / 1e6, 3),
    generatorCpuUtilization: round((gen1.user + gen1.system) / 1e6 / windowSeconds),
    // Cores busy on average during the window (2 = both), and PostgreSQL's share of it.
    machineCpuUtilization: round((m1.busySeconds - m0.busySeconds) / windowSeconds),
    postgresCpuUtilization: round((m1.postgresSeconds - m0.postgresSeconds) / windowSeconds),
  };
}

// ---------------------------------------------------------------- main

async function main() {
  const started = Date.now();
  const pgUrl =
    args['pg-url'] ?? process.env.PARLEY_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
  const url = dbKind === 'postgres' ? pgUrl : '';
  const schema =
    dbKind === 'postgres'
      ? (args['pg-schema'] ?? `parley_bench_${process.pid}_${Date.now() % 1e6}`)
      : undefined;
  const ownDir = args['data-dir'] === undefined;
  const dataDir = ownDir
    ? mkdtempSync(join(tmpdir(), 'parley-bench-'))
    : resolve(args['data-dir']!);
  mkdirSync(dataDir, { recursive: true });
  const dropAtEnd = dbKind === 'postgres' && args['pg-schema'] === undefined && !args.keep;
  const cleanup = async () => {
    if (ownDir && !args.keep) rmSync(dataDir, { recursive: true, force: true });
    if (dropAtEnd && schema) {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop schema if exists "${schema}" cascade`);
      await c.end();
    }
  };

  try {
    const profileDir = args.profile ? resolve(args.profile) : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    // Built first: the accounts and the room are seeded through the measured code's own
    // store, so its migrations (not the working tree's) shape the database.
    let source: Record<string, unknown> = { workingTree: true, typescript: 'tsx' };
    let entry = join(HERE, 'server.ts');
    if (serverMode === 'dist') ({ entry, source } = buildServer(args.commit));
    else if (args.commit) throw new Error('--commit needs --server dist');
    const storeModule =
      serverMode === 'dist'
        ? join(dirname(entry), '../src/store/open.js')
        : join(ROOT, 'src/store/open.ts');
    const { openStore } = (await import(pathToFileURL(storeModule).href)) as {
      openStore: typeof OpenStore;
    };
    const prefix = 'bench';
    let accounts: Account[] = savedAccounts(dataDir).slice(0, clientsWanted);
    const setup: Record<string, unknown> = { mode: accountsMode, reused: accounts.length };
    const setupStart = performance.now();
    if (accounts.length < clientsWanted && accountsMode === 'seed') {
      log(`seeding ${clientsWanted - accounts.length} accounts into the store (${dbKind})`);
      accounts = await seedAccounts({
        openStore,
        url,
        dataDir,
        ...(schema ? { schema } : {}),
        count: clientsWanted,
        prefix,
        existing: accounts,
      });
      setup.seconds = round((performance.now() - setupStart) / 1000);
    }
    if (scenario === 'fanout') {
      log(`seeding room #${FANOUT_ROOM} with ${clientsWanted} members`);
      setup.room = await seedRoom({
        openStore,
        url,
        dataDir,
        ...(schema ? { schema } : {}),
        accounts: accounts.slice(0, clientsWanted),
      });
    }
    const diskCommitMs = dbKind === 'sqlite' ? diskCommitProbe(dataDir) : undefined;
    log(`starting the server (${dbKind}${schema ? `, schema ${schema}` : ''}, data ${dataDir})`);
    server = await startServer({
      entry,
      dataDir,
      url,
      ...(schema ? { schema } : {}),
      poolSize: num('pg-pool', 1, 200),
      ...(profileDir ? { profileDir } : {}),
    });
    const srv = server;
    if (accounts.length < clientsWanted) {
      const missing = clientsWanted - accounts.length;
      const concurrency = num('register-concurrency', 1, 256);
      log(`registering ${missing} accounts over REST, ${concurrency} at a time`);
      const s0 = await srv.stats();
      const t = performance.now();
      const r = await registerAccounts({
        baseUrl: `http://127.0.0.1:${srv.port}`,
        dataDir,
        count: clientsWanted,
        prefix,
        concurrency,
        existing: accounts,
      });
      const s1 = await srv.stats();
      const seconds = (performance.now() - t) / 1000;
      Object.assign(setup, {
        seconds: round(seconds),
        registered: r.accounts.length - accounts.length,
        failures: r.failures,
        perSecond: round((r.accounts.length - accounts.length) / seconds, 1),
        serverCpuSeconds: round(cpuSeconds(s0, s1), 2),
        concurrency,
      });
      log(`registered ${r.accounts.length - accounts.length} in ${round(seconds)} s`);
      accounts = r.accounts;
    }
    if (accounts.length < clientsWanted)
      throw new Error(`only ${accounts.length} accounts could be made`);

    const result =
      scenario === 'connect'
        ? await connectScenario(srv, accounts)
        : scenario === 'fanout'
          ? await fanoutScenario(srv, accounts, {
              senders: sendersWanted,
              rate,
              rateMax,
              windowSize,
              textBytes,
              warmup,
              duration,
              grace,
              connectConcurrency: num('connect-concurrency', 1, 10_000),
              sqlStats: args['sql-stats'],
            })
          : await dmScenario(srv, accounts);
    await srv.stop();
    const out = {
      scenario,
      ...(args.label ? { label: args.label } : {}),
      db: dbKind,
      server: serverMode,
      ...result,
      serverWarnings: srv.warnings,
      accountsSetup: setup,
      ...(profileDir ? { profileDir } : {}),
      ...(diskCommitMs ? { diskCommitMs } : {}),
      machine: {
        cpus: availableParallelism(),
        cpuModel: cpus()[0]?.model,
        memoryGb: round(totalmem() / 2 ** 30, 1),
        node: process.version,
      },
      source,
      date: new Date(started).toISOString(),
      runSeconds: round((Date.now() - started) / 1000, 1),
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    await server?.stop().catch(() => {});
    await cleanup().catch((err) => log(`cleanup failed: ${err}`));
    clearTimeout(deadline);
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    server?.child.kill('SIGKILL');
    fail(err.stack ?? String(err));
  },
);
