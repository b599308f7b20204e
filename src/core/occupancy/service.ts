import { ParleyError } from '../errors.js';
import type { RoomFanout } from '../rooms/fanout.js';
import type { Router } from '../router.js';
import { type Session, type SessionRegistry, sessionKey } from '../sessions.js';
import type { OccupancyStore } from './store.js';

/** One session in a room. */
export interface Occupant {
  userId: string;
  resource: string;
  /** The session's key anywhere in the cluster (`router.deliverToSession`). */
  sessionKey: string;
  since: number;
}

/**
 * Who is in a room right now (IRC JOIN, MUC presence), distinct from who is a
 * member. Only members may enter; a session leaves its rooms when it closes,
 * and a room it stops being a member of. The room's members are told
 * `room.occupant` ({room, userId, present}) when a user's first session enters
 * and when their last leaves, through the room's fanout, but only sessions with
 * the `occupancy` capability receive it (the native protocol has no such event).
 * Across nodes, a user's sessions entering (or leaving) at the same moment may
 * both report first (or last): the event says a state, so a repeat is harmless.
 */
export interface OccupancyService {
  /** `first`: no other session of the user was in the room. */
  enter(session: Session, roomId: string): Promise<{ first: boolean }>;
  /** `last`: no session of the user is left in it. False for both when it was not in. */
  leave(session: Session, roomId: string): Promise<{ last: boolean }>;
  /** Every session in the room, cluster-wide, oldest first. */
  occupants(roomId: string): Promise<Occupant[]>;
  /** Starts sweeping rows of dead nodes (call after presence's start: it writes the heartbeat). */
  start(): void;
  /** Stops sweeping and forgets this node's rows. */
  stop(): Promise<void>;
}

export function createOccupancyService(deps: {
  nodeId: string;
  store: OccupancyStore;
  sessions: SessionRegistry;
  router: Pick<Router, 'onLocalEvent'>;
  fanout: Pick<RoomFanout, 'publish'>;
  /** The room's id and name when `userId` is a member of it, else undefined. */
  membership(roomId: string, userId: string): Promise<{ id: string; name: string } | undefined>;
  roomName(roomId: string): Promise<string | undefined>;
  sweepSeconds: number;
  nodeTimeoutSeconds: number;
  onError: (err: unknown) => void;
  now?: () => number;
}): OccupancyService {
  const { nodeId, store } = deps;
  const now = deps.now ?? Date.now;
  const aliveSince = () => now() - deps.nodeTimeoutSeconds * 1000;
  const chains = new Map<string, Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;

  /** One change at a time per user on this node, so first and last are counted in order. */
  function serial<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const prev = chains.get(userId) ?? Promise.resolve();
    const next = prev.then(work, work);
    const tail = next.catch(() => {});
    chains.set(userId, tail);
    void tail.then(() => {
      if (chains.get(userId) === tail) chains.delete(userId);
    });
    return next;
  }

  async function tell(roomId: string, userId: string, present: boolean, name?: string) {
    const roomName = name ?? (await deps.roomName(roomId));
    if (roomName === undefined) return; // the room is gone: nobody to tell
    deps.fanout.publish(roomId, {
      name: 'room.occupant',
      room: { id: roomId, name: roomName },
      userId,
      present,
      at: now(),
    });
  }

  async function left(session: Session, roomId: string): Promise<{ last: boolean }> {
    if (!(await store.leave(roomId, nodeId, session.connectionId))) return { last: false };
    const last = (await store.sessionsIn(roomId, session.userId, aliveSince())) === 0;
    if (last) await tell(roomId, session.userId, false);
    return { last };
  }

  deps.sessions.onSessionRemoved((s) => {
    void serial(s.userId, async () => {
      for (const roomId of await store.leaveAll(nodeId, s.connectionId))
        if ((await store.sessionsIn(roomId, s.userId, aliveSince())) === 0)
          await tell(roomId, s.userId, false);
    }).catch(deps.onError);
  });

  // No longer a member (left, kicked, banned, on any node): the user's sessions here leave.
  deps.router.onLocalEvent((userId, e) => {
    if (e.name !== 'room.left') return;
    const roomId = e.room.id;
    for (const s of deps.sessions.of(userId))
      void serial(userId, () => left(s, roomId)).catch(deps.onError);
  });

  async function sweep(): Promise<void> {
    for (const { roomId, userId } of await store.sweep(aliveSince()))
      if ((await store.sessionsIn(roomId, userId, aliveSince())) === 0)
        await tell(roomId, userId, false);
  }

  return {
    enter(session, roomId) {
      return serial(session.userId, async () => {
        const room = await deps.membership(roomId, session.userId);
        if (!room) throw new ParleyError('forbidden', 'only members may enter a room');
        const first = (await store.sessionsIn(roomId, session.userId, aliveSince())) === 0;
        await store.enter({
          roomId,
          userId: session.userId,
          nodeId,
          connectionId: session.connectionId,
          resource: session.resource,
          since: now(),
        });
        if (first) await tell(roomId, session.userId, true, room.name);
        return { first };
      });
    },

    leave(session, roomId) {
      return serial(session.userId, () => left(session, roomId));
    },

    async occupants(roomId) {
      return (await store.occupants(roomId, aliveSince())).map((r) => ({
        userId: r.userId,
        resource: r.resource,
        sessionKey: sessionKey(r.nodeId, r.connectionId),
        since: r.since,
      }));
    },

    start() {
      if (timer) return;
      const loop = () => {
        timer = setTimeout(() => {
          sweeping = sweep()
            .catch(deps.onError)
            .finally(() => {
              sweeping = undefined;
              if (timer) loop();
            });
        }, deps.sweepSeconds * 1000);
        timer.unref();
      };
      loop();
    },

    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await sweeping;
      while (chains.size) await Promise.all([...chains.values()]);
      await store.removeNode(nodeId);
    },
  };
}
