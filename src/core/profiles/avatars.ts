import type { Readable } from 'node:stream';
import { ParleyError } from '../errors.js';
import { type AvatarInfo, except, type ProfileChange } from '../events.js';
import { type Pictures, publicAvatar, type StoredAvatar } from '../files/pictures.js';
import type { Router } from '../router.js';
import type { Profile } from './store.js';

/**
 * A person's avatar: part of their profile, stored once. Checked, re-encoded and
 * kept as a blob by core/files/pictures.ts (which rooms' pictures share); the
 * account row names it, and its public hash is what XMPP (XEP-0084, XEP-0153)
 * and the web's cache use.
 */

export { AVATAR_LIMITS, publicAvatar, type StoredAvatar } from '../files/pictures.js';

export interface AvatarStore {
  avatar(userId: string): Promise<StoredAvatar | undefined>;
  /** Sets (or with null removes) the avatar; resolves to the one it replaced. */
  setAvatar(userId: string, a: StoredAvatar | null): Promise<StoredAvatar | undefined>;
}

export interface AvatarService {
  /** Stores `bytes` as `userId`'s avatar and tells who sees them; the same picture again changes nothing. */
  set(userId: string, bytes: Uint8Array, exceptConnection?: string): Promise<AvatarInfo>;
  /** False when there was none. */
  remove(userId: string, exceptConnection?: string): Promise<boolean>;
  mine(userId: string): Promise<StoredAvatar | undefined>;
  /** Another person's avatar, to whoever may see it (`not-found` otherwise, or when none). */
  of(viewerId: string, ownerId: string): Promise<StoredAvatar>;
  read(a: StoredAvatar): Readable;
  /** Tells the user's watchers and own sessions that their name or picture changed. */
  announce(
    userId: string,
    changed: readonly ProfileChange[],
    exceptConnection?: string,
  ): Promise<void>;
}

export function createAvatarService(deps: {
  store: AvatarStore;
  pictures: Pictures;
  profile(userId: string): Promise<Profile | undefined>;
  /** Who sees `userId`'s presence (core/presence), minus those `userId` blocked. */
  watchersOf(userId: string): Promise<readonly string[]>;
  isBlocked(ownerId: string, otherId: string): Promise<boolean>;
  router: Router;
  onError?: (err: unknown) => void;
}): AvatarService {
  const { store, pictures, router } = deps;

  async function announce(
    userId: string,
    changed: readonly ProfileChange[],
    exceptConnection?: string,
  ): Promise<void> {
    const p = await deps.profile(userId);
    if (!p) return;
    const e = except(
      {
        name: 'contact.profile' as const,
        userId,
        username: p.username,
        displayName: p.displayName,
        avatar: publicAvatar(await store.avatar(userId)),
        changed,
      },
      exceptConnection,
    );
    router.deliver(userId, e);
    for (const w of await deps.watchersOf(userId)) router.deliver(w, e);
  }

  const tell = (userId: string, exceptConnection?: string) =>
    announce(userId, ['avatar'], exceptConnection).catch((err: unknown) => deps.onError?.(err));

  return {
    set(userId, bytes, exceptConnection) {
      return pictures.accept(userId, bytes, async (a, keep) => {
        const before = await store.avatar(userId);
        if (before?.hash === a.hash) return publicAvatar(before)!;
        const replaced = await keep(() => store.setAvatar(userId, a));
        if (replaced && replaced.sha256 !== a.sha256) await pictures.drop(replaced.sha256);
        void tell(userId, exceptConnection);
        return publicAvatar(a)!;
      });
    },

    async remove(userId, exceptConnection) {
      const before = await store.setAvatar(userId, null);
      if (!before) return false;
      await pictures.drop(before.sha256);
      void tell(userId, exceptConnection);
      return true;
    },

    mine: (userId) => store.avatar(userId),

    async of(viewerId, ownerId) {
      const none = () => new ParleyError('not-found', 'no avatar', { field: 'username' });
      if (viewerId !== ownerId) {
        // The profile's rules: never to someone the owner blocked; someone who left the
        // directory shows it only to those who see their presence.
        if (await deps.isBlocked(ownerId, viewerId)) throw none();
        const p = await deps.profile(ownerId);
        if (!p) throw none();
        if (!p.searchable && !(await deps.watchersOf(ownerId)).includes(viewerId)) throw none();
      }
      const a = await store.avatar(ownerId);
      if (!a) throw none();
      return a;
    },

    read: (a) => pictures.read(a),

    announce,
  };
}
