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
