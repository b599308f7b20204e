import type { Bus } from '../../src/core/bus.js';
import { buildConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createParley, type Parley } from '../../src/main.js';
import { ParleyClient } from '../../src/sdk/client.js';
import { nodeWebSocket } from '../../src/sdk/node.js';
import type { StoreBackend } from './backends.js';

export interface TestNode {
  parley: Parley;
  url: string;
  wsUrl: string;
  client(token?: string): ParleyClient;
  stop(): Promise<void>;
}

export type Sections = { [S in keyof Config]?: Partial<Config[S]> };

/**
 * Starts a real server on 127.0.0.1, port 0. `db` is from backend.make(), so two
 * nodes can share one database by passing the same `db`.
 */
export async function startNode(opts: {
  db: { url: string; dataDir: string; pgSchema?: string };
  bus?: Bus;
  busUrl?: string;
  config?: Sections;
  nodeId?: string;
}): Promise<TestNode> {
  const file: Record<string, Record<string, unknown>> = {
    server: { host: '127.0.0.1', port: 0, ...(opts.nodeId ? { node_id: opts.nodeId } : {}) },
    data: { dir: opts.db.dataDir },
    database: { url: opts.db.url, ...(opts.db.pgSchema ? { schema: opts.db.pgSchema } : {}) },
    bus: { url: opts.busUrl ?? '' },
    log: { level: process.env.PARLEY_TEST_LOG ?? 'silent' },
    // Every test signs people up from 127.0.0.1; the limit has its own test.
    registration: { accounts_per_address_per_hour: 1_000_000 },
    // ...and opens many connections from it; the per-address cap has its own test.
    limits: { connections_per_address: 1_000_000 },
    // A free port: many test servers run at once.
    irc: { port: 0, tls_port: -1 },
    xmpp: { port: 0, tls_port: -1 },
  };
  for (const [section, values] of Object.entries(opts.config ?? {}))
    file[section] = { ...(file[section] ?? {}), ...values };
  const config = buildConfig(file);
  const parley = await createParley(config, opts.bus ? { bus: opts.bus } : {});
  const port = await parley.listen();
  const url = `http://127.0.0.1:${port}`;
  return {
    parley,
    url,
    wsUrl: `ws://127.0.0.1:${port}/api/v1/ws`,
    client: (token) =>
      new ParleyClient({ baseUrl: url, webSocket: nodeWebSocket, ...(token ? { token } : {}) }),
    stop: () => parley.stop(),
  };
}

/** One node on a fresh database of the given backend; dispose() stops it and drops the database. */
export async function startSingle(backend: StoreBackend, config?: Sections) {
  const db = backend.make();
  const node = await startNode({ db, ...(config ? { config } : {}) });
  return {
    ...node,
    async dispose() {
      await node.stop();
      await db.cleanup();
    },
  };
}

let counter = 0;
/** A unique, valid username for a test. */
export function uname(prefix = 'user'): string {
  return `${prefix}${process.pid % 1000}x${++counter}`;
}
