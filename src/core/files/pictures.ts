import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { ParleyError } from '../errors.js';
import type { AvatarInfo } from '../events.js';
import { newId } from '../ids.js';
import { createRateLimiter } from '../limits/rate.js';
import type { BlobStore, Staging } from './blobs.js';
import { ImageRefused, type ImageProcessor } from './images.js';
import { sniff } from './sniff.js';

/**
 * Avatar pictures, a person's (core/profiles/avatars.ts) or a room's
 * (core/rooms/avatar.ts): one module checks, re-encodes and stores them, so both
 * keep the same rules. The bytes are a blob named by SHA-256 in the files' blob
 * store (shared with any file or other avatar of the same bytes; a blob goes only
 * when nothing names it), always as re-encoded by the ImageProcessor (no
 * metadata), of a type sniffed from the bytes. The public hash is the SHA-1 of
 * those bytes, which XMPP's avatars (XEP-0084, XEP-0153) use as the picture's id.
 */

export const AVATAR_LIMITS = { bytes: 512 * 1024, changesPerMinute: 10 } as const;
const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];

export interface StoredAvatar extends AvatarInfo {
  sha256: string;
  updatedAt: number;
}

export const publicAvatar = (a: StoredAvatar | undefined | null): AvatarInfo | null =>
  a ? { hash: a.hash, type: a.type, size: a.size, width: a.width, height: a.height } : null;

export interface Pictures {
  /**
   * Checks `bytes` (size, type sniffed from them), takes one from `actorId`'s
   * change budget (shared by their own and their rooms' pictures), re-encodes
   * them, and hands the result to `use` with `keep`: under the blob's lock,
   * `keep(commit)` stores the blob and then runs `commit` (which writes the row
   * naming it). A commit that throws leaves no blob behind that nothing names.
   * The staged copies are gone when `use` settles.
   */
  accept<R>(
    actorId: string,
    bytes: Uint8Array,
    use: (a: StoredAvatar, keep: <T>(commit: () => Promise<T>) => Promise<T>) => Promise<R>,
  ): Promise<R>;
  /** Removes the blob if nothing (file, avatar) names it any more. */
  drop(sha256: string): Promise<void>;
  read(a: StoredAvatar): Readable;
}

export function createPictures(deps: {
  blobs: BlobStore;
  staging: Staging;
  images: ImageProcessor;
  /** The files service's lock per blob and its check that something names one. */
  blobLock<T>(sha256: string, fn: () => Promise<T>): Promise<T>;
  referenced(sha256: string): Promise<boolean>;
  now?: () => number;
}): Pictures {
  const { blobs, staging } = deps;
  const now = deps.now ?? Date.now;
  const rate = createRateLimiter({
    perSecond: AVATAR_LIMITS.changesPerMinute / 60,
    burst: AVATAR_LIMITS.changesPerMinute,
  });

  /** Under the blob's lock already. */
  async function dropLocked(sha256: string): Promise<void> {
    if (!(await deps.referenced(sha256))) await blobs.remove(sha256);
  }

  function check(bytes: Uint8Array): string {
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
    return type;
  }

  return {
    async accept(actorId, bytes, use) {
      const type = check(bytes);
      rate.take(actorId);
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
        // Blob first, then the row that names it: acknowledged means durable (42).
        const keep = <T>(commit: () => Promise<T>): Promise<T> =>
          deps.blobLock(a.sha256, async () => {
            await blobs.put(a.sha256, out);
            try {
              return await commit();
            } catch (err) {
              // The commit's error is the answer (a blob that could not go is only unnamed bytes).
              await dropLocked(a.sha256).catch(() => {});
              throw err;
            }
          });
        return await use(a, keep);
      } finally {
        await staging.remove(raw);
        await staging.remove(out);
      }
    },

    drop: (sha256) => deps.blobLock(sha256, () => dropLocked(sha256)),

    read: (a) => blobs.read(a.sha256),
  };
}
