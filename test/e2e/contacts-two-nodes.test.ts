import { expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import type { ServerEvent } from '../../src/sdk/types.js';
import { clusterSetups, useCluster } from '../helpers/cluster.js';
import { type TestNode, uname } from '../helpers/server.js';
import { describeOn } from '../helpers/backends.js';
import { event } from '../helpers/events.js';

/**
 * Contacts across two nodes sharing one database and one bus: a request,
 * approval or block made through one node is seen live by the other user's
 * WebSocket on the other node, and a blocked user's request reaches nobody.
 * Runs on SQLite + a shared in-process hub always, and on PostgreSQL + NATS
 * (each node with its own NATS connection) when both are configured.
 */

const PASSWORD = 'correct horse battery';

for (const setup of clusterSetups) {
  describeOn(setup)(`contacts across two nodes (${setup.name})`, () => {
    const { cluster: c, connectTo } = useCluster(setup);

    /** Registers a user through `node`; returns a REST client for each node and the token. */
    async function user(prefix: string, on: TestNode) {
      const name = uname(prefix);
      const reg = await on.client().register(name, PASSWORD);
      return {
        name,
        id: reg.user.id,
        token: reg.token,
        via1: c.node1.client(reg.token),
        via2: c.node2.client(reg.token),
      } satisfies Record<string, string | ParleyClient>;
    }

    /**
     * Everything `conn` received up to a marker event sent to `userId` through `node`
     * after `node`'s bus was flushed: what `node` delivered before the marker has arrived.
     */
    async function eventsUntilMarker(
      conn: ParleyConnection,
      node: TestNode,
      userId: string,
      seen: ServerEvent[],
    ): Promise<string[]> {
      await node.parley.bus.flush();
      const marker = conn.next('test.marker');
      node.parley.core.router.deliver(userId, event('test.marker'));
      await node.parley.bus.flush();
      await marker;
      return seen.filter((e) => e.name !== 'test.marker').map((e) => e.name);
    }

    it('a request made via node 1 reaches the other user’s WebSocket on node 2 as contact.updated with pendingIn', async () => {
      const a = await user('ra', c.node1);
      const b = await user('rb', c.node2);
      await b.via2.updateProfile({ displayName: 'Bee on two' });
      const bWs = await connectTo(c.node2, b.token);
      // The requester's own session on the other node hears about its side too.
      const aWs = await connectTo(c.node2, a.token);
      expect(bWs.hello?.node).toBe('node-2');
      expect(c.node1.parley.core.sessions.of(b.id)).toHaveLength(0);

      const incoming = bWs.next('contact.updated');
      const own = aWs.next('contact.updated');
      const mine = await a.via1.requestContact(b.name, 'hello across nodes');
      expect(mine).toMatchObject({
        userId: b.id,
        username: b.name,
        displayName: 'Bee on two',
        ask: true,
        pendingIn: false,
      });

      expect((await incoming).contact).toEqual({
        userId: a.id,
        username: a.name,
        displayName: '',
        subscription: 'none',
        ask: false,
        pendingIn: true,
        note: 'hello across nodes',
        alias: '',
        groups: [],
        inRoster: false,
        approved: false,
        avatar: null,
      });
      expect((await own).contact).toEqual(mine);
      // Node 2 reads the same rows.
      expect(await b.via2.contacts()).toEqual([(await incoming).contact]);
      expect(await a.via2.contacts()).toEqual([mine]);
    });

    it('the approval on node 2 reaches the requester’s WebSocket on node 1', async () => {
      const a = await user('aa', c.node1);
      const b = await user('ab', c.node2);
      await a.via1.requestContact(b.name);
      const aWs = await connectTo(c.node1, a.token);
      const bOn1 = await connectTo(c.node1, b.token);
      expect(c.node2.parley.core.sessions.of(a.id)).toHaveLength(0);

      const approvedSeen = aWs.next('contact.updated');
      const bOwnSeen = bOn1.next('contact.updated');
      const approved = await b.via2.approveContact(a.name);
      expect(approved).toMatchObject({ userId: a.id, subscription: 'both', pendingIn: false });

      expect((await approvedSeen).contact).toMatchObject({
        userId: b.id,
        username: b.name,
        subscription: 'both',
        ask: false,
        pendingIn: false,
        inRoster: true,
      });
      // b's own session on node 1 gets b's side of it.
      expect((await bOwnSeen).contact).toEqual(approved);
      expect((await a.via1.contacts()).map((x) => [x.username, x.subscription])).toEqual([
        [b.name, 'both'],
      ]);

      // And a removal on node 1 reaches b on node 2: b keeps the entry, nothing flows.
      const bWs = await connectTo(c.node2, b.token);
      const removedSeen = bWs.next('contact.updated');
      const aRemoved = aWs.next('contact.removed');
      await a.via1.removeContact(b.name);
      expect((await removedSeen).contact).toMatchObject({
        userId: a.id,
        subscription: 'none',
        inRoster: true,
      });
      // actor: who made the change (here a, the one told).
      expect(await aRemoved).toEqual({
        seq: expect.any(Number),
        userId: b.id,
        username: b.name,
        actor: 'self',
      });
    });

    it('a block on node 2 means node 1’s request produces no event on node 2', async () => {
      const a = await user('ba', c.node1);
      const b = await user('bb', c.node2);
      const bWs = await connectTo(c.node2, b.token);
      const aWs = await connectTo(c.node1, a.token);

      const blockSeen = bWs.next('block.added');
      await b.via2.block(a.name);
      expect(await blockSeen).toEqual({ seq: expect.any(Number), userId: a.id, username: a.name });
      expect((await b.via1.blocked()).map((x) => x.userId)).toEqual([a.id]);

      const seenByB: ServerEvent[] = [];
      bWs.onAny((e) => seenByB.push(e));
      const ownSeen = aWs.next('contact.updated');
      // From a's side the request seems to go through, on node 1.
      expect(await a.via1.requestContact(b.name, 'let me in')).toMatchObject({ ask: true });
      expect((await ownSeen).contact).toMatchObject({ userId: b.id, ask: true });

      // Everything node 1 sent for b before the marker has reached b on node 2: nothing.
      expect(await eventsUntilMarker(bWs, c.node1, b.id, seenByB)).toEqual([]);
      expect(await b.via2.contacts()).toEqual([]);

      // The same request without the block does reach node 2 (the check above can see events).
      const unblocked = bWs.next('block.removed');
      await b.via2.unblock(a.name);
      await unblocked;
      seenByB.length = 0;
      const arrives = bWs.next('contact.updated');
      await a.via1.requestContact(b.name, 'please?');
      expect((await arrives).contact).toMatchObject({
        userId: a.id,
        pendingIn: true,
        note: 'please?',
      });
      expect(await eventsUntilMarker(bWs, c.node1, b.id, seenByB)).toEqual(['contact.updated']);
    });
  });
}
