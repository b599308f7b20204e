import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/backends.js';
import { CLAMD, EICAR, startClamd } from '../helpers/clamd.js';
import { refusedWith, signUp, type Person } from '../helpers/people.js';
import { startNode, type TestNode } from '../helpers/server.js';

/**
 * Virus scanning (files.clamav): every upload goes through clamd before it is
 * stored. Runs a clamd of its own (test/helpers/clamd.ts); skipped, and says so,
 * where clamd is not installed (CI installs Debian's clamav-daemon).
 */

const blobs = (dataDir: string) => {
  const root = join(dataDir, 'files', 'blobs');
  try {
    return readdirSync(root).flatMap((d) => readdirSync(join(root, d)));
  } catch {
    return [];
  }
};

if (!CLAMD)
  console.warn('files-clamav: SKIPPED, clamd is not installed (apt-get install clamav-daemon)');

describe.skipIf(!CLAMD)(
  `uploads scanned by ClamAV${CLAMD ? '' : ' (SKIPPED: clamd is not installed)'}`,
  () => {
    let clamd: Awaited<ReturnType<typeof startClamd>>;
    const data = tempDir('parley-clam-');
    let node: TestNode;
    let a: Person, b: Person;
    beforeAll(async () => {
      clamd = await startClamd(CLAMD!);
      node = await startNode({
        db: { url: '', dataDir: data.dir },
        config: {
          limits: { requests_per_minute_per_address: 100_000 },
          files: { clamav_socket: clamd.socket },
        },
      });
      [a, b] = (await signUp(node, 2, 'clam')) as [Person, Person];
    });
    afterAll(async () => {
      await node?.stop();
      await clamd?.stop();
      data.cleanup();
    });

    it('a clean file is stored; an infected one is refused, never stored, and costs no quota', async () => {
      const ok = await a.c.files.upload({ to: b.name }, 'notes.txt', Buffer.from('all clean\n'));
      expect(ok.size).toBe(10);
      const before = { blobs: blobs(data.dir).length, quota: await a.c.files.quota() };
      await expect(a.c.files.upload({ to: b.name }, 'eicar.com', EICAR)).rejects.toMatchObject({
        condition: 'infected',
        status: 422,
        message: expect.stringMatching(/Parley\.Test\.EICAR/),
      });
      expect(blobs(data.dir)).toHaveLength(before.blobs);
      expect(await a.c.files.quota()).toEqual(before.quota);
    });

    it('with clamd gone, uploads are refused (fail closed) and nothing is stored', async () => {
      await clamd.stop();
      const before = blobs(data.dir).length;
      await expect(
        a.c.files.upload({ to: b.name }, 'later.txt', Buffer.from('unscanned')),
      ).rejects.toMatchObject({ condition: 'scanner-unavailable', status: 503 });
      expect(blobs(data.dir)).toHaveLength(before);
    });
  },
);

describe.skipIf(!CLAMD)(
  `ClamAV's StreamMaxLength${CLAMD ? '' : ' (SKIPPED: clamd is not installed)'}`,
  () => {
    // A small limit, so the real daemon's edge costs nothing to reach.
    const LIMIT = 64 * 1024;
    let clamd: Awaited<ReturnType<typeof startClamd>>;
    const data = [tempDir('parley-clamlim-'), tempDir('parley-clamlim2-')];
    const nodes: TestNode[] = [];
    beforeAll(async () => {
      clamd = await startClamd(CLAMD!, ['StreamMaxLength 64K']);
      for (const [i, maxBytes] of [LIMIT, 16 * LIMIT].entries())
        nodes.push(
          await startNode({
            db: { url: '', dataDir: data[i]!.dir },
            config: {
              limits: { requests_per_minute_per_address: 100_000 },
              files: { clamav_socket: clamd.socket, clamav_max_bytes: maxBytes },
            },
          }),
        );
    });
    afterAll(async () => {
      for (const n of nodes) await n.stop();
      await clamd?.stop();
      for (const d of data) d.cleanup();
    });

    it('max_bytes equal to it: a file of exactly that size is scanned, one byte more refused at once', async () => {
      const [a, b] = (await signUp(nodes[0]!, 2, 'clim')) as [Person, Person];
      const f = await a.c.files.upload({ to: b.name }, 'edge.bin', Buffer.alloc(LIMIT, 0x61));
      expect(f.size).toBe(LIMIT);
      await refusedWith(
        a.c.files.upload({ to: b.name }, 'over.bin', Buffer.alloc(LIMIT + 1, 0x61)),
        'too-large',
        /virus scanner/,
      );
    });

    it('max_bytes above it: clamd cuts the stream off, and the upload is refused, never stored', async () => {
      const [a, b] = (await signUp(nodes[1]!, 2, 'clim2')) as [Person, Person];
      const err = await a.c.files
        .upload({ to: b.name }, 'mid.bin', Buffer.alloc(4 * LIMIT, 0x62))
        .then(
          () => undefined,
          (e: unknown) => e as { condition?: string },
        );
      // clamd answers and closes mid-file: read, that is too-large; a write that broke
      // first is an outage. Either way nothing is stored (fail closed).
      expect(['too-large', 'scanner-unavailable']).toContain(err?.condition);
      expect(blobs(data[1]!.dir)).toHaveLength(0);
    });
  },
);

describe('uploads with a scanner configured that does not exist', () => {
  const data = tempDir('parley-clam0-');
  let node: TestNode;
  afterAll(async () => {
    await node?.stop();
    data.cleanup();
  });

  it('are refused with scanner-unavailable', async () => {
    node = await startNode({
      db: { url: '', dataDir: data.dir },
      config: { files: { clamav_socket: join(data.dir, 'no-such.sock') } },
    });
    const [a, b] = (await signUp(node, 2, 'clamx')) as [Person, Person];
    await refusedWith(
      a.c.files.upload({ to: b.name }, 'x.txt', Buffer.from('x')),
      'scanner-unavailable',
    );
    expect(blobs(data.dir)).toHaveLength(0);
  });
});
