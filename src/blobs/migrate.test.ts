import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/backends.js';
import { migrateDiskToS3 } from './migrate.js';
import type { S3BlobStore } from './s3.js';

/**
 * The disk-to-S3 copy against a bucket in memory: the order it writes in (so a
 * rerun can trust what it finds), what it skips, and blobs that vanish or are
 * damaged while it runs. The real bucket path is test/e2e/files-migrate.test.ts.
 */
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function bucket(hooks: { size?: (sha: string) => void } = {}) {
  const objects = new Map<string, Buffer>();
  const calls: string[] = [];
  const store = {
    async size(sha: string) {
      hooks.size?.(sha);
      calls.push(`size ${sha.slice(0, 6)}`);
      return objects.get(`blobs/${sha}`)?.length;
    },
    async copyIn(sha: string, path: string) {
      calls.push(`copy ${sha.slice(0, 6)}`);
      objects.set(`blobs/${sha}`, readFileSync(path));
    },
    async putDerived(sha: string, name: string, bytes: Buffer) {
      calls.push(`derived ${sha.slice(0, 6)} ${name}`);
      objects.set(`derived/${sha}.${name}`, bytes);
    },
  };
  return { objects, calls, store: store as unknown as S3BlobStore };
}

describe('migrateDiskToS3', () => {
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.cleanup();
  });
  function disk() {
    const t = tempDir('parley-migrate-unit-');
    dirs.push(t);
    const put = (bytes: Buffer, sha = sha256(bytes)) => {
      mkdirSync(join(t.dir, 'blobs', sha.slice(0, 2)), { recursive: true });
      writeFileSync(join(t.dir, 'blobs', sha.slice(0, 2), sha), bytes);
      return sha;
    };
    const thumb = (sha: string, name: string) => {
      mkdirSync(join(t.dir, 'derived', sha.slice(0, 2)), { recursive: true });
      writeFileSync(join(t.dir, 'derived', sha.slice(0, 2), `${sha}.${name}`), 'webp');
    };
    return { root: t.dir, put, thumb };
  }

  it('sends thumbnails before their blob, skips what the bucket has, recopies a wrong size', async () => {
    const d = disk();
    const a = d.put(randomBytes(100));
    d.thumb(a, 't160.webp');
    d.thumb(a, 't640.webp');
    // A stray beside the thumbnails is not one of the names a blob has: not sent.
    d.thumb(a, 'evil.exe');
    const b = d.put(randomBytes(200));
    const c = d.put(randomBytes(300));
    const s3 = bucket();
    s3.objects.set(`blobs/${b}`, Buffer.alloc(200));
    s3.objects.set(`blobs/${c}`, Buffer.alloc(299));
    const p = await migrateDiskToS3(d.root, s3.store);
    expect(p).toMatchObject({ total: 3, totalBytes: 600, done: 3, copied: 2, present: 1 });
    expect(p.copiedBytes).toBe(400);
    const ofA = s3.calls.filter((x) => x.includes(a.slice(0, 6)));
    expect(ofA).toEqual([
      `size ${a.slice(0, 6)}`,
      `derived ${a.slice(0, 6)} t160.webp`,
      `derived ${a.slice(0, 6)} t640.webp`,
      `copy ${a.slice(0, 6)}`,
    ]);
    expect(s3.calls).not.toContain(`copy ${b.slice(0, 6)}`);
    expect(s3.objects.get(`blobs/${c}`)).toHaveLength(300);
    expect([...s3.objects.keys()].some((k) => k.includes('evil'))).toBe(false);
  });

  it('a blob deleted while the copy runs is counted as gone, not as a failure', async () => {
    const d = disk();
    const a = d.put(randomBytes(100));
    const b = d.put(randomBytes(100));
    const s3 = bucket({
      size: (sha) => {
        if (sha === a) rmSync(join(d.root, 'blobs', a.slice(0, 2), a));
      },
    });
    const p = await migrateDiskToS3(d.root, s3.store);
    expect(p).toMatchObject({ total: 2, done: 2, copied: 1, gone: 1, failed: [] });
    expect(p.stopped).toBeUndefined();
    expect(s3.objects.has(`blobs/${b}`)).toBe(true);
  });

  it('bounds what it names: thousands of strays are counted, twenty named', async () => {
    const d = disk();
    mkdirSync(join(d.root, 'blobs', 'ab'), { recursive: true });
    for (let i = 0; i < 500; i++) writeFileSync(join(d.root, 'blobs', 'ab', `x${i}`), '');
    for (let i = 0; i < 30; i++) mkdirSync(join(d.root, 'blobs', `q${i}`));
    const p = await migrateDiskToS3(d.root, bucket().store);
    expect(p.strays).toBe(530);
    expect(p.strayNames).toHaveLength(20);
    expect(p.total).toBe(0);
  });
});
