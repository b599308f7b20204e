import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ParleyError } from '../../src/core/errors.js';
import type { CoreEvent } from '../../src/core/events.js';
import { createOccupancyService } from '../../src/core/occupancy/service.js';
import type { Router } from '../../src/core/router.js';
import { createSessionRegistry, type Session } from '../../src/core/sessions.js';
import type { Store } from '../../src/core/store.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';
import { event } from '../helpers/events.js';

/**
 * Room occupancy on every store backend: the store's rows (with nodes alive,
 * dead and unknown) and the service's rules (members only, first in and last
 * out told once, closing a session or leaving the room takes it out).
 */

const tag = () => randomBytes(6).toString('hex');

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`room occupancy (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ store, dispose } = await openTestStore(backend));
    });
    afterAll(async () => dispose?.());

    const row = (roomId: string, userId: string, nodeId: string, conn: string, since = 1) => ({
      roomId,
      userId,
      nodeId,
      connectionId: conn,
      resource: `r-${conn}`,
      since,
    });

    it('store: occupants on live nodes only; leave, leaveAll and sweep take rows out once', async () => {
      const t = tag();
      const [room, other, live, dead, unknown] = ['room', 'other', 'live', 'dead', 'unk'].map(
        (s) => `${s}-${t}`,
      ) as [string, string, string, string, string];
      const now = Date.now();
      await store.presence.heartbeat(live, now);
      await store.presence.heartbeat(dead, now - 60_000);
      await store.occupancy.enter(row(room, 'u1', live, 'c1', 10));
      await store.occupancy.enter(row(room, 'u1', live, 'c2', 20));
      await store.occupancy.enter(row(other, 'u1', live, 'c1', 30));
      await store.occupancy.enter(row(room, 'u2', dead, 'c3', 5));
      await store.occupancy.enter(row(room, 'u3', unknown, 'c4', 5));
      await store.occupancy.enter(row(room, 'u1', live, 'c1', 10)); // again: still one row

      const alive = now - 30_000;
      expect((await store.occupancy.occupants(room, alive)).map((o) => o.connectionId)).toEqual([
        'c1',
        'c2',
      ]);
      expect(await store.occupancy.sessionsIn(room, 'u1', alive)).toBe(2);
      expect(await store.occupancy.sessionsIn(room, 'u2', alive)).toBe(0);

      expect(await store.occupancy.leave(room, live, 'c2')).toBe(true);
      expect(await store.occupancy.leave(room, live, 'c2')).toBe(false);
      expect((await store.occupancy.leaveAll(live, 'c1')).sort()).toEqual([other, room].sort());
      expect(await store.occupancy.occupants(room, alive)).toEqual([]);

      const swept = await store.occupancy.sweep(alive);
      const mine = swept.filter((s) => s.roomId === room);
      expect(mine.sort((a, b) => a.userId.localeCompare(b.userId))).toEqual([
        { roomId: room, userId: 'u2' },
        { roomId: room, userId: 'u3' },
      ]);
      expect((await store.occupancy.sweep(alive)).filter((s) => s.roomId === room)).toEqual([]);
      await store.presence.removeNode(live);
      await store.presence.removeNode(dead);
    });

    it('store: removeNode forgets the node rows', async () => {
      const t = tag();
      const node = `n-${t}`;
      await store.presence.heartbeat(node, Date.now());
      await store.occupancy.enter(row(`r-${t}`, 'u1', node, 'c1'));
      await store.occupancy.removeNode(node);
      expect(await store.occupancy.occupants(`r-${t}`, 0)).toEqual([]);
      await store.presence.removeNode(node);
    });

    it('service: members only; first in and last out are told; closing or leaving the room takes a session out', async () => {
      const t = tag();
      const nodeId = `node-${t}`;
      await store.presence.heartbeat(nodeId, Date.now());
      const sessions = createSessionRegistry();
      const hooks: ((userId: string, e: CoreEvent) => void)[] = [];
      const router: Pick<Router, 'onLocalEvent'> = { onLocalEvent: (fn) => void hooks.push(fn) };
      const told: { roomId: string; data: Record<string, unknown> }[] = [];
      const members = new Set([`ann`, `bob`]);
      const room = `room-${t}`;
      const occupancy = createOccupancyService({
        nodeId,
        store: store.occupancy,
        sessions,
        router,
        fanout: {
          publish: (roomId, e) =>
            told.push({ roomId, data: e as unknown as Record<string, unknown> }),
        },
        membership: async (roomId, userId) =>
          roomId === room && members.has(userId) ? { id: room, name: 'lobby' } : undefined,
        roomName: async () => 'lobby',
        sweepSeconds: 3600,
        nodeTimeoutSeconds: 30,
        onError: (err) => {
          throw err;
        },
      });
      const connect = (userId: string, conn: string): Session => {
        const s: Session = {
          id: `login-${conn}`,
          connectionId: `${conn}-${t}`,
          userId,
          door: 'irc',
          resource: conn,
          capabilities: new Set(['occupancy']),
          send: () => {},
          close: () => {},
        };
        sessions.add(s);
        return s;
      };
      const ann1 = connect('ann', 'a1');
      const ann2 = connect('ann', 'a2');
      const bob = connect('bob', 'b1');
      const eve = connect('eve', 'e1');

      await expect(occupancy.enter(eve, room)).rejects.toSatisfy(
        (e) => e instanceof ParleyError && e.condition === 'forbidden',
      );
      expect(await occupancy.enter(ann1, room)).toEqual({ first: true });
      expect(await occupancy.enter(ann2, room)).toEqual({ first: false });
      expect(await occupancy.enter(bob, room)).toEqual({ first: true });
      const occ = await occupancy.occupants(room);
      expect(occ.map((o) => [o.userId, o.resource])).toEqual([
        ['ann', 'a1'],
        ['ann', 'a2'],
        ['bob', 'b1'],
      ]);
      expect(occ[0]!.sessionKey).toBe(`${nodeId}/a1-${t}`);
      expect(await occupancy.leave(ann1, room)).toEqual({ last: false });
      expect(await occupancy.leave(ann1, room)).toEqual({ last: false });

      // ann's last session closes: she is out, and told as such.
      sessions.remove(ann2);
      await waitFor(() => told.length === 3);
      // bob stops being a member (room.left reached this node): his session leaves.
      for (const fn of hooks) fn('bob', event('room.left', { room: { id: room } }));
      await waitFor(() => told.length === 4);
      expect(told.map((x) => [x.data.userId, x.data.present])).toEqual([
        ['ann', true],
        ['bob', true],
        ['ann', false],
        ['bob', false],
      ]);
      expect(told[0]!.data.room).toEqual({ id: room, name: 'lobby' });
      expect(await occupancy.occupants(room)).toEqual([]);
      await occupancy.stop();
      await store.presence.removeNode(nodeId);
    });
  });
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
