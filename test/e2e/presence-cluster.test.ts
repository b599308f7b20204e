import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ParleyClient } from '../../src/sdk/client.js';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import { nodeWebSocket } from '../../src/sdk/node.js';
import {
  describeOn,
  everyStoreBackend,
  NATS_URL,
  needs,
  type StoreBackend,
  tempDir,
} from '../helpers/backends.js';
import { clusterSetups, useCluster } from '../helpers/cluster.js';
import { raw } from '../helpers/http.js';
import {
  expectPresence,
  type Inbox,
  openWatched,
  type PresenceData,
  type ServeProcess,
  spawnServe,
} from '../helpers/presence.js';
import { startNode, type TestNode, uname } from '../helpers/server.js';

/**
 * Presence across two nodes sharing one database and one bus: each node writes
 * what its own sessions add up to, watchers on the other node are told through
 * the bus, and a node that dies without a word is swept by the survivor.
 */

const PASSWORD = 'correct horse battery';

interface User {
  name: string;
  id: string;
  token: string;
  client: ParleyClient;
}

async function register(on: TestNode | string, prefix: string): Promise<User> {
  const client =
    typeof on === 'string'
      ? new ParleyClient({ baseUrl: on, webSocket: nodeWebSocket })
      : on.client();
  const name = uname(prefix);
  const reg = await client.register(name, PASSWORD);
  return { name, id: reg.user.id, token: reg.token, client };
}

/** `a` and `b` see each other; `aInbox` (open before) is told of b at once, and that event is taken. */
async function friends(a: User, b: User, aInbox: Inbox): Promise<PresenceData> {
  await a.client.requestContact(b.name);
  await b.client.approveContact(a.name);
  return aInbox.presence(b.id);
}

for (const setup of clusterSetups) {
  describeOn(setup)(`presence across two nodes (${setup.name})`, () => {
    const { cluster: c } = useCluster(setup);
    const open: ParleyConnection[] = [];
    afterEach(() => {
      for (const conn of open.splice(0)) conn.close();
    });

    /** A connection to `node` whose bus subscription is live, recording events from the start. */
    async function connect(node: TestNode, u: User) {
      const w = await openWatched(node, u.token);
      open.push(w.conn);
      await node.parley.bus.flush();
      return w;
    }

    async function close(node: TestNode, conn: ParleyConnection): Promise<void> {
      conn.close();
      await conn.closed;
      await node.parley.bus.flush();
    }

    it('B on node 2 is seen by A on node 1: arrival, a snapshot of A for B, and a change of show', async () => {
      const a = await register(c.node1, 'ca');
      const b = await register(c.node1, 'cb');
      const aw = await connect(c.node1, a);
      expect((await friends(a, b, aw.inbox)).show).toBe('offline');

      const bw = await connect(c.node2, b);
      expect(bw.conn.hello?.node).toBe('node-2');
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'available',
        lastSeen: null,
      });
      const snap = await bw.inbox.snapshot();
      expect(snap).toHaveLength(1);
      expectPresence(snap[0], {
        userId: a.id,
        username: a.name,
        show: 'available',
        lastSeen: null,
      });

      await bw.conn.request('presence.set', { show: 'away', status: 'on two' });
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'away',
        status: 'on two',
        lastSeen: null,
      });
      // Node 1 answers from the store what node 2 wrote.
      const listed = await raw(c.node1.url, 'GET', '/api/v1/presence', {
        headers: { authorization: `Bearer ${a.token}` },
      });
      expect(listed.status, listed.text).toBe(200);
      expect(
        (listed.body as { contacts: PresenceData[] }).contacts.map((p) => [p.userId, p.show]),
      ).toEqual([[b.id, 'away']]);
      await close(c.node2, bw.conn);
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'offline',
        lastSeen: 'number',
      });
    });

    it('B on both nodes: closing one keeps B available for A; closing both makes B offline', async () => {
      const a = await register(c.node1, 'ba');
      const b = await register(c.node2, 'bb');
      const aw = await connect(c.node1, a);
      await friends(a, b, aw.inbox);

      const on1 = await connect(c.node1, b);
      expect((await aw.inbox.presence(b.id)).show).toBe('available');
      const on2 = await connect(c.node2, b);
      expect((await aw.inbox.presence(b.id)).show).toBe('available');

      await close(c.node1, on1.conn);
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'available',
        lastSeen: null,
      });
      await close(c.node2, on2.conn);
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'offline',
        lastSeen: 'number',
      });
    });

    it('the most available over both nodes wins: away on node 1, dnd on node 2, then each leaving', async () => {
      const a = await register(c.node1, 'ma');
      const b = await register(c.node1, 'mb');
      const aw = await connect(c.node2, a);
      await friends(a, b, aw.inbox);

      const on1 = await connect(c.node1, b);
      await aw.inbox.presence(b.id);
      await on1.conn.request('presence.set', { show: 'away', status: 'one' });
      expect((await aw.inbox.presence(b.id)).status).toBe('one');
      const on2 = await connect(c.node2, b);
      expect((await aw.inbox.presence(b.id)).show).toBe('available');
      await on2.conn.request('presence.set', { show: 'dnd', status: 'two' });
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'dnd',
        status: 'two',
        lastSeen: null,
      });
      await close(c.node2, on2.conn);
      expectPresence(await aw.inbox.presence(b.id), {
        userId: b.id,
        username: b.name,
        show: 'away',
        status: 'one',
        lastSeen: null,
      });
      await close(c.node1, on1.conn);
      expect((await aw.inbox.presence(b.id)).show).toBe('offline');
    });
  });
}

/**
 * A node killed without a word (SIGKILL) is swept by the survivor once its
 * heartbeat is older than presence.node_timeout_seconds. This needs two
 * processes sharing the database and the bus; SQLite comes with the in-process
 * bus only, which cannot reach another process, so the test exists only with
 * PostgreSQL and NATS.
 */
describeOn({ skip: needs(true, true) })('presence when a node crashes (postgres + nats)', () => {
  const presence = { node_heartbeat_seconds: 1, node_timeout_seconds: 3 };
  const prefix = `parleyt${randomBytes(6).toString('hex')}`;
  let db: ReturnType<StoreBackend['make']>;
  let data: ReturnType<typeof tempDir>;
  let node1: TestNode;
  let node2: ServeProcess | undefined;

  beforeAll(async () => {
    db = everyStoreBackend()
      .find((b) => b.name === 'postgres')!
      .make();
    data = tempDir();
    node1 = await startNode({
      db,
      busUrl: NATS_URL,
      nodeId: 'crash-1',
      config: { presence, bus: { subject_prefix: prefix } },
    });
  });
  afterAll(async () => {
    await node2?.crash();
    await node1?.stop();
    await db?.cleanup();
    data?.cleanup();
  });

  it('B on a node that is killed is seen offline by A once the survivor sweeps it', async () => {
    // Node 2: another process on the same database, schema and bus.
    node2 = await spawnServe({
      PARLEY_DATABASE_URL: db.url,
      PARLEY_DATABASE_SCHEMA: db.pgSchema!,
      PARLEY_BUS_URL: NATS_URL,
      PARLEY_BUS_SUBJECT_PREFIX: prefix,
      PARLEY_SERVER_NODE_ID: 'crash-2',
      PARLEY_PRESENCE_NODE_HEARTBEAT_SECONDS: String(presence.node_heartbeat_seconds),
      PARLEY_PRESENCE_NODE_TIMEOUT_SECONDS: String(presence.node_timeout_seconds),
      PARLEY_DATA_DIR: data.dir,
    });
    const a = await register(node1, 'ka');
    const b = await register(node2.url, 'kb');
    const aw = await openWatched(node1, a.token);
    await node1.parley.bus.flush();
    expect((await friends(a, b, aw.inbox)).show).toBe('offline');

    const bConn = await b.client.connect();
    expect(bConn.hello?.node).toBe('crash-2');
    expectPresence(await aw.inbox.presence(b.id), {
      userId: b.id,
      username: b.name,
      show: 'available',
      lastSeen: null,
    });

    await node2.crash();
    expect(await node2.exited).toBe('SIGKILL');
    await bConn.closed;

    // Nobody closed B's session cleanly: only the sweep of the silent node can tell A.
    const gone = await aw.inbox.presence(b.id, 30_000);
    expectPresence(gone, { userId: b.id, username: b.name, show: 'offline', lastSeen: 'number' });
    expect(node1.parley.core.sessions.of(b.id)).toHaveLength(0);
    aw.conn.close();
  }, 90_000);
});
