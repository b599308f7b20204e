import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BlobStore, DERIVED, type DerivedName, type Staging } from './blobs.js';

const HEX64 = /^[0-9a-f]{64}$/;
const SAFE_ID = /^[0-9a-z]{1,64}$/;

/** Directory entries survive a crash only once the directory itself is synced. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/**
 * Blobs on the local disk: `<root>/blobs/ab/<sha256>`. Written by renaming a
 * synced file within the same file system, then syncing the directory: a blob
 * is either whole or absent, never half written. Derived files (thumbnails) are
 * a cache under `<root>/derived/ab/<sha256>.<name>`, written the same way.
 */
export function createDiskBlobStore(root: string): BlobStore {
  const dirOf = (sha: string) => join(root, 'blobs', sha.slice(0, 2));
  const pathOf = (sha: string) => {
    // A hash is the only name a blob has: nothing else ever becomes a path.
    if (!HEX64.test(sha)) throw new Error('not a SHA-256 hex digest');
    return join(dirOf(sha), sha);
  };
  const derivedPath = (sha: string, name: DerivedName) => {
    if (!HEX64.test(sha) || !DERIVED.includes(name)) throw new Error('not a derived blob name');
    return join(root, 'derived', sha.slice(0, 2), `${sha}.${name}`);
  };
  return {
    async put(sha, localPath) {
      const target = pathOf(sha);
      if (await exists(target)) {
        await rm(localPath, { force: true });
        return;
      }
      await mkdir(dirOf(sha), { recursive: true });
      await rename(localPath, target);
      await syncDir(dirOf(sha));
    },
    read(sha, range) {
      // Bigger reads than the 64 KiB default: fewer chunks through the socket per file.
      return createReadStream(pathOf(sha), {
        highWaterMark: 256 * 1024,
        ...(range ? { start: range.start, end: range.end } : {}),
      });
    },
    has: (sha) => exists(pathOf(sha)),
    async remove(sha) {
      for (const name of DERIVED) await rm(derivedPath(sha, name), { force: true });
      await rm(pathOf(sha), { force: true });
    },
    async getDerived(sha, name) {
      try {
        return await readFile(derivedPath(sha, name));
      } catch {
        return undefined;
      }
    },
    async putDerived(sha, name, bytes) {
      const target = derivedPath(sha, name);
      const dir = join(root, 'derived', sha.slice(0, 2));
      await mkdir(dir, { recursive: true });
      // Whole or absent: a reader never sees half a thumbnail.
      const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, target);
    },
  };
}

/** Partial uploads under `<root>/partial/<upload id>`, scratch files under `<root>/tmp`. */
export function createDiskStaging(root: string): Staging {
  const partial = join(root, 'partial');
  const tmp = join(root, 'tmp');
  let made: Promise<unknown> | undefined;
  const ready = () =>
    (made ??= Promise.all([
      mkdir(partial, { recursive: true }),
      mkdir(tmp, { recursive: true }),
      mkdir(join(root, 'blobs'), { recursive: true }),
    ]));
  const pathOf = (id: string) => {
    if (!SAFE_ID.test(id)) throw new Error('not an upload id');
    return join(partial, id);
  };
  return {
    scratch: (name) => {
      if (!SAFE_ID.test(name)) throw new Error('not a scratch name');
      return join(tmp, name);
    },
    path: pathOf,
    async append(id, body, limit) {
      await ready();
      const fh = await open(pathOf(id), 'a');
      let written = 0;
      let overflow = false;
      let broken = false;
      try {
        try {
          for await (const chunk of body) {
            const room = limit - written;
            const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
            if (part.length) await fh.write(part);
            written += part.length;
            if (chunk.length > room) {
              overflow = true;
              break;
            }
          }
        } catch {
          // The client went away mid-body: what arrived is kept for the resume.
          broken = true;
        }
        await fh.sync();
        return { size: (await fh.stat()).size, overflow, broken };
      } finally {
        await fh.close();
      }
    },
    async truncate(id, size) {
      await truncate(pathOf(id), size);
    },
    async remove(path) {
      await rm(path, { force: true });
    },
    async digest(path, headBytes) {
      const hash = createHash('sha256');
      const head: Buffer[] = [];
      let got = 0;
      for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        if (got < headBytes) head.push(chunk.subarray(0, headBytes - got));
        got += chunk.length;
      }
      return { sha256: hash.digest('hex'), size: got, head: Buffer.concat(head) };
    },
  };
}
