import type { GuestRegistry } from './accounts/guests.js';
import type { UserRecord } from './accounts/store.js';
import type { Store } from './store.js';

/**
 * Who is who, as every service looks it up: one adapter over the store, built
 * once in main.ts. Each service declares the narrower part it needs
 * (`MessageUsers`, `RoomUsers`, `ReceiptUsers`, `UserLookup`...), which this
 * satisfies, so tests can still pass a small fake.
 */
export interface UserDirectory {
  byUsername(username: string): Promise<UserRecord | undefined>;
  byId(id: string): Promise<UserRecord | undefined>;
  /** undefined for an account that does not exist (or was deleted). */
  usernameOf(id: string): Promise<string | undefined>;
  /** '' when the user has no profile or no display name. */
  displayName(id: string): Promise<string>;
  /** True when `ownerId` blocked `otherId`. */
  isBlocked(ownerId: string, otherId: string): Promise<boolean>;
  /** A room's name by id (search results may be room messages). */
  roomName(roomId: string): Promise<string | undefined>;
  /** Who holds this username: an account, a guest (core/accounts/guests.ts), or no one. */
  holder(username: string): Promise<'account' | 'guest' | undefined>;
  /** Current usernames by id, in one read (stored records are filled in with them). */
  usernames(ids: readonly string[]): Promise<Map<string, string>>;
  displayNames(ids: readonly string[]): Promise<Map<string, string>>;
}

/**
 * `guests`: the guests this node holds in memory (core/accounts/guests.ts), found
 * before the store is asked; they have no profile (no display name) yet.
 */
export function createUserDirectory(store: Store, guests?: GuestRegistry): UserDirectory {
  const byId = async (id: string) => guests?.byId(id) ?? store.accounts.userById(id);
  const byUsername = async (name: string) =>
    guests?.byName(name) ?? store.accounts.userByUsername(name);
  return {
    byUsername,
    byId,
    usernameOf: async (id) => (await byId(id))?.username,
    displayName: async (id) => (await store.profiles.profile(id))?.displayName ?? '',
    isBlocked: (owner, other) => store.contacts.isBlocked(owner, other),
    roomName: async (id) => (await store.rooms.byId(id))?.name,
    async usernames(ids) {
      const found = await store.accounts.usernames(ids);
      if (guests)
        for (const id of ids) {
          const g = guests.byId(id);
          if (g) found.set(id, g.username);
        }
      return found;
    },
    async holder(name) {
      const u = await byUsername(name);
      return u ? (u.guest ? 'guest' : 'account') : undefined;
    },
    displayNames: (ids) => store.profiles.displayNames(ids),
  };
}
