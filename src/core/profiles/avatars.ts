import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { ParleyError } from '../errors.js';
import { type AvatarInfo, except, type ProfileChange } from '../events.js';
import { newId } from '../ids.js';
import type { BlobStore, Staging } from '../files/blobs.js';
import { ImageRefused, type ImageProcessor } from '../files/images.js';
import { sniff } from '../files/sniff.js';
import { createRateLimiter } from '../limits/rate.js';
import type { Router } from '../router.js';
import type { Profile } from './store.js';

/**
 * A person's avatar: part of their profile, stored once. The bytes are a blob
 * named by SHA-256 in the files' blob store (shared with any file of the same
 * bytes; a blob goes only when neither a file nor an avatar names it), always
 * as re-encoded by the ImageProcessor (no metadata), of a type sniffed from the
 * bytes. Its public hash is the SHA-1 of those bytes, which XMPP's avatars
 * (XEP-0084, XEP-0153) use as the picture's id.
 */

export const AVATAR_LIMITS = { bytes: 512 * 1024, changesPerMinute: 10 } as const;
const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];

export interface StoredAvatar extends AvatarInfo {
  sha256: string;
  updatedAt: number;
}

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

export const publicAvatar = (a: StoredAvatar | undefined | null): AvatarInfo | null =>
  a ? { hash: a.hash, type: a.type, size: a.size, width: a.width, height: a.height } : null;

export function createAvatarService(deps: {
  store: AvatarStore;
  blobs: BlobStore;
  staging: Staging;
  images: ImageProcessor;
  /** The files service's lock per blob and its check that nothing else names one. */
  blobLock<T>(sha256: string, fn: () => Promise<T>): Promise<T>;
  referenced(sha256: string): Promise<boolean>;
  profile(userId: string): Promise<Profile | undefined>;
  /** Who sees `userId`'s presence (core/presence), minus those `userId` blocked. */
  watchersOf(userId: string): Promise<readonly string[]>;
  isBlocked(ownerId: string, otherId: string): Promise<boolean>;
  router: Router;
  now?: () => number;
  onError?: (err: unknown) => void;
}): AvatarService {
  const { store, blobs, staging, router } = deps;
  const now = deps.now ?? Date.now;
  const rate = createRateLimiter({
    perSecond: AVATAR_LIMITS.changesPerMinute / 60,
    burst: AVATAR_LIMITS.changesPerMinute,
  });

  async function dropBlob(sha256: string): Promise<void> {
    await deps.blobLock(sha256, async () => {
      if (!(await deps.referenced(sha256))) await blobs.remove(sha256);
    });
  }

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
    async set(userId, bytes, exceptConnection) {
      if (bytes.length === 0)
        throw new ParleyError('bad-request', 'the avatar is an image: send its bytes', {
          field: 'avatar',
        });
      if (bytes.length > AVATAR_LIMITS.bytes)
        throw new ParleyError('too-large', `an avatar is at most ${AVATAR_LIMITS.bytes} bytes`, {
          field: 'avatar',
        });
      const type = sniff(bytes);
      if (!AVATAR_TYPES.includes(type))
        throw new ParleyError(
          'unsupported-type',
          `an avatar is a PNG, JPEG, WebP or GIF image, not ${type}`,
          { field: 'avatar' },
        );
      rate.take(userId);
      const key = `${newId()}a`;
      const raw = staging.scratch(key);
      const out = staging.scratch(`${key}c`);
      try {
        await mkdir(dirname(raw), { recursive: true });
        await writeFile(raw, bytes);
        let cleaned;
        try {
          // Decoded and written anew: no EXIF (GPS), no comments, nothing appended.
          cleaned = await deps.images.clean(raw, out, type);
        } catch (err) {
          if (err instanceof ImageRefused)
            throw err.reason === 'too-many-pixels'
              ? new ParleyError('too-large', err.message, { field: 'avatar' })
              : new ParleyError('unsupported-type', `not a readable ${type} image`, {
                  field: 'avatar',
                });
          throw err;
        }
        const d = await staging.digest(out, 0);
        const sha1 = createHash('sha1')
          .update(await readFile(out))
          .digest('hex');
        const a: StoredAvatar = {
          sha256: d.sha256,
          hash: sha1,
          type: cleaned.type,
          size: d.size,
          width: cleaned.width,
          height: cleaned.height,
          updatedAt: now(),
        };
        const before = await store.avatar(userId);
        if (before?.hash === sha1) return publicAvatar(before)!;
        // Blob first, then the row that names it: acknowledged means durable (42).
        await deps.blobLock(a.sha256, async () => {
          await blobs.put(a.sha256, out);
          await store.setAvatar(userId, a);
        });
        if (before && before.sha256 !== a.sha256) await dropBlob(before.sha256);
        void tell(userId, exceptConnection);
        return publicAvatar(a)!;
      } finally {
        await staging.remove(raw);
        await staging.remove(out);
      }
    },

    async remove(userId, exceptConnection) {
      const before = await store.setAvatar(userId, null);
      if (!before) return false;
      await dropBlob(before.sha256);
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

    read: (a) => blobs.read(a.sha256),

    announce,
  };
}
