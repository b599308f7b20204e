import { newId } from '../ids.js';
import { createRateLimiter } from '../limits/rate.js';
import { addressKey } from '../limits/address.js';
import { type AuthContext, scopedAuth } from './service.js';
import type { AccountStore, UserRecord } from './store.js';
import { assertNotReserved, normalizeUsername } from './username.js';

/**
 * Guests: short-lived principals for doors whose users may come without an
 * account (IRC). A guest is a user row like any other, marked `guest`, so rooms,
 * messages, member lists and every door see it without special cases. It takes a
 * name no account holds (as an IRC nick would), and holds it only while it is
 * there: an account may take the name once the guest is gone. A guest has no
 * password, no contacts, and direct messages only with other guests; it may join
 * public rooms and talk there. It lasts while its connection does (renewed by
 * `touch`, swept when that stops: a crashed node's guests expire too), and leaves
 * nothing behind but its messages (it leaves its rooms as any deleted account does).
 */

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
  /** A guest login for a connection, named `name` (a username no one holds; `conflict` if taken). */
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
  /** Names no one may take (registration.reserved_usernames). */
  reserved?: readonly string[];
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
    if (!u?.guest) return;
    await deps.beforeDelete?.(userId);
    await deps.store.deleteUser(userId);
  }
  return {
    async start(req) {
      const name = normalizeUsername(req.name);
      assertNotReserved(name, deps.reserved ?? []);
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
