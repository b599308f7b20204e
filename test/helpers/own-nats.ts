import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

/**
 * A nats-server of a test's own, on a free port, which the test may kill and
 * start again (never the machine's shared one). `skip` says why it cannot run
 * here (no binary): a suite then registers as skipped with that reason.
 */
export const NATS_SERVER = process.env.PARLEY_TEST_NATS_SERVER ?? '/usr/sbin/nats-server';
export const ownNatsSkip: string | false = existsSync(NATS_SERVER)
  ? false
  : `no nats-server at ${NATS_SERVER} (set PARLEY_TEST_NATS_SERVER)`;

export interface OwnNats {
  url: string;
  port: number;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Kills it if running (always call, in afterAll). */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function startOwnNats(): Promise<OwnNats> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    const c = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    child = c;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (c.exitCode !== null)
        throw new Error(`nats-server exited (${c.exitCode}) on port ${port}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function kill(): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  }

  await start();
  return { url: `nats://127.0.0.1:${port}`, port, kill, start, dispose: kill };
}
