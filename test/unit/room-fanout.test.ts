import { describe, expect, it } from 'vitest';
import { createLocalBus, createLocalHub } from '../../src/bus/local.js';
import type { Bus } from '../../src/core/bus.js';
import type { CoreEvent } from '../../src/core/events.js';
import { event, field } from '../helpers/events.js';
import { createRouter } from '../../src/core/router.js';
import { createSessionRegistry, type Session } from '../../src/core/sessions.js';
import { createRoomFanout } from '../../src/core/rooms/fanout.js';

/** Timeline events always name their room. */
const R1 = { id: 'r1', name: 'r1' };

/** One node: its registry, router and fanout over a bus shared with the other node. */
function node(id: string, bus: Bus, rooms: Record<string, string[]>) {
  const sessions = createSessionRegistry();
  const router = createRouter({ nodeId: id, bus, sessions, subjectPrefix: 't' });
  const fanout = createRoomFanout({
    nodeId: id,
    bus,
    sessions,
    router,
    subjectPrefix: 't',
    roomIdsOf: async (u) => rooms[u] ?? [],
  });
  const got = new Map<string, CoreEvent[]>();
  function connect(userId: string): Session {
    const s: Session = {
      id: `${userId}-s`,
      connectionId: `${userId}-${id}`,
      userId,
      door: 'test',
      resource: '',
      capabilities: new Set(),
      send: (e) => got.set(userId, [...(got.get(userId) ?? []), e]),
      close: () => {},
    };
    sessions.add(s);
    return s;
  }
  return { sessions, router, fanout, got, connect };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('room fanout', () => {
  it('reaches members on both nodes with one bus message per event, and nobody else', async () => {
    const hub = createLocalHub();
    const busA = createLocalBus(hub);
    const busB = createLocalBus(hub);
    let published = 0;
    const publish = busA.publish.bind(busA);
    busA.publish = (subject, payload) => {
      published++;
      publish(subject, payload);
    };
    const rooms = { ann: ['r1'], bob: ['r1'], cat: [] as string[] };
    const a = node('A', busA, rooms);
    const b = node('B', busB, rooms);
    a.connect('ann');
    b.connect('bob');
    b.connect('cat');
    await settle();
    a.fanout.publish('r1', event('room.message', { roomSeq: 1, room: R1 }));
    await settle();
    expect(published).toBe(1);
    expect(a.got.get('ann')?.map((e) => field(e, 'roomSeq'))).toEqual([1]);
    expect(b.got.get('bob')?.map((e) => field(e, 'roomSeq'))).toEqual([1]);
    expect(b.got.get('cat')).toBeUndefined();
  });

  it('delivers in roomSeq order whichever node committed first and however they arrive', async () => {
    const hub = createLocalHub();
    const rooms = { ann: ['r1'], bob: ['r1'] };
    const a = node('A', createLocalBus(hub), rooms);
    const b = node('B', createLocalBus(hub), rooms);
    a.connect('ann');
    b.connect('bob');
    await settle();
    a.fanout.publish('r1', event('room.message', { roomSeq: 1, room: R1 }));
    await settle();
    // 3 commits on A and is published before 2, which commits on B.
    a.fanout.publish('r1', event('room.message', { roomSeq: 3, room: R1 }));
    b.fanout.publish('r1', event('room.message', { roomSeq: 2, room: R1 }));
    a.fanout.publish('r1', event('room.message', { roomSeq: 4, room: R1 }));
    await settle();
    expect(a.got.get('ann')?.map((e) => field(e, 'roomSeq'))).toEqual([1, 2, 3, 4]);
    expect(b.got.get('bob')?.map((e) => field(e, 'roomSeq'))).toEqual([1, 2, 3, 4]);
  });

  it('learns a join made elsewhere from the user’s own room.joined, and forgets on leave', async () => {
    const hub = createLocalHub();
    const a = node('A', createLocalBus(hub), { ann: ['r1'] });
    const b = node('B', createLocalBus(hub), {});
    a.connect('ann');
    b.connect('cat');
    await settle();
    expect(b.fanout.localMembers('r1')).toEqual([]);
    // The join happens on node A; cat's own log event reaches node B through the router.
    a.router.deliver('cat', event('room.joined', { seq: 1, room: { id: 'r1', name: 'x' } }));
    await settle();
    expect(b.fanout.localMembers('r1')).toEqual(['cat']);
    a.fanout.publish('r1', event('room.message', { roomSeq: 2, room: R1 }));
    await settle();
    expect(b.got.get('cat')?.filter((e) => e.name === 'room.message')).toHaveLength(1);
    // A kick: delivered to cat one last time, then cat is forgotten on every node.
    a.fanout.publish('r1', event('room.member', { roomSeq: 3, room: R1, change: 'kicked' }), {
      userId: 'cat',
      joined: false,
    });
    await settle();
    expect(b.got.get('cat')?.map((e) => field(e, 'roomSeq'))).toContain(3);
    expect(b.fanout.localMembers('r1')).toEqual([]);
    a.fanout.publish('r1', event('room.message', { roomSeq: 4, room: R1 }));
    await settle();
    expect(b.got.get('cat')?.map((e) => field(e, 'roomSeq'))).not.toContain(4);
  });

  it('drops a user’s rooms when their last session leaves', async () => {
    const hub = createLocalHub();
    const a = node('A', createLocalBus(hub), { ann: ['r1', 'r2'] });
    const s = a.connect('ann');
    await settle();
    expect([a.fanout.localMembers('r1'), a.fanout.localMembers('r2')]).toEqual([['ann'], ['ann']]);
    a.sessions.remove(s);
    expect([a.fanout.localMembers('r1'), a.fanout.localMembers('r2')]).toEqual([[], []]);
  });
});
