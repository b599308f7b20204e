import { ParleyError } from '../errors.js';
import { newId } from '../ids.js';
import { createRateLimiter } from '../limits/rate.js';
import { addressKey } from '../limits/address.js';
import { type AuthContext, scopedAuth } from './service.js';
import type { AccountStore, UserRecord } from './store.js';
import { assertNotReserved, normalizeUsername } from './username.js';

/**
 * Guests: short-lived principals for doors whose users may come without an
 * account (IRC). A guest takes a name no account holds (as an IRC nick would),
 * and holds it only while it is there: an account may take the name once the
 * guest is gone. A guest has no password, no contacts, and direct messages only
 * with other guests; it may join public rooms and talk there.
 *
 * A guest is first held in memory on its node only: most connect, look and
 * leave, and a registration that wrote rows (user, profile, guest, presence)
 * cost ten times the CPU of the rest of it. Its first durable act (joining a
 * room, sending, a profile change, a block) goes through `stored`, which writes
 * it as a user row like any other, marked `guest`, so rooms, messages, member
 * lists and every door and node see it without special cases. While it is held
 * here its name is reserved against this node's guests and accounts registered
 * here (`holds`); another node sees the name free. If two nodes hand out the same
 * name, the one that stores second gets `conflict` from `stored` (its door says
 * the name was taken meanwhile and lets the client pick another).
 *
 * A stored guest lasts while its connection does (renewed by `touch`, swept when
 * that stops: a crashed node's guests expire too), and leaves nothing behind but
 * its messages (it leaves its rooms as any deleted account does).
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

/** The guests this node holds in memory (not yet stored), by id and by name. */
export interface GuestRegistry {
  byId(id: string): UserRecord | undefined;
  byName(username: string): UserRecord | undefined;
}

export interface GuestService extends GuestRegistry {
  /** A guest login for a connection, named `name` (a username no one holds; `conflict` if taken). */
  start(req: { name: string; address: string; device: string }): Promise<AuthContext>;
  /**
   * Before a guest's first durable act: writes it to the store if it is only held
   * here (once; concurrent calls share the write). Nothing for anyone else.
   * `conflict` when another node's guest (or an account) took the name meanwhile.
   */
  stored(userId: string): Promise<void>;
  /** True while this node holds the name for a guest not yet stored. */
  holds(username: string): boolean;
  /** The connection is still there: the guest lives on. */
  touch(userId: string): Promise<void>;
  /** The connection ended: the guest leaves its rooms and is gone. */
  end(userId: string): Promise<void>;
  /** Removes guests whose connection went away without ending them (a crashed node). */
  sweep(): Promise<number>;
}

export function createGuestService(deps: {
  store: GuestStore & Pick<AccountStore, 'userById' | 'userByUsername' | 'deleteUser'>;
  /** Names no one may take (registration.reserved_usernames). */
  reserved?: readonly string[];
  /** What an account deletion does first (leave rooms through their rules...). */
  beforeDelete?: (userId: string) => Promise<void>;
  /** After a held guest is written: what others must now see of it (its presence). */
  afterStore?: (userId: string) => Promise<void>;
  /** Guests one address may start per hour. */
  perAddressPerHour: number;
  now?: () => number;
}): GuestService {
  const now = deps.now ?? Date.now;
  const limiter = createRateLimiter({
    perSecond: deps.perAddressPerHour / 3600,
    burst: deps.perAddressPerHour,
  });
  // Held guests; `writing` while their rows are being written (they stay held until
  // written, so lookups keep finding them).
  const held = new Map<string, UserRecord>();
  const heldNames = new Map<string, UserRecord>();
  const writing = new Map<string, Promise<void>>();

  function release(user: UserRecord): void {
    held.delete(user.id);
    if (heldNames.get(user.username) === user) heldNames.delete(user.username);
  }

  async function write(user: UserRecord): Promise<void> {
    try {
      await deps.store.createGuest(user, now() + GUEST_TTL_MS);
    } catch (err) {
      if (err instanceof ParleyError && err.condition === 'conflict')
        throw new ParleyError(
          'conflict',
          `the guest name ${user.username} was taken meanwhile: reconnect with another nick`,
          { field: 'guest-name' },
        );
      throw err;
    }
    // Written: the store answers for it from now on.
    release(user);
    await deps.afterStore?.(user.id);
  }

  async function remove(userId: string): Promise<void> {
    const u = await deps.store.userById(userId);
    if (!u?.guest) return;
    await deps.beforeDelete?.(userId);
    await deps.store.deleteUser(userId);
  }

  return {
    byId: (id) => held.get(id),
    byName: (name) => heldNames.get(name),
    holds: (name) => heldNames.has(name),
    async start(req) {
      const name = normalizeUsername(req.name);
      assertNotReserved(name, deps.reserved ?? []);
      if (heldNames.has(name) || (await deps.store.userByUsername(name)))
        throw new ParleyError('conflict', `${name} is taken`);
      // Checked again: another start for the name may have been answered meanwhile.
      if (heldNames.has(name)) throw new ParleyError('conflict', `${name} is taken`);
      limiter.take(addressKey(req.address));
      const t = now();
      const user: UserRecord = {
        id: newId(t),
        username: name,
        // No password can match: a guest logs in only as a guest.
        passwordHash: '!guest',
        createdAt: t,
        disabled: false,
        guest: true,
      };
      held.set(user.id, user);
      heldNames.set(name, user);
      return scopedAuth(user, req.device, req.address, t);
    },
    stored(userId) {
      const user = held.get(userId);
      if (!user) return Promise.resolve();
      let w = writing.get(userId);
      if (!w) {
        w = write(user).finally(() => writing.delete(userId));
        writing.set(userId, w);
      }
      return w;
    },
    async touch(userId) {
      if (held.has(userId)) return;
      await deps.store.touchGuest(userId, now() + GUEST_TTL_MS);
    },
    async end(userId) {
      const user = held.get(userId);
      if (user) {
        // A write under way finishes first; then the stored guest is removed as any.
        const w = writing.get(userId);
        if (!w) return release(user);
        await w.catch(() => {});
        if (held.has(userId)) return release(user);
      }
      await remove(userId);
    },
    async sweep() {
      const ids = await deps.store.expiredGuests(now(), 100);
      for (const id of ids) await remove(id);
      return ids.length;
    },
  };
}
