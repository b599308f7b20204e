import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOn, everyStoreBackend, tempDir } from '../helpers/backends.js';
import { runCli } from '../helpers/cli.js';
import { signUp, type Person } from '../helpers/people.js';
import { type LocalS3, S3_BUCKET, startLocalS3 } from '../helpers/s3.js';
import { startNode, type TestNode } from '../helpers/server.js';

/**
 * `parley files migrate`: a server that began with its files on disk moves them
 * to an S3 bucket (s3rver here). Copied while the server runs, copied again
 * (only what is new) once it stopped, and then a server on the bucket serves
 * every file and thumbnail with the disk copies gone. Damaged blobs, strays and
 * an unreachable bucket are said, not copied, and a rerun goes on.
 */

const LIMITS = { requests_per_minute_per_address: 100_000 };
const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function s3Env(s3: LocalS3, dataDir: string): NodeJS.ProcessEnv {
  return {
    PARLEY_DATA_DIR: dataDir,
    PARLEY_FILES_S3_ENDPOINT: s3.url,
    PARLEY_FILES_S3_BUCKET: S3_BUCKET,
    PARLEY_FILES_S3_ACCESS_KEY: 'S3RVER',
    PARLEY_FILES_S3_SECRET_KEY: 'S3RVER',
    PARLEY_FILES_S3_PATH_STYLE: 'true',
  };
}

/** The disk store's keys as the bucket names them: blobs/ab/<sha256>. */
function diskBlobs(dataDir: string): string[] {
  const root = join(dataDir, 'files', 'blobs');
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)).map((f) => `blobs/${d}/${f}`));
}

async function bytesOf(res: Response): Promise<Buffer> {
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

for (const backend of everyStoreBackend())
  describeOn(backend)(`parley files migrate (${backend.name})`, () => {
    let s3: LocalS3;
    let db: ReturnType<(typeof backend)['make']>;
    const data = tempDir('parley-migrate-');
    let node: TestNode;
    let a: Person, b: Person;

    beforeAll(async () => {
      s3 = await startLocalS3();
      db = backend.make();
      node = await startNode({ db: { ...db, dataDir: data.dir }, config: { limits: LIMITS } });
      [a, b] = (await signUp(node, 2, 'mig')) as [Person, Person];
    });
    afterAll(async () => {
      await node?.stop();
      await db?.cleanup();
      await s3?.stop();
      data.cleanup();
    });

    it('copies every file, while the server runs and again once it stopped; a server on the bucket then serves them all', async () => {
      const png = await sharp({
        create: { width: 800, height: 600, channels: 3, background: 'teal' },
      })
        .png()
        .toBuffer();
      // Over 8 MiB: it goes up in parts.
      const big = randomBytes(9 * MiB + 7);
      const note = Buffer.from('a small note\n');
      const files = [
        await a.c.files.upload({ to: b.name }, 'pic.png', png),
        await a.c.files.upload({ to: b.name }, 'big.bin', big, { chunkBytes: 4 * MiB }),
        await a.c.files.upload({ to: b.name }, 'note.txt', note),
      ];
      await a.c.sendMessage(
        b.name,
        'on disk',
        'mig1',
        undefined,
        files.map((f) => f.id),
      );
      // A thumbnail, cached on disk beside its blob.
      const thumb = await bytesOf(await fetch(`${node.url}${files[0]!.link}/thumb/160`));
      const pic = await bytesOf(await b.c.files.fetch(files[0]!.id));

      const env = s3Env(s3, data.dir);
      // Before the copy, doctor with [files.s3] set warns that the bucket lacks them.
      const doctorEnv = { ...env, PARLEY_SERVER_PORT: '0', PARLEY_DATABASE_URL: 'sqlite::memory:' };
      const before = await runCli(['doctor'], { env: doctorEnv });
      expect(before.stdout).toMatch(
        /⚠ files: 3 of the 3 files checked under .* are not in the bucket: .*parley files migrate/,
      );
      const first = await runCli(['files', 'migrate'], { env });
      expect(first.stderr).toBe('');
      expect(first.stdout).toMatch(
        /^done: 3 copied \([\d.]+ MB\), 0 already in the bucket, 0 not copied; 3 files on disk$/m,
      );
      expect(first.stdout).toMatch(/Every file is in the bucket/);
      expect(first.code).toBe(0);
      expect(s3.objects('blobs').sort()).toEqual(diskBlobs(data.dir).sort());
      const picSha = sha256(pic);
      expect(s3.objects('derived')).toEqual([`derived/${picSha.slice(0, 2)}/${picSha}.t160.webp`]);
      expect((await runCli(['doctor'], { env: doctorEnv })).stdout).not.toMatch(
        /not in the bucket/,
      );

      // A file sent after the copy, while the server is still on disk; then it stops.
      const late = Buffer.from(`came later ${randomBytes(4).toString('hex')}\n`);
      const lateFile = await a.c.files.upload({ to: b.name }, 'late.txt', late);
      await a.c.sendMessage(b.name, '', 'mig2', undefined, [lateFile.id]);
      await node.stop();
      const second = await runCli(['files', 'migrate'], { env });
      expect(second.stdout).toMatch(
        /^done: 1 copied \([\d.]+ MB\), 3 already in the bucket, 0 not copied; 4 files on disk$/m,
      );
      expect(second.code).toBe(0);

      // The disk copies moved away: whatever is served now comes from the bucket.
      for (const dir of ['blobs', 'derived'])
        renameSync(join(data.dir, 'files', dir), join(data.dir, 'files', `${dir}.old`));
      node = await startNode({
        db: { ...db, dataDir: data.dir },
        config: { limits: LIMITS, files: s3.config },
      });
      const bc = node.client(b.c.token);
      expect((await bytesOf(await bc.files.fetch(files[0]!.id))).equals(pic)).toBe(true);
      expect((await bytesOf(await bc.files.fetch(files[1]!.id))).equals(big)).toBe(true);
      expect((await bytesOf(await bc.files.fetch(files[2]!.id))).equals(note)).toBe(true);
      expect((await bytesOf(await bc.files.fetch(lateFile.id))).equals(late)).toBe(true);
      // Capability links and the thumbnail, as an IRC user would open them.
      expect((await bytesOf(await fetch(node.url + files[1]!.link))).equals(big)).toBe(true);
      const again = await bytesOf(await fetch(`${node.url}${files[0]!.link}/thumb/160`));
      expect(again.equals(thumb)).toBe(true);
      // And a file uploaded now lands in the bucket.
      const fresh = Buffer.from(`straight to S3 ${randomBytes(4).toString('hex')}`);
      await node.client(a.c.token).files.upload({ to: b.name }, 'fresh.txt', fresh);
      expect(s3.objects('blobs')).toContain(`blobs/${sha256(fresh).slice(0, 2)}/${sha256(fresh)}`);
    });
  });

describe('parley files migrate, when things are not right', () => {
  let s3: LocalS3;
  const data = tempDir('parley-migrate-bad-');
  beforeAll(async () => {
    s3 = await startLocalS3();
  });
  afterAll(async () => {
    await s3?.stop();
    data.cleanup();
  });

  /** Writes `bytes` into the disk store under the name `sha` (its own hash, or not). */
  function blob(bytes: Buffer, sha = sha256(bytes)): string {
    const dir = join(data.dir, 'files', 'blobs', sha.slice(0, 2));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, sha), bytes);
    return sha;
  }

  it('a damaged file is named and not copied, strays are left alone, and a rerun is harmless', async () => {
    const good = blob(randomBytes(1000));
    const damaged = blob(Buffer.from('not the bytes this name promises'), sha256(randomBytes(8)));
    mkdirSync(join(data.dir, 'files', 'blobs', 'zz'), { recursive: true });
    writeFileSync(join(data.dir, 'files', 'blobs', 'zz', 'readme'), 'x');
    writeFileSync(join(data.dir, 'files', 'blobs', good.slice(0, 2), `${good}.tmp`), 'x');
    const env = s3Env(s3, data.dir);

    const r = await runCli(['files', 'migrate'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`not copied: ${damaged}: its bytes on disk do not match its name`);
    expect(r.stdout).toMatch(/left alone: 2 entries under blobs\/ .*zz/);
    expect(r.stdout).toMatch(
      /^done: 1 copied .*, 0 already in the bucket, 1 not copied; 2 files on disk$/m,
    );
    expect(r.stdout).not.toMatch(/Every file is in the bucket/);
    expect(s3.objects('blobs')).toContain(`blobs/${good.slice(0, 2)}/${good}`);
    expect(s3.objects('blobs')).not.toContain(`blobs/${damaged.slice(0, 2)}/${damaged}`);

    const again = await runCli(['files', 'migrate'], { env });
    expect(again.stdout).toMatch(
      /^done: 0 copied .*, 1 already in the bucket, 1 not copied; 2 files on disk$/m,
    );
    expect(again.code).toBe(1);
  });

  it('an unreachable bucket stops the copy with one message; run again, it goes on', async () => {
    const t = tempDir('parley-migrate-down-');
    try {
      const dir = join(t.dir, 'files', 'blobs');
      const bytes = randomBytes(500);
      const sha = sha256(bytes);
      mkdirSync(join(dir, sha.slice(0, 2)), { recursive: true });
      writeFileSync(join(dir, sha.slice(0, 2), sha), bytes);
      const env = s3Env(s3, t.dir);
      await s3.pause();
      let down;
      try {
        down = await runCli(['files', 'migrate'], { env });
      } finally {
        await s3.resume();
      }
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/the copy stopped at blob [0-9a-f]{64}: .*run it again/);
      expect(down.stdout).toMatch(/^stopped: 0 copied/m);
      const up = await runCli(['files', 'migrate'], { env });
      expect(up.stdout).toMatch(/^done: 1 copied/m);
      expect(up.code).toBe(0);
    } finally {
      t.cleanup();
    }
  });

  it('without a bucket configured, or with words it does not know, it says what to do', async () => {
    const none = await runCli(['files', 'migrate'], { env: { PARLEY_DATA_DIR: data.dir } });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/set its bucket, endpoint and keys first/);
    for (const argv of [['files'], ['files', 'move'], ['files', 'migrate', 'now']]) {
      const r = await runCli(argv, { env: { PARLEY_DATA_DIR: data.dir } });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/usage: parley files migrate/);
    }
    // Nothing on disk yet: nothing to copy, and that is fine.
    const empty = tempDir('parley-migrate-empty-');
    try {
      const r = await runCli(['files', 'migrate'], { env: s3Env(s3, empty.dir) });
      expect(r.stdout).toMatch(/^done: 0 copied .* 0 files on disk$/m);
      expect(r.code).toBe(0);
    } finally {
      empty.cleanup();
    }
  });
});
