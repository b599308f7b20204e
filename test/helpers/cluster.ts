import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { createLocalBus, createLocalHub } from '../../src/bus/local.js';
import type { Bus } from '../../src/core/bus.js';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import { everyStoreBackend, NATS_URL, needs, type Needs, type StoreBackend } from './backends.js';
import { startNode, type TestNode } from './server.js';

/**
 * Two server nodes in one process sharing one database and one bus: SQLite + a
 * shared in-process hub always, and PostgreSQL + NATS (each node with its own
 * NATS connection), skipped unless both are configured.
 */

export interface Cluster {
  node1: TestNode;
  node2: TestNode;
  dispose(): Promise<void>;
}

export interface ClusterSetup {
  name: string;
  /** Not configured in this run: its suites are skipped (describeOn). */
  skip: Needs;
  start(): Promise<Cluster>;
}

// Live sessions must be closed by the bus, not by the periodic store recheck.
const config = (prefix: string) => ({
  native: { session_recheck_seconds: 86_400 },
  bus: { subject_prefix: prefix },
});

/** A subject prefix of its own, so parallel runs on a shared NATS never cross. */
const subjectPrefix = () => `parleyt${randomBytes(6).toString('hex')}`;

/**
 * Starts node-1 and then node-2 on one fresh database of `store`, with one fresh
 * subject prefix; `busOf(n)` is node n's bus. dispose() stops both nodes, then
 * runs `closeBuses` (for buses the nodes do not own) and drops the database.
 */
async function startCluster(
  store: StoreBackend['name'],
  busOf: (n: 1 | 2) => { bus: Bus } | { busUrl: string },
  closeBuses: () => Promise<void> = async () => {},
): Promise<Cluster> {
  const db = everyStoreBackend()
    .find((b) => b.name === store)!
    .make();
  const prefix = subjectPrefix();
  const start = (n: 1 | 2) =>
    startNode({ db, ...busOf(n), nodeId: `node-${n}`, config: config(prefix) });
  const node1 = await start(1);
  const node2 = await start(2);
  return {
    node1,
    node2,
    async dispose() {
      await node1.stop();
      await node2.stop();
      await closeBuses();
      await db.cleanup();
    },
  };
}

/** The clusters a two-node suite runs on. */
export const clusterSetups: ClusterSetup[] = [
  {
    name: 'sqlite + local hub',
    skip: false,
    start() {
      const hub = createLocalHub();
      const buses = [createLocalBus(hub), createLocalBus(hub)];
      return startCluster(
        'sqlite',
        (n) => ({ bus: buses[n - 1]! }),
        async () => {
          for (const b of buses) await b.close();
        },
      );
    },
  },
  {
    name: 'postgres + nats',
    skip: needs(true, true),
    start: () => startCluster('postgres', () => ({ busUrl: NATS_URL })),
  },
];

/**
 * Starts `setup` before the enclosing describe's tests and disposes of it after
 * them, closing every connection connectTo() opened first. `cluster` reads the
 * running cluster's nodes.
 */
export function useCluster(setup: ClusterSetup) {
  let running: Cluster | undefined;
  const open: ParleyConnection[] = [];
  const started = () => {
    if (!running) throw new Error(`the cluster (${setup.name}) has not started`);
    return running;
  };

  beforeAll(async () => {
    running = await setup.start();
  });
  afterAll(async () => {
    for (const conn of open) conn.close();
    await running?.dispose();
  });

  return {
    cluster: {
      get node1() {
        return started().node1;
      },
      get node2() {
        return started().node2;
      },
    },

    /** Connects a WebSocket to `node` with `token` and waits until its bus subscription is live. */
    async connectTo(node: TestNode, token: string): Promise<ParleyConnection> {
      const conn = await node.client(token).connect();
      open.push(conn);
      // The session registered (and subscribed to the bus) before the auth reply;
      // flushing makes sure a NATS subscription reached the server.
      await node.parley.bus.flush();
      return conn;
    },
  };
}
