import { ParleyError } from '../errors.js';
import { except } from '../events.js';
import type { Router } from '../router.js';
import type { PrivateStore } from './store.js';

/** Bounds of private storage (invariant 31): per value, per key, keys per account. */
export const PRIVATE_LIMITS = { valueBytes: 64 * 1024, keyChars: 512, keys: 100 } as const;

/**
 * Private data an account keeps for itself (XEP-0049 over the XMPP door): an
 * opaque value per key, bounded, read and written only by its owner.
 */
export interface PrivateDataService {
  get(userId: string, key: string): Promise<string | undefined>;
  /**
   * An empty value removes the key. With `note` (at most a value's size), the
   * owner's other sessions are told what changed in the writer's words
   * (`private.changed`, on every node), after the write.
   */
  set(
    userId: string,
    key: string,
    value: string,
    opts?: { note?: string; exceptConnection?: string },
  ): Promise<void>;
}

function checkKey(key: string): string {
  if (key.length === 0 || key.length > PRIVATE_LIMITS.keyChars || key.includes('\0'))
    throw new ParleyError('bad-request', `key must be 1-${PRIVATE_LIMITS.keyChars} characters`, {
      field: 'key',
    });
  return key;
}

export function createPrivateDataService(deps: {
  store: PrivateStore;
  /** Where `private.changed` goes; without it nobody is told. */
  router?: Router;
  now?: () => number;
}): PrivateDataService {
  const now = deps.now ?? Date.now;
  const told = (
    userId: string,
    key: string,
    opts?: { note?: string; exceptConnection?: string },
  ) => {
    if (opts?.note === undefined || !deps.router) return;
    deps.router.deliver(
      userId,
      except({ name: 'private.changed', key, note: opts.note }, opts.exceptConnection),
    );
  };
  return {
    get: (userId, key) => deps.store.get(userId, checkKey(key)),
    async set(userId, key, value, opts) {
      checkKey(key);
      if (opts?.note !== undefined && Buffer.byteLength(opts.note) > PRIVATE_LIMITS.valueBytes)
        throw new ParleyError('payload-too-large', "a note is at most a value's size", {
          field: 'note',
        });
      if (value === '') {
        await deps.store.remove(userId, key);
        return told(userId, key, opts);
      }
      if (Buffer.byteLength(value) > PRIVATE_LIMITS.valueBytes)
        throw new ParleyError(
          'payload-too-large',
          `a private value is at most ${PRIVATE_LIMITS.valueBytes} bytes`,
          { field: 'value' },
        );
      if (value.includes('\0'))
        throw new ParleyError('bad-request', 'value must not contain NUL characters', {
          field: 'value',
        });
      if (!(await deps.store.put(userId, key, value, now(), PRIVATE_LIMITS.keys)))
        throw new ParleyError('conflict', `at most ${PRIVATE_LIMITS.keys} private keys`, {
          field: 'key',
        });
      told(userId, key, opts);
    },
  };
}
