import type { StoredMessage } from './messages/store.js';
import type { Show } from './presence/store.js';
import type { Role } from './rooms/roles.js';

/**
 * Domain hooks: what later features (notifications, bots, push) hang on, the
 * way Prosody's modules hang on its events. Core services emit them after the
 * change has committed; a listener can neither block nor fail the operation
 * that caused it, and nothing it does is part of the reply.
 *
 * Payloads are domain records (ids, times, stored messages), never a wire view.
 */
export interface HookEvents {
  /** A new message was stored (a retry of the same client id is not new). */
  'message.stored':
    | {
        kind: 'direct';
        /** `visibleToRecipient` false: the recipient blocked the sender; `filtered: 'held'`: their filters hold it. */
        message: StoredMessage;
      }
    | {
        kind: 'room';
        roomId: string;
        roomName: string;
        /** The timeline position of the event that posted it (the message's own `seq`). */
        roomSeq: number;
        message: StoredMessage;
        /** Members mentioned by @username. */
        mentions: string[];
      };
  /**
   * A direct message the recipient can see was stored while they had no session
   * anywhere (no visible presence on any node, and no session on this one): they
   * will read it when they come back. A user who is invisible on another node
   * counts as away here.
   */
  'message.waiting': { userId: string; message: StoredMessage };
  /**
   * A message was deleted (direct or room): what it carried goes with it (core/files
   * listens; its sweep catches any call dropped here).
   */
  'message.deleted': {
    messageId: string;
    conversationId: string;
    senderId: string;
    clientId: string;
  };
  /** A user's presence as their contacts see it changed (told once, by the node that saw it change). */
  'presence.changed': {
    userId: string;
    show: Show | 'offline';
    status: string;
    /** When this state began (ms). */
    since: number;
    /** When it was worked out (ms). */
    at: number;
  };
  /** Someone became a member of a room (created it, or joined it, invited or not). */
  'member.joined': {
    roomId: string;
    roomName: string;
    userId: string;
    role: Role;
    /** The timeline event that recorded it. */
    roomSeq: number;
    at: number;
    via: 'create' | 'join';
  };
}

export type HookName = keyof HookEvents;
export type HookListener<K extends HookName> = (payload: HookEvents[K]) => void | Promise<void>;

export interface Hooks {
  /** Adds a listener; the returned function removes it. */
  on<K extends HookName>(name: K, fn: HookListener<K>): () => void;
  /** Queues a call of every listener of `name`; returns at once. */
  emit<K extends HookName>(name: K, payload: HookEvents[K]): void;
  /**
   * Like emit, for a payload that costs a lookup: `make` runs in the background
   * only when something listens, and nothing is emitted when it answers undefined.
   */
  emitLater<K extends HookName>(name: K, make: () => Promise<HookEvents[K] | undefined>): void;
  /** True when `name` has a listener (so a payload nobody reads is not built). */
  has(name: HookName): boolean;
  /** Resolves once every call queued so far, and any queued meanwhile, has finished. */
  idle(): Promise<void>;
}

export interface HookOptions {
  /** A listener threw or rejected, or a lazy payload failed. */
  onError(err: unknown, name: HookName): void;
  /** Calls were dropped because `maxPending` were already queued or running. */
  onDropped?(name: HookName): void;
  /** At most this many listeners per hook (a leak shows as an error, not as memory). */
  maxListeners?: number;
  /** At most this many calls queued or still running; more are dropped (and reported). */
  maxPending?: number;
}

export function createHooks(opts: HookOptions): Hooks {
  const maxListeners = opts.maxListeners ?? 32;
  const maxPending = opts.maxPending ?? 10_000;
  const listeners = new Map<HookName, HookListener<never>[]>();
  const queue: (() => void)[] = [];
  let pending = 0;
  let scheduled = false;
  let waiters: (() => void)[] = [];

  function settle(): void {
    pending--;
    if (pending === 0 && waiters.length) {
      const w = waiters;
      waiters = [];
      for (const fn of w) fn();
    }
  }

  // Calls run on a later turn of the event loop, after the operation's reply is on its way.
  function drain(): void {
    scheduled = false;
    for (const run of queue.splice(0)) run();
  }

  function enqueue(name: HookName, run: () => void | Promise<void>): void {
    if (pending >= maxPending) {
      opts.onDropped?.(name);
      return;
    }
    pending++;
    queue.push(() => {
      let out: void | Promise<void>;
      try {
        out = run();
      } catch (err) {
        opts.onError(err, name);
        settle();
        return;
      }
      if (out instanceof Promise)
        out.then(settle, (err) => {
          opts.onError(err, name);
          settle();
        });
      else settle();
    });
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  }

  function emit<K extends HookName>(name: K, payload: HookEvents[K]): void {
    const list = listeners.get(name);
    if (!list) return;
    for (const fn of list) enqueue(name, () => (fn as HookListener<K>)(payload));
  }

  return {
    on(name, fn) {
      const list = listeners.get(name) ?? [];
      if (list.length >= maxListeners)
        throw new Error(`hook ${name} already has ${maxListeners} listeners`);
      // Copied on change, so an emit in progress keeps the list it started with.
      listeners.set(name, [...list, fn as HookListener<never>]);
      return () => {
        const now = (listeners.get(name) ?? []).filter((l) => l !== fn);
        if (now.length) listeners.set(name, now);
        else listeners.delete(name);
      };
    },
    emit,
    emitLater(name, make) {
      if (!listeners.has(name)) return;
      enqueue(name, async () => {
        const payload = await make();
        if (payload !== undefined) emit(name, payload);
      });
    },
    has: (name) => listeners.has(name),
    idle() {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

/** For services built without hooks (unit tests, tools): nothing listens. */
export const NO_HOOKS: Hooks = createHooks({ onError: () => {}, maxListeners: 0 });
