import type { Bus } from './bus.js';
import type { RoomFanout } from './rooms/fanout.js';

/**
 * When a connection's live events can be trusted to arrive. A reconnecting
 * client is replayed what it missed from the store and then gets live events;
 * a change committed on another node after the replay read the store reaches
 * it only through the bus, so the node must be subscribed for the user (and
 * their rooms) on the bus itself before the replay starts, not merely have sent
 * the subscription: otherwise that change would wait for the client's next
 * reconnect.
 */
export interface LiveReadiness {
  /** Resolves when the user's subscriptions are active, or after `timeoutMs` (bus down). */
  ready(userId: string): Promise<void>;
}

export function createLiveReadiness(deps: {
  bus: Bus;
  fanout: Pick<RoomFanout, 'ready'>;
  timeoutMs?: number;
}): LiveReadiness {
  const timeoutMs = deps.timeoutMs ?? 1000;
  return {
    async ready(userId) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      try {
        // The room list first: it subscribes to more subjects, which the flush then covers.
        await Promise.race([
          deps.fanout
            .ready(userId)
            .catch(() => {})
            .then(() => deps.bus.flush())
            .catch(() => {}),
          late,
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
