import type { Readable } from 'node:stream';

/**
 * Where file bytes live, by SHA-256 (lowercase hex): the local disk under the
 * data directory by default (disk.ts), or an S3-compatible object store
 * (src/blobs/s3.ts) that several nodes share. A blob is written once however
 * many files share it, and removed only when none does.
 */
export interface BlobStore {
  /**
   * Moves a complete local file in under `sha256` (which the caller computed by
   * reading the file back after it was synced). Durable when it resolves; when
   * the blob is already there the local file is just removed.
   */
  put(sha256: string, localPath: string): Promise<void>;
  /** The blob's bytes from `start` to `end` inclusive (the whole blob by default). */
  read(sha256: string, range?: { start: number; end: number }): Readable;
  has(sha256: string): Promise<boolean>;
  /** Removes the blob and everything derived from it. */
  remove(sha256: string): Promise<void>;
  /**
   * Small files computed from a blob (thumbnails, named in DERIVED), cached beside
   * it: undefined when not (yet) there.
   */
  getDerived(sha256: string, name: DerivedName): Promise<Buffer | undefined>;
  putDerived(sha256: string, name: DerivedName, bytes: Buffer): Promise<void>;
}

/** Thumbnail sizes a client may ask for (fit inside size x size, never upscaled). */
export const THUMB_SIZES = [160, 320, 640] as const;
export type ThumbSize = (typeof THUMB_SIZES)[number];
/** Every derived file a blob may have, so a store removes them without listing. */
export const DERIVED = THUMB_SIZES.map((s) => `t${s}.webp` as const);
export type DerivedName = (typeof DERIVED)[number];

/**
 * Partial uploads on this node's disk, appended to and synced as bytes arrive,
 * so a resumed upload continues from what is durable. Always local: an upload
 * resumes on the node that began it.
 */
export interface Staging {
  /** A scratch path for a derived file (a re-encoded image). */
  scratch(name: string): string;
  path(uploadId: string): string;
  /**
   * Appends at most `limit` bytes of `body` to the upload's file, then syncs it;
   * resolves to the file's size after. More than `limit` bytes: the extra is not
   * written and `overflow` is true. A body that breaks off keeps what arrived.
   */
  append(
    uploadId: string,
    body: AsyncIterable<Uint8Array>,
    limit: number,
  ): Promise<{ size: number; overflow: boolean; broken: boolean }>;
  /** Cuts the upload's file back to `size` bytes (an append that must change nothing). */
  truncate(uploadId: string, size: number): Promise<void>;
  remove(path: string): Promise<void>;
  /** SHA-256 and the first bytes of a local file, read back from disk. */
  digest(path: string, headBytes: number): Promise<{ sha256: string; size: number; head: Buffer }>;
}
