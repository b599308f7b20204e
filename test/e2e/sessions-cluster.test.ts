import { expect, it } from 'vitest';
import type { CoreEvent } from '../../src/core/events.js';
import { newId } from '../../src/core/ids.js';
import { type Capability, type Session, sessionKey } from '../../src/core/sessions.js';
import { describeOn } from '../helpers/backends.js';
import { clusterSetups, useCluster } from '../helpers/cluster.js';
import { Inbox } from '../helpers/presence.js';
import { type TestNode, uname } from '../helpers/server.js';
import { event, field } from '../helpers/events.js';

/**
 * What the IRC and XMPP doors will need of core, across two nodes sharing one
 * database and one bus: one session reached by its key wherever it is, and
 * room occupancy (who is in a room right now) told to the room's members on
 * the other node, only to sessions that asked for it. The doors do not exist
 * yet: the sessions here are registered straight into each node's core, as a
 * door would.
 */

const PASSWORD = 'correct horse battery';

async function waitFor<T>(
  find: () => T | undefined | Promise<T | undefined>,
  what: string,
): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const found = await find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const setup of clusterSetups) {
  describeOn(setup)(`sessions for many doors, two nodes (${setup.name})`, () => {
    const { cluster: c, connectTo } = useCluster(setup);

    async function user(prefix: string) {
      const name = uname(prefix);
      const reg = await c.node1.client().register(name, PASSWORD);
      return { name, id: reg.user.id, token: reg.token, client: c.node1.client(reg.token) };
    }

    /** A door's session on `node`, its bus subscriptions (user and rooms) live. */
    async function attach(node: TestNode, userId: string, resource: string, caps: Capability[]) {
      const got: CoreEvent[] = [];
      const s: Session = {
        id: newId(),
        connectionId: newId(),
        userId,
        door: 'test',
        resource,
        capabilities: new Set(caps),
        send: (e) => got.push(e),
        close: () => {},
      };
      node.parley.core.sessions.add(s);
      await node.parley.core.live.ready(userId);
      return { session: s, got, key: sessionKey(node.parley.core.nodeId, s.connectionId) };
    }

    it('a password change on node 1 ends a connection-scoped login on node 2', async () => {
      const ann = await user('ann');
      const auth = await c.node2.parley.core.accounts.verify({
        username: ann.name,
        password: PASSWORD,
        address: '192.0.2.7',
      });
      const closed: string[] = [];
      const s: Session = {
        id: auth.session.id,
        connectionId: newId(),
        userId: ann.id,
        door: 'test',
        resource: '',
        capabilities: new Set(),
        scoped: true,
        send: () => {},
        close: (reason) => closed.push(reason),
      };
      c.node2.parley.core.sessions.add(s);
      await c.node2.parley.bus.flush();
      await ann.client.changePassword(PASSWORD, 'a whole new passphrase');
      await waitFor(() => closed[0], 'the scoped login closed');
      c.node2.parley.core.sessions.remove(s);
    });

    it('deliverToSession reaches one session on the other node and no other', async () => {
      const ann = await user('ann');
      const target = await attach(c.node2, ann.id, 'phone', []);
      const sibling = await attach(c.node2, ann.id, 'laptop', []);
      const here = await attach(c.node1, ann.id, 'desk', []);
      c.node1.parley.core.router.deliverToSession(
        ann.id,
        target.key,
        event('call.offer', { sdp: 'x' }),
      );
      c.node1.parley.core.router.deliver(ann.id, event('after'));
      await waitFor(
        () => sibling.got.find((e) => (e.name as string) === 'after'),
        'the later event',
      );
      await waitFor(
        () => target.got.find((e) => (e.name as string) === 'after'),
        'the later event',
      );
      expect(target.got.map((e) => e.name)).toEqual(['call.offer', 'after']);
      expect(field(target.got[0]!, 'sdp')).toBe('x');
      expect(sibling.got.map((e) => e.name)).toEqual(['after']);
      expect(here.got.map((e) => e.name)).toEqual(['after']);
      for (const s of [target, sibling]) c.node2.parley.core.sessions.remove(s.session);
      c.node1.parley.core.sessions.remove(here.session);
    });

    it('room occupancy: entering and leaving on node 2 is told to a member on node 1 that asked, not to WebSocket clients', async () => {
      const ann = await user('ann');
      const bob = await user('bob');
      const room = `occ${process.pid % 1000}${Date.now() % 100000}`;
      const { room: r } = await ann.client.rooms.create(room);
      await bob.client.rooms.join(room);

      const web = new Inbox(await connectTo(c.node1, ann.token));
      await web.conn.request('rooms.mine');
      const annIrc = await attach(c.node1, ann.id, 'irc', ['occupancy']);
      const bobIrc = await attach(c.node2, bob.id, 'irc', ['occupancy']);
      await c.node1.parley.bus.flush();

      expect(await c.node2.parley.core.occupancy.enter(bobIrc.session, r.id)).toEqual({
        first: true,
      });
      const entered = await waitFor(
        () => annIrc.got.find((e) => e.name === 'room.occupant'),
        'room.occupant on node 1',
      );
      expect(entered).toMatchObject({
        room: { id: r.id, name: room },
        userId: bob.id,
        present: true,
      });
      const occ = await c.node1.parley.core.occupancy.occupants(r.id);
      expect(occ).toEqual([
        { userId: bob.id, resource: 'irc', sessionKey: bobIrc.key, since: expect.any(Number) },
      ]);

      // Not a member: refused.
      const eve = await user('eve');
      const eveIrc = await attach(c.node2, eve.id, 'irc', ['occupancy']);
      await expect(c.node2.parley.core.occupancy.enter(eveIrc.session, r.id)).rejects.toThrow(
        /only members/,
      );

      // bob's session closes on node 2: he is out, and ann's door is told.
      c.node2.parley.core.sessions.remove(bobIrc.session);
      await waitFor(
        () => annIrc.got.find((e) => e.name === 'room.occupant' && e.present === false),
        'bob out',
      );
      expect(await c.node1.parley.core.occupancy.occupants(r.id)).toEqual([]);

      // The WebSocket client saw a later room message but no occupancy event.
      await bob.client.rooms.send(room, 'hello', newId());
      await web.take((e) => e.name === 'room.message', 'the room message');
      expect(web.events.filter((e) => e.name === 'room.occupant')).toEqual([]);
      c.node1.parley.core.sessions.remove(annIrc.session);
      c.node2.parley.core.sessions.remove(eveIrc.session);
    });
  });
}

for (const setup of clusterSetups) {
  describeOn(setup)(`per-resource presence, two nodes (${setup.name})`, () => {
    const { cluster: c, connectTo } = useCluster(setup);

    it('a watcher sees each visible session of a contact on either node; a stranger sees none; the aggregate stays', async () => {
      const reg = async (p: string) => {
        const name = uname(p);
        const r = await c.node1.client().register(name, PASSWORD);
        return { name, id: r.user.id, token: r.token, client: c.node1.client(r.token) };
      };
      const ann = await reg('ann');
      const bob = await reg('bob');
      const eve = await reg('eve');
      await bob.client.requestContact(ann.name);
      await ann.client.approveContact(bob.name);

      const web = await connectTo(c.node1, ann.token);
      const xmpp: Session = {
        id: newId(),
        connectionId: newId(),
        userId: ann.id,
        door: 'test',
        resource: 'phone',
        capabilities: new Set(),
        send: () => {},
        close: () => {},
      };
      c.node2.parley.core.sessions.add(xmpp);
      const info = await c.node2.parley.core.presence.set(xmpp, 'away', 'on the bus', 5);
      // The aggregate is what it always was: the most available session (the web one).
      expect(info.show).toBe('available');

      const seen = await waitFor(async () => {
        const list = await c.node1.parley.core.presence.resources(bob.id, ann.id);
        return list.length === 2 ? list : undefined;
      }, 'two resources');
      const byResource = Object.fromEntries(seen.map((r) => [r.resource, r]));
      expect(byResource.phone).toMatchObject({
        show: 'away',
        status: 'on the bus',
        priority: 5,
        sessionKey: sessionKey(c.node2.parley.core.nodeId, xmpp.connectionId),
      });
      expect(byResource[Object.keys(byResource).find((k) => k !== 'phone')!]).toMatchObject({
        show: 'available',
        priority: 0,
      });
      expect(await c.node1.parley.core.presence.resources(eve.id, ann.id)).toEqual([]);
      expect((await c.node1.parley.core.presence.resources(ann.id, ann.id)).length).toBe(2);

      // An invisible session is never listed.
      await c.node2.parley.core.presence.set(xmpp, 'invisible', '');
      await waitFor(async () => {
        const list = await c.node1.parley.core.presence.resources(bob.id, ann.id);
        return list.length === 1 && list[0]!.resource !== 'phone' ? list : undefined;
      }, 'the phone hidden');
      await expect(c.node2.parley.core.presence.set(xmpp, 'away', '', 200)).rejects.toThrow(
        /priority/,
      );
      c.node2.parley.core.sessions.remove(xmpp);
      web.close();
    });
  });
}
