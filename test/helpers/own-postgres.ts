import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL server of the test's own, on a free port, that the test may
 * restart or kill (never the machine's shared one). Needs the Debian binaries;
 * `ownPostgresMissing()` says why it cannot run, for a skip reason.
 */
const BIN = process.env.PARLEY_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export function ownPostgresMissing(): string | undefined {
  if (!existsSync(join(BIN, 'postgres')) || !existsSync(join(BIN, 'initdb')))
    return `no PostgreSQL binaries in ${BIN} (set PARLEY_TEST_PG_BIN)`;
  return undefined;
}

/** initdb and postgres refuse to run as root: run them as the postgres user then. */
function asDbUser(cmd: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [cmd, args];
  return ['/usr/sbin/runuser', ['-u', 'postgres', '--', cmd, ...args]];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export interface OwnPostgres {
  url: string;
  port: number;
  /** Starts the server (again) on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** A fast shutdown (`SIGINT`): sessions are terminated (57P01), the server stops. */
  stop(): Promise<void>;
  /** `kill -9` of the postmaster; its backends notice and exit, the data stays. */
  kill(): Promise<void>;
  running(): boolean;
  /** Stops the server and removes its data. */
  dispose(): Promise<void>;
}

export async function ownPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-own-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const [initCmd, initArgs] = asDbUser(join(BIN, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  let proc: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const ready = async (): Promise<void> => {
    const { default: pg } = await import('pg');
    for (let i = 0; i < 600; i++) {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      c.on('error', () => {});
      try {
        await c.connect();
        await c.query('select 1');
        await c.end();
        return;
      } catch {
        await c.end().catch(() => {});
        if (!proc || proc.exitCode !== null) throw new Error('own PostgreSQL exited at start');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error('own PostgreSQL did not start within 30 s');
  };

  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    // runuser forwards SIGINT/SIGTERM, but not SIGKILL: kill the postmaster itself.
    const pid = postmasterPid();
    if (pid) process.kill(pid, sig);
    else proc.kill(sig);
    await exited;
  };
  const postmasterPid = (): number | undefined => {
    try {
      const out = execFileSync('head', ['-1', join(data, 'postmaster.pid')], { encoding: 'utf8' });
      const pid = Number(out.trim());
      return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };

  const pg: OwnPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      const [cmd, args] = asDbUser(join(BIN, 'postgres'), [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'max_connections=50',
      ]);
      const p = spawn(cmd, args, { stdio: 'ignore' });
      proc = p;
      exited = new Promise((resolve) => p.once('exit', () => resolve()));
      await ready();
    },
    stop: () => signal('SIGINT'),
    async kill() {
      await signal('SIGKILL');
      // The orphaned backends exit when they notice the postmaster is gone; wait
      // until the port is free and the pid file can be reused.
      for (let i = 0; i < 600 && (await portInUse(port)); i++)
        await new Promise((r) => setTimeout(r, 50));
    },
    running: () => !!proc && proc.exitCode === null && proc.signalCode === null,
    async dispose() {
      await signal('SIGINT').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}

async function portInUse(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}
