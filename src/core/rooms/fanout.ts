import type { Bus, BusSubscription } from '../bus.js';
import { type CoreEvent, timelinePos } from '../events.js';
import type { Router } from '../router.js';
import { type SessionRegistry, wants } from '../sessions.js';
import { createRoomOrder } from './order.js';

/**
 * Delivers a room's events to its online members on every node, with one bus
 * message per event rather than one per member: each node subscribes to the
 * channel of every room that has a member connected to it, and hands the
 * event (the same object: each door encodes it once, in its own cache) to those members' sessions.
 *
 * Which local users belong to which room is learnt when a user connects (from
 * the store) and kept current by the membership changes carried by the room's
 * own events, which every node with a member online receives.
 */
export interface RoomFanout {
  /**
   * Delivers `event` to the room's online members everywhere. `membership`
   * names a user who just joined (delivered to them too) or left (delivered to
   * them one last time).
   */
  publish(roomId: string, event: CoreEvent, membership?: { userId: string; joined: boolean }): void;
  /** Local users of the room (tests and metrics). */
  localMembers(roomId: string): readonly string[];
  /**
   * Resolves once this node has subscribed to the rooms of a user who just
   * connected (their room list is loaded asynchronously); at once otherwise.
   */
  ready(userId: string): Promise<void>;
  /**
   * Re-reads the room lists of the users connected here (after a bus outage: a
   * join or leave made on another node meanwhile was never heard of).
   */
  refresh(): Promise<void>;
  close(): void;
}

interface Envelope {
  origin: string;
  room: string;
  event: CoreEvent;
  membership?: { userId: string; joined: boolean };
}

export function roomSubject(prefix: string, roomId: string): string {
  return `${prefix}.room.${roomId}`;
}

export function createRoomFanout(deps: {
  nodeId: string;
  bus: Bus;
  sessions: SessionRegistry;
  /** A user's own `room.joined` / `room.left` reach every node they are on through it. */
  router: Router;
  subjectPrefix: string;
  roomIdsOf(userId: string): Promise<string[]>;
  onError?: (err: unknown) => void;
  /** How long an event waits for the one before it (order.ts). */
  orderWaitMs?: number;
}): RoomFanout {
  const { nodeId, bus, sessions } = deps;
  const members = new Map<string, Set<string>>();
  const roomsOfUser = new Map<string, Set<string>>();
  const subs = new Map<string, BusSubscription>();
  // Users whose room list is being loaded, and the rooms they left meanwhile.
  const loading = new Map<string, Set<string>>();
  const loaded = new Map<string, Promise<void>>();
  const order = createRoomOrder({ waitMs: deps.orderWaitMs ?? 100 });
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  function add(roomId: string, userId: string): void {
    let set = members.get(roomId);
    if (!set) {
      members.set(roomId, (set = new Set()));
      subs.set(
        roomId,
        bus.subscribe(roomSubject(deps.subjectPrefix, roomId), (payload) => {
          let env: Envelope;
          try {
            env = JSON.parse(decoder.decode(payload)) as Envelope;
          } catch (err) {
            deps.onError?.(err);
            return;
          }
          if (env.origin === nodeId) return;
          deliverInOrder(env.room, env.event, env.membership);
        }),
      );
    }
    set.add(userId);
    let mine = roomsOfUser.get(userId);
    if (!mine) roomsOfUser.set(userId, (mine = new Set()));
    mine.add(roomId);
  }

  function remove(roomId: string, userId: string): void {
    const set = members.get(roomId);
    const mine = roomsOfUser.get(userId);
    mine?.delete(roomId);
    if (mine?.size === 0) roomsOfUser.delete(userId);
    if (!set) return;
    set.delete(userId);
    if (set.size === 0) {
      members.delete(roomId);
      subs.get(roomId)?.unsubscribe();
      subs.delete(roomId);
    }
  }

  /** Local delivery in roomSeq order (see order.ts), wherever the event committed. */
  function deliverInOrder(
    roomId: string,
    event: CoreEvent,
    membership?: { userId: string; joined: boolean },
  ): void {
    order.push(roomId, timelinePos(event)?.roomSeq, () => deliverLocal(roomId, event, membership));
  }

  function deliverLocal(
    roomId: string,
    event: CoreEvent,
    membership?: { userId: string; joined: boolean },
  ): void {
    if (membership?.joined && sessions.of(membership.userId).length > 0)
      add(roomId, membership.userId);
    for (const userId of members.get(roomId) ?? []) {
      for (const s of sessions.of(userId)) {
        // A session that does not want an event (its own, without echo) still counts its position.
        if (wants(s, event)) s.send(event);
        else s.passed?.(event);
      }
    }
    if (membership && !membership.joined) {
      loading.get(membership.userId)?.add(roomId);
      remove(roomId, membership.userId);
    }
  }

  sessions.onUserArrived((userId) => {
    loading.set(userId, new Set());
    const done = deps.roomIdsOf(userId).then(
      (ids) => {
        const leftMeanwhile = loading.get(userId);
        loading.delete(userId);
        // Gone again before the list came back, or the list is stale for rooms left since.
        if (!leftMeanwhile || sessions.of(userId).length === 0) return;
        for (const id of ids) if (!leftMeanwhile.has(id)) add(id, userId);
      },
      (err) => {
        loading.delete(userId);
        deps.onError?.(err);
      },
    );
    loaded.set(userId, done);
    void done.finally(() => {
      if (loaded.get(userId) === done) loaded.delete(userId);
    });
  });
  sessions.onUserLeft((userId) => {
    loading.delete(userId);
    for (const roomId of [...(roomsOfUser.get(userId) ?? [])]) remove(roomId, userId);
  });
  // A join or leave made on another node, for a user with sessions here: the
  // room's own channel may not reach this node yet (no other member here).
  deps.router.onLocalEvent((userId, e) => {
    if (e.name !== 'room.joined' && e.name !== 'room.left') return;
    const room = e.room.id;
    if (e.name === 'room.joined') add(room, userId);
    else {
      loading.get(userId)?.add(room);
      remove(room, userId);
    }
  });

  return {
    publish(roomId, event, membership) {
      deliverInOrder(roomId, event, membership);
      const env: Envelope = { origin: nodeId, room: roomId, event };
      if (membership) env.membership = membership;
      bus.publish(roomSubject(deps.subjectPrefix, roomId), encoder.encode(JSON.stringify(env)));
    },
    localMembers: (roomId) => [...(members.get(roomId) ?? [])],
    ready: (userId) => loaded.get(userId) ?? Promise.resolve(),
    async refresh() {
      for (const userId of new Set([...sessions.all()].map((x) => x.userId))) {
        if (loading.has(userId)) continue; // being read right now
        // Rooms left while the list is read are noted, as on arrival.
        const leftMeanwhile = new Set<string>();
        loading.set(userId, leftMeanwhile);
        let ids: string[];
        try {
          ids = await deps.roomIdsOf(userId);
        } catch (err) {
          deps.onError?.(err);
          continue;
        } finally {
          if (loading.get(userId) === leftMeanwhile) loading.delete(userId);
        }
        if (sessions.of(userId).length === 0) continue;
        const now = new Set(ids);
        for (const id of [...(roomsOfUser.get(userId) ?? [])]) if (!now.has(id)) remove(id, userId);
        for (const id of ids) if (!leftMeanwhile.has(id)) add(id, userId);
      }
    },
    close() {
      order.close();
      for (const s of subs.values()) s.unsubscribe();
      subs.clear();
      members.clear();
      roomsOfUser.clear();
    },
  };
}
