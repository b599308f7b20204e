import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLocalBus, createLocalHub } from '../../src/bus/local.js';
import type { Bus } from '../../src/core/bus.js';
import {
  describeOn,
  dropSchema,
  freshSchema,
  NATS_URL,
  needs,
  PG_URL,
  tempDir,
} from '../helpers/backends.js';
import { refusedWith, signUp, type Person } from '../helpers/people.js';
import { type LocalS3, startLocalS3 } from '../helpers/s3.js';
import { startNode, type TestNode } from '../helpers/server.js';

/**
 * The S3 blob store beyond what the shared files suite (files.test.ts) checks on
 * it: big blobs in parts, thumbnails kept in the bucket, a store that is down,
 * and two nodes with data directories of their own sharing files through S3.
 */

const LIMITS = { requests_per_minute_per_address: 100_000 };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function get(node: TestNode, path: string, token?: string, range?: string) {
  const res = await fetch(node.url + path, {
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(range ? { range } : {}),
    },
  });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

/** Two nodes: each its own data directory, one database, one bus, one bucket. */
const SETUPS = [
  {
    name: 'sqlite + local hub',
    skip: needs(false, false),
    make() {
      const shared = tempDir('parley-s3db-');
      const hub = createLocalHub();
      const buses: Bus[] = [createLocalBus(hub), createLocalBus(hub)];
      return {
        db: { url: `sqlite:${join(shared.dir, 'parley.db')}` },
        bus: (n: 0 | 1) => ({ bus: buses[n]! }),
        async cleanup() {
          for (const b of buses) await b.close();
          shared.cleanup();
        },
      };
    },
  },
  {
    name: 'postgres + nats',
    skip: needs(true, true),
    make() {
      const schema = freshSchema();
      const prefix = `parleyt${randomBytes(6).toString('hex')}`;
      return {
        db: { url: PG_URL, pgSchema: schema },
        bus: () => ({ busUrl: NATS_URL, prefix }),
        cleanup: () => dropSchema(schema),
      };
    },
  },
];

for (const setup of SETUPS)
  describeOn(setup)(`files on S3, two nodes (${setup.name})`, () => {
    let s3: LocalS3;
    let env: ReturnType<(typeof setup)['make']>;
    const dirs = [tempDir('parley-n1-'), tempDir('parley-n2-')];
    let n1: TestNode, n2: TestNode;
    let a: Person, b: Person;

    const start = (n: 0 | 1) => {
      const bus = env.bus(n) as { bus?: Bus; busUrl?: string; prefix?: string };
      return startNode({
        db: { ...env.db, dataDir: dirs[n]!.dir },
        ...(bus.bus ? { bus: bus.bus } : { busUrl: bus.busUrl! }),
        nodeId: `node-${n + 1}`,
        config: {
          limits: LIMITS,
          files: s3.config,
          ...(bus.prefix ? { bus: { subject_prefix: bus.prefix } } : {}),
        },
      });
    };

    beforeAll(async () => {
      s3 = await startLocalS3();
      env = setup.make();
      n1 = await start(0);
      n2 = await start(1);
      [a] = (await signUp(n1, 1, 's3a')) as [Person];
      [b] = (await signUp(n2, 1, 's3b')) as [Person];
    });
    afterAll(async () => {
      await n1?.stop();
      await n2?.stop();
      await env?.cleanup();
      await s3?.stop();
      for (const d of dirs) d.cleanup();
    });

    it('a file uploaded on one node is read on the other, ranges across parts included, and goes on delete everywhere', async () => {
      // Over 8 MiB: it goes up in parts, each signed with its own hash.
      const bytes = randomBytes(9 * 1024 * 1024 + 123);
      const file = await a.c.files.upload({ to: b.name }, 'big.bin', bytes, {
        chunkBytes: 4 * 1024 * 1024,
      });
      expect(s3.objects('blobs')).toContain(`blobs/${sha256(bytes).slice(0, 2)}/${sha256(bytes)}`);
      const sent = await a.c.sendMessage(b.name, 'big', 's3big', undefined, [file.id]);

      const whole = await get(n2, file.url, b.c.token);
      expect(whole.res.status).toBe(200);
      expect(whole.body.equals(bytes)).toBe(true);
      const edge = 8 * 1024 * 1024;
      const part = await get(n2, file.link, undefined, `bytes=${edge - 5}-${edge + 4}`);
      expect(part.res.status).toBe(206);
      expect(part.body.equals(bytes.subarray(edge - 5, edge + 5))).toBe(true);

      // Deleted on the first node: gone from the bucket, so from the other node too.
      await a.c.deleteMessage(sent.message.id);
      await expect.poll(() => s3.objects('blobs').length).toBe(0);
      expect((await get(n1, file.url, a.c.token)).res.status).toBe(404);
      expect((await get(n2, file.link)).res.status).toBe(404);
    });

    it('the same bytes from two nodes are one object; thumbnails live in the bucket and go with it', async () => {
      const png = await sharp({
        create: { width: 800, height: 800, channels: 3, background: 'green' },
      })
        .png()
        .toBuffer();
      const f1 = await a.c.files.upload({ to: b.name }, 'one.png', png);
      const f2 = await b.c.files.upload({ to: a.name }, 'two.png', png);
      expect(s3.objects('blobs')).toHaveLength(1);
      const m1 = await a.c.sendMessage(b.name, '', 's3t1', undefined, [f1.id]);
      const m2 = await b.c.sendMessage(a.name, '', 's3t2', undefined, [f2.id]);
      const thumb = await get(n2, `${f1.link}/thumb/160`);
      expect(await sharp(thumb.body).metadata()).toMatchObject({ width: 160, height: 160 });
      const [blob] = s3.objects('blobs');
      const sha = blob!.split('/').pop()!;
      expect(s3.objects('derived')).toEqual([`derived/${sha.slice(0, 2)}/${sha}.t160.webp`]);
      // The other node serves the thumbnail the first one made.
      expect((await get(n1, `${f2.link}/thumb/160`)).body.equals(thumb.body)).toBe(true);

      await a.c.deleteMessage(m1.message.id);
      expect((await get(n2, f2.url, b.c.token)).res.status).toBe(200);
      expect(s3.objects('blobs')).toHaveLength(1);
      await b.c.deleteMessage(m2.message.id);
      await expect.poll(() => s3.objects('blobs').length + s3.objects('derived').length).toBe(0);
    });

    it('with the bucket unreachable an upload fails as unavailable, and resumes once it is back', async () => {
      const bytes = Buffer.from('written while the bucket was down');
      let id = '';
      await s3.pause();
      try {
        await refusedWith(
          a.c.files.upload({ to: b.name }, 'down.txt', bytes, {
            retries: 1,
            onStarted: (u) => (id = u),
          }),
          'unavailable',
        );
      } finally {
        await s3.resume();
      }
      // Every byte is still staged on the node: resuming stores it, nothing sent again.
      expect((await a.c.files.status(id)).offset).toBe(bytes.length);
      const file = await a.c.files.upload({ to: b.name }, 'down.txt', bytes, { resume: id });
      expect(file.size).toBe(bytes.length);
      await a.c.sendMessage(b.name, '', 's3down', undefined, [file.id]);
      expect((await get(n2, file.link)).body.equals(bytes)).toBe(true);
    });

    it('files survive both nodes restarting', async () => {
      const bytes = Buffer.from(`kept across restarts ${randomBytes(4).toString('hex')}\n`);
      const file = await a.c.files.upload({ to: b.name }, 'kept.txt', bytes);
      await a.c.sendMessage(b.name, '', 's3keep', undefined, [file.id]);
      await n1.stop();
      await n2.stop();
      n1 = await start(0);
      n2 = await start(1);
      const c = n2.client(b.c.token);
      expect((await get(n2, file.url, c.token)).body.equals(bytes)).toBe(true);
      a.c = n1.client(a.c.token);
      b.c = c;
    });
  });
