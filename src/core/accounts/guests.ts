import { ParleyError } from '../errors.js';
import { newId } from '../ids.js';
import { createRateLimiter } from '../limits/rate.js';
import { addressKey } from '../limits/address.js';
import { type AuthContext, scopedAuth } from './service.js';
import type { AccountStore, UserRecord } from './store.js';

/**
 * Guests: short-lived principals for doors whose users may come without an
 * account (IRC). A guest is a user row like any other, so rooms, messages,
 * member lists and every door see it without special cases, but its name is one
 * no account can have: it holds a character outside an account name's a-z 0-9 . _ -
 * (`bob^`, `tea[lover]`), so everyone can tell a guest by name alone and no
 * account name is ever taken by one. A guest has no password, no contacts and no
 * direct messages; it may join public rooms and talk there. It lasts while its
 * connection does (renewed by `touch`, swept when that stops: a crashed node's
 * guests expire too), and leaves nothing behind but its room messages (it leaves
 * its rooms as any account deleted does).
 */

/** IRC-nick-safe characters, lowercase; a guest name holds at least one outside an account's. */
const GUEST_NAME = /^[a-z0-9[\]\\`^{}|_-]{1,33}$/;
const ACCOUNT_NAME = /^[a-z0-9._-]{1,32}$/;

const GUEST_MARK = /[[\]\\`^{}|]/;

/** True for a name only a guest can have: nick-safe, with a character no account name has. */
export function isGuestName(name: string): boolean {
  return GUEST_NAME.test(name) && GUEST_MARK.test(name) && !ACCOUNT_NAME.test(name);
}

/** A guest lives this long after its last renewal. */
export const GUEST_TTL_MS = 10 * 60_000;

export interface GuestStore {
  /** Creates the guest's user row and its expiry; `conflict` when the name is taken. */
  createGuest(user: UserRecord, expiresAt: number): Promise<void>;
  touchGuest(userId: string, expiresAt: number): Promise<void>;
  /** Guests whose expiry passed (at most `limit`). */
  expiredGuests(now: number, limit: number): Promise<string[]>;
}

export interface GuestService {
  /** A guest login for a connection: `name` must be a guest name (isGuestName). */
  start(req: { name: string; address: string; device: string }): Promise<AuthContext>;
  /** The connection is still there: the guest lives on. */
  touch(userId: string): Promise<void>;
  /** The connection ended: the guest leaves its rooms and is gone. */
  end(userId: string): Promise<void>;
  /** Removes guests whose connection went away without ending them (a crashed node). */
  sweep(): Promise<number>;
}

export function createGuestService(deps: {
  store: GuestStore & Pick<AccountStore, 'userById' | 'deleteUser'>;
  /** What an account deletion does first (leave rooms through their rules...). */
  beforeDelete?: (userId: string) => Promise<void>;
  /** Guests one address may start per hour. */
  perAddressPerHour: number;
  now?: () => number;
}): GuestService {
  const now = deps.now ?? Date.now;
  const limiter = createRateLimiter({
    perSecond: deps.perAddressPerHour / 3600,
    burst: deps.perAddressPerHour,
  });
  async function remove(userId: string): Promise<void> {
    const u = await deps.store.userById(userId);
    if (!u || !isGuestName(u.username)) return;
    await deps.beforeDelete?.(userId);
    await deps.store.deleteUser(userId);
  }
  return {
    async start(req) {
      const name = req.name.toLowerCase();
      if (!isGuestName(name))
        throw new ParleyError('bad-request', 'not a guest name', { field: 'name' });
      limiter.take(addressKey(req.address));
      const t = now();
      const user: UserRecord = {
        id: newId(t),
        username: name,
        // No password can match: a guest logs in only as a guest.
        passwordHash: '!guest',
        createdAt: t,
        disabled: false,
      };
      await deps.store.createGuest(user, t + GUEST_TTL_MS);
      return scopedAuth(user, req.device, req.address, t);
    },
    touch: (userId) => deps.store.touchGuest(userId, now() + GUEST_TTL_MS),
    end: remove,
    async sweep() {
      const ids = await deps.store.expiredGuests(now(), 100);
      for (const id of ids) await remove(id);
      return ids.length;
    },
  };
}
