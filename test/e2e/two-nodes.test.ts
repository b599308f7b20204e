import { expect, it } from 'vitest';
import { clusterSetups, useCluster } from '../helpers/cluster.js';
import { uname } from '../helpers/server.js';
import { describeOn } from '../helpers/backends.js';
import { event } from '../helpers/events.js';

/**
 * The seam proof: two server nodes in one process share one database and one
 * bus, and a user's live connection on one node sees what happens on the
 * other. Runs on SQLite + a shared in-process hub always, and on PostgreSQL +
 * NATS (each node with its own NATS connection) when both are configured.
 */

const PASSWORD = 'correct horse battery';

/** Rejects if `p` has not settled within `ms` (a clear failure instead of a test timeout). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]);
}

for (const setup of clusterSetups) {
  describeOn(setup)(`two nodes, one database, one bus (${setup.name})`, () => {
    const { cluster: c, connectTo } = useCluster(setup);

    it('each node says who it is', () => {
      expect(c.node1.parley.core.nodeId).toBe('node-1');
      expect(c.node2.parley.core.nodeId).toBe('node-2');
    });

    it('(a) an event delivered on node 1 reaches the user connected to node 2', async () => {
      const reg = await c.node1.client().register(uname('ping'), PASSWORD);
      const conn = await connectTo(c.node2, reg.token);
      expect(conn.hello?.node).toBe('node-2');
      expect(c.node1.parley.core.sessions.of(reg.user.id)).toHaveLength(0);
      expect(c.node2.parley.core.sessions.of(reg.user.id)).toHaveLength(1);

      const got = conn.next('test.ping');
      c.node1.parley.core.router.deliver(reg.user.id, event('test.ping', { n: 1 }));
      expect(await got).toEqual({ n: 1 });
    });

    it('(a2) a user on both nodes gets an event once on each, not an echo from the bus', async () => {
      const reg = await c.node1.client().register(uname('both'), PASSWORD);
      const on1 = await connectTo(c.node1, reg.token);
      const on2 = await connectTo(c.node2, reg.token);
      const seen1: unknown[] = [];
      const seen2: unknown[] = [];
      on1.on('test.ping', (d) => seen1.push(d.n));
      on2.on('test.ping', (d) => seen2.push(d.n));

      c.node1.parley.core.router.deliver(reg.user.id, event('test.ping', { n: 1 }));
      await c.node1.parley.bus.flush();
      // Node 1 hears its own publication on the bus before this later one from node 2.
      const marker1 = on1.next('test.marker');
      const marker2 = on2.next('test.marker');
      c.node2.parley.core.router.deliver(reg.user.id, event('test.marker', {}));
      await c.node2.parley.bus.flush();
      await marker1;
      await marker2;

      expect(seen1).toEqual([1]);
      expect(seen2).toEqual([1]);
    });

    it('(b) a profile update over REST on node 1 reaches the WebSocket on node 2', async () => {
      const a = c.node1.client();
      const reg = await a.register(uname('prof'), PASSWORD);
      const conn = await connectTo(c.node2, reg.token);

      const got = conn.next('profile.updated');
      const updated = await a.updateProfile({
        displayName: 'Zoë on node one',
        city: 'Oslo',
        birthYear: 1990,
      });
      const data = await got;
      expect(data.profile).toEqual(updated);
      expect(data.profile).toMatchObject({
        userId: reg.user.id,
        username: reg.user.username,
        displayName: 'Zoë on node one',
        city: 'Oslo',
        birthYear: 1990,
      });
      // And node 2 reads the same row.
      expect(await c.node2.client(reg.token).profile(reg.user.username)).toEqual(updated);
    });

    it('(c) revoking a session on node 1 closes its WebSocket on node 2 with 4002, and only that one', async () => {
      const name = uname('rev');
      const laptop = c.node1.client();
      await laptop.register(name, PASSWORD, { device: 'laptop' });
      const phone = c.node1.client();
      const phoneLogin = await phone.login(name, PASSWORD, 'phone');

      const phoneWs = await connectTo(c.node2, phoneLogin.token);
      const laptopWs = await connectTo(c.node2, laptop.token!);

      await laptop.revokeSession(phoneLogin.session.id);
      const closed = await within(phoneWs.closed, 10_000, 'closing the revoked session on node 2');
      expect(closed.code).toBe(4002);

      // The other session of the same user, on the same node, is still live.
      const me = await laptopWs.request<{ session: { device: string } }>('me.get');
      expect(me.session.device).toBe('laptop');
      await expect(c.node2.client(phoneLogin.token).me()).rejects.toMatchObject({
        condition: 'not-authenticated',
      });
    });

    it('(c2) logging out through node 1 closes that session’s WebSocket on node 2', async () => {
      const reg = await c.node1.client().register(uname('out'), PASSWORD);
      const ws = await connectTo(c.node2, reg.token);
      await c.node1.client(reg.token).logout();
      const closed = await within(ws.closed, 10_000, 'closing the logged-out session on node 2');
      expect(closed.code).toBe(4002);
      expect(c.node2.parley.core.sessions.of(reg.user.id)).toHaveLength(0);
    });

    it('(d) an account registered on node 1 logs in on node 2', async () => {
      const name = uname('acct');
      const reg = await c.node1.client().register(name, PASSWORD);
      const b = c.node2.client();
      const login = await b.login(name, PASSWORD, 'node2-device');
      expect(login.user.id).toBe(reg.user.id);
      expect(login.user.username).toBe(name);
      const me = await b.me();
      expect(me.user.id).toBe(reg.user.id);
      expect(me.session.device).toBe('node2-device');
      // A token from node 1 works on node 2, and the wrong password is refused there too.
      expect((await c.node2.client(reg.token).me()).user.id).toBe(reg.user.id);
      await expect(c.node2.client().login(name, 'wrong password')).rejects.toMatchObject({
        condition: 'invalid-credentials',
      });
    });
  });
}
