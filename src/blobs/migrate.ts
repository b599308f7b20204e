import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DERIVED } from '../core/files/blobs.js';
import type { S3BlobStore } from './s3.js';

const HEX64 = /^[0-9a-f]{64}$/;
const HEX2 = /^[0-9a-f]{2}$/;
/** Names of stray entries kept for the summary (the count is always exact). */
const MAX_NAMED = 20;

export interface MigrateProgress {
  /** Blobs on disk, and their bytes, counted before copying. */
  total: number;
  totalBytes: number;
  /** Blobs handled so far (copied, present, failed or gone). */
  done: number;
  copied: number;
  copiedBytes: number;
  /** Already in the bucket with the same size: skipped (a rerun copies only what is new). */
  present: number;
  /** Removed from disk while the copy ran (their message was deleted): nothing to copy. */
  gone: number;
  /** Blobs not copied: bytes that do not match their name. */
  failed: { sha256: string; why: string }[];
  /** Entries under blobs/ that are not blobs (left alone), the first MAX_NAMED named. */
  strays: number;
  strayNames: string[];
  /** Why the copy stopped before the end (the bucket failed), if it did. */
  stopped?: string;
}

const missing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if (missing(err)) return [];
    throw err;
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Copies every blob of the disk store under `root` (`blobs/ab/<sha256>`, with
 * its thumbnails under `derived/`) into the S3 store, for `parley files
 * migrate`. Each blob's bytes are checked against its name before they go, and
 * read back from the bucket after (S3BlobStore.copyIn). Thumbnails go before
 * their blob, so a blob in the bucket means its thumbnails are too: a rerun
 * skips what is there and copies the rest. The disk is only read. Works one
 * directory at a time: memory does not grow with the number of blobs.
 */
export async function migrateDiskToS3(
  root: string,
  s3: S3BlobStore,
  onProgress: (p: Readonly<MigrateProgress>) => void = () => {},
): Promise<MigrateProgress> {
  const blobsDir = join(root, 'blobs');
  const p: MigrateProgress = {
    total: 0,
    totalBytes: 0,
    done: 0,
    copied: 0,
    copiedBytes: 0,
    present: 0,
    gone: 0,
    failed: [],
    strays: 0,
    strayNames: [],
  };
  const stray = (name: string) => {
    p.strays++;
    if (p.strayNames.length < MAX_NAMED) p.strayNames.push(name);
  };

  // First the count, so progress can say "of how many".
  const dirs: string[] = [];
  for (const d of await entries(blobsDir)) {
    if (!HEX2.test(d)) {
      stray(d);
      continue;
    }
    dirs.push(d);
    for (const name of await entries(join(blobsDir, d))) {
      if (!HEX64.test(name) || !name.startsWith(d)) {
        stray(`${d}/${name}`);
        continue;
      }
      const st = await stat(join(blobsDir, d, name)).catch(() => undefined);
      if (!st?.isFile()) {
        if (st) stray(`${d}/${name}`);
        continue;
      }
      p.total++;
      p.totalBytes += st.size;
    }
  }

  for (const d of dirs)
    for (const sha of await entries(join(blobsDir, d))) {
      if (!HEX64.test(sha) || !sha.startsWith(d)) continue;
      const path = join(blobsDir, d, sha);
      try {
        const st = await stat(path);
        if (!st.isFile()) continue;
        if ((await s3.size(sha)) === st.size) p.present++;
        else if ((await sha256Of(path)) !== sha)
          p.failed.push({ sha256: sha, why: 'its bytes on disk do not match its name (damaged)' });
        else {
          for (const name of DERIVED) {
            const bytes = await readFile(join(root, 'derived', d, `${sha}.${name}`)).catch(
              (err: unknown) => {
                if (missing(err)) return undefined;
                throw err;
              },
            );
            if (bytes) await s3.putDerived(sha, name, bytes);
          }
          await s3.copyIn(sha, path);
          p.copied++;
          p.copiedBytes += st.size;
        }
      } catch (err) {
        if (missing(err)) p.gone++;
        else {
          // The bucket (or the disk) failed: stop, so one outage is one message, not
          // thousands; a rerun goes on from here.
          p.stopped = `at blob ${sha}: ${err instanceof Error ? err.message : String(err)}`;
          onProgress(p);
          return p;
        }
      }
      p.done++;
      onProgress(p);
    }
  return p;
}

/**
 * For `parley doctor` with `[files.s3]` set: of the first `max` blobs still under
 * `root` on disk, how many the bucket lacks (a server switched to S3 before
 * `parley files migrate` answers not-found for those).
 */
export async function missingFromBucket(
  root: string,
  s3: Pick<S3BlobStore, 'size'>,
  max = 20,
): Promise<{ checked: number; missing: number }> {
  const blobsDir = join(root, 'blobs');
  let checked = 0;
  let missing = 0;
  for (const d of await entries(blobsDir)) {
    if (!HEX2.test(d)) continue;
    for (const sha of await entries(join(blobsDir, d))) {
      if (checked >= max) return { checked, missing };
      if (!HEX64.test(sha) || !sha.startsWith(d)) continue;
      checked++;
      if ((await s3.size(sha)) === undefined) missing++;
    }
  }
  return { checked, missing };
}
