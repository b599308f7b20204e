import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import type { ServerEvent } from '../../src/sdk/types.js';
import type { TestNode } from './server.js';

/** A `presence` event's data (and one entry of `presence.snapshot` / `presence.list`). */
export interface PresenceData {
  userId: string;
  username: string;
  show: 'available' | 'away' | 'dnd' | 'xa' | 'offline';
  status: string;
  since: number;
  at: number;
  lastSeen: number | null;
}

/**
 * Every event a connection received, in order, with a cursor: `take` returns
 * the first matching event after the ones already taken, waiting for it if it
 * has not arrived. Nothing that arrives before a test starts waiting is lost.
 */
export class Inbox {
  readonly events: ServerEvent[] = [];
  private cursor = 0;
  private wake: (() => void) | undefined;

  constructor(readonly conn: ParleyConnection) {
    conn.onAny((e) => {
      this.events.push(e);
      this.wake?.();
    });
  }

  async take(
    match: (e: ServerEvent) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.events.length) {
        const e = this.events[this.cursor++]!;
        if (match(e)) return e.data;
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no ${what} within ${timeoutMs} ms; received: ${JSON.stringify(this.events)}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** The next `presence` event about `userId` (events about others are skipped). */
  async presence(userId: string, timeoutMs?: number): Promise<PresenceData> {
    return (await this.take(
      (e) => e.name === 'presence' && e.data.userId === userId,
      `presence event about ${userId}`,
      timeoutMs,
    )) as unknown as PresenceData;
  }

  /** The next `presence.snapshot`'s contacts. */
  async snapshot(): Promise<PresenceData[]> {
    const d = await this.take((e) => e.name === 'presence.snapshot', 'presence.snapshot');
    return d.contacts as PresenceData[];
  }

  /** Every `presence` event about `userId` received so far, taken or not. */
  presenceAbout(userId: string): PresenceData[] {
    return this.events
      .filter((e) => e.name === 'presence' && e.data.userId === userId)
      .map((e) => e.data as unknown as PresenceData);
  }

  /** Every snapshot received so far. */
  snapshots(): PresenceData[][] {
    return this.events
      .filter((e) => e.name === 'presence.snapshot')
      .map((e) => e.data.contacts as PresenceData[]);
  }

  /** Waits until everything the server wrote to this connection so far has arrived. */
  async drain(): Promise<void> {
    await this.conn.request('ping');
  }
}

/**
 * Opens a WebSocket to `node` that records events from before it authenticates,
 * so the snapshot sent on arrival is never missed.
 */
export async function openWatched(
  node: Pick<TestNode, 'client'>,
  token: string,
): Promise<{ conn: ParleyConnection; inbox: Inbox }> {
  const conn = await node.client().connect({ authenticate: false });
  const inbox = new Inbox(conn);
  await conn.request('auth', { token });
  return { conn, inbox };
}

/** A presence event or list entry, checked field by field. */
export function expectPresence(
  got: PresenceData | undefined,
  want: {
    userId: string;
    username: string;
    show: PresenceData['show'];
    status?: string;
    /** 'number': a last-seen time is given; null: it is not. */
    lastSeen: 'number' | null;
  },
): void {
  expect(got).toBeDefined();
  expect(got).toEqual({
    userId: want.userId,
    username: want.username,
    show: want.show,
    status: want.status ?? '',
    since: expect.any(Number),
    lastSeen: want.lastSeen === 'number' ? expect.any(Number) : null,
    at: expect.any(Number),
  });
}

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Resolves with the signal that ended the process (null for a normal exit). */
  exited: Promise<NodeJS.Signals | null>;
  /** SIGKILL: the process dies without closing anything. */
  crash(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `parley serve` started from source as a child process, its output so far, and how it ended. */
export interface ServeChild {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `parley serve` as a child process with `env` (PARLEY_* settings) on
 * 127.0.0.1, port 0, without waiting for anything (a server may wait for its
 * database first).
 */
export function startServeChild(env: Record<string, string>): ServeChild {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '--eval',
      "const { main } = await import('./src/cli/index.ts'); process.exitCode = await main(process.argv.slice(1));",
      '--',
      'serve',
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PARLEY_SERVER_PORT: '0',
        PARLEY_SERVER_HOST: '127.0.0.1',
        PARLEY_LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exit };
}

/**
 * Runs `parley serve` as a child process with `env` (PARLEY_* settings) on
 * 127.0.0.1, port 0; resolves once it says it is running.
 */
export async function spawnServe(env: Record<string, string>): Promise<ServeProcess> {
  const { child, output, exit } = startServeChild(env);
  const exited = exit.then((e) => e.signal);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`parley serve did not start:\n${output()}`));
    }, 30_000);
    void exited.then((signal) => {
      clearTimeout(timer);
      reject(new Error(`parley serve exited (${signal ?? child.exitCode}):\n${output()}`));
    });
    child.stdout.on('data', () => {
      const m = /Parley is running: http:\/\/[^:]+:(\d+)\//.exec(output());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    exited,
    async crash() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
