import type { Readable } from 'node:stream';

/**
 * Where file bytes live, by SHA-256 (lowercase hex): the local disk under the
 * data directory by default (disk.ts); an object store later. A blob is written
 * once however many files share it, and removed only when none does.
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
  remove(sha256: string): Promise<void>;
}

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
