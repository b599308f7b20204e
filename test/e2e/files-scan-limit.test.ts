import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/backends.js';
import { refusedWith, signUp, type Person } from '../helpers/people.js';
import { type Sections, startNode, type TestNode } from '../helpers/server.js';

/**
 * Files bigger than the virus scanner reads (`[files.clamav] max_bytes`, clamd's
 * StreamMaxLength): refused as too-large by default, naming the limit, before a
 * byte is sent; stored unscanned only when `larger_files = "store-unscanned"`;
 * and a clamd whose real limit is lower than configured is a clear too-large,
 * not a scanner outage. The daemon is a stand-in on TCP that speaks INSTREAM and
 * refuses a stream over its limit as clamd does (the real clamd is in
 * files-clamav.test.ts).
 */

const KiB = 1024;
const LIMIT = 64 * KiB;

interface FakeClamd {
  port: number;
  /** Sizes of the streams it read to the end (scanned), in order. */
  scanned: number[];
  /** Streams it cut off at its limit. */
  refused: number;
  close(): void;
}

/**
 * zINSTREAM\0, then <u32 length><bytes> chunks, then a zero length. Over `limit`
 * bytes it answers "INSTREAM size limit exceeded. ERROR" and closes its side (it
 * keeps draining, so the answer is read whatever the timing). Bytes containing
 * "EICAR" are FOUND.
 */
async function startFakeClamd(limit: number): Promise<FakeClamd> {
  const state = { scanned: [] as number[], refused: 0 };
  const server: Server = createServer((sock: Socket) => {
    let buf = Buffer.alloc(0);
    let started = false;
    let total = 0;
    let done = false;
    let eicar = false;
    sock.on('error', () => {});
    sock.on('data', (d: Buffer) => {
      if (done) return;
      buf = Buffer.concat([buf, d]);
      if (!started) {
        if (buf.length < 10) return;
        if (buf.subarray(0, 10).toString('latin1') !== 'zINSTREAM\0') {
          done = true;
          return void sock.end('UNKNOWN COMMAND\0');
        }
        buf = buf.subarray(10);
        started = true;
      }
      while (buf.length >= 4) {
        const n = buf.readUInt32BE(0);
        if (n === 0) {
          done = true;
          state.scanned.push(total);
          return void sock.end(eicar ? 'stream: Fake.EICAR FOUND\0' : 'stream: OK\0');
        }
        if (total + n > limit) {
          done = true;
          state.refused++;
          return void sock.end('INSTREAM size limit exceeded. ERROR\0');
        }
        if (buf.length < 4 + n) return;
        if (buf.subarray(4, 4 + n).includes('EICAR')) eicar = true;
        total += n;
        buf = buf.subarray(4 + n);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get scanned() {
      return state.scanned;
    },
    get refused() {
      return state.refused;
    },
    close: () => server.close(),
  };
}

const blobs = (dataDir: string) => {
  const root = join(dataDir, 'files', 'blobs');
  try {
    return readdirSync(root).flatMap((d) => readdirSync(join(root, d)));
  } catch {
    return [];
  }
};

describe('files larger than the virus scanner reads', () => {
  let clamd: FakeClamd;
  const dirs: ReturnType<typeof tempDir>[] = [];
  const nodes: TestNode[] = [];

  async function node(
    files: NonNullable<Sections['files']>,
  ): Promise<{ dir: string; a: Person; b: Person }> {
    const t = tempDir('parley-scanlimit-');
    dirs.push(t);
    const n = await startNode({
      db: { url: '', dataDir: t.dir },
      config: {
        limits: { requests_per_minute_per_address: 100_000 },
        files: { clamav_host: '127.0.0.1', clamav_port: clamd.port, ...files },
      },
    });
    nodes.push(n);
    const [a, b] = (await signUp(n, 2, 'scan')) as [Person, Person];
    return { dir: t.dir, a, b };
  }

  beforeAll(async () => {
    clamd = await startFakeClamd(LIMIT);
  });
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    clamd?.close();
    for (const d of dirs) d.cleanup();
  });

  it('by default a file over max_bytes is refused at once as too-large, naming the limit', async () => {
    const { dir, a, b } = await node({ clamav_max_bytes: LIMIT });
    // The largest file the server takes is the scanner's: clients can say so before uploading.
    expect((await a.c.files.quota()).maxFileBytes).toBe(LIMIT);
    const exact = await a.c.files.upload({ to: b.name }, 'exact.bin', randomBytes(LIMIT));
    expect(exact.size).toBe(LIMIT);
    expect(clamd.scanned.at(-1)).toBe(LIMIT);

    const streams = clamd.scanned.length + clamd.refused;
    const before = blobs(dir).length;
    let started = false;
    await refusedWith(
      a.c.files.upload({ to: b.name }, 'big.bin', randomBytes(LIMIT + 1), {
        onStarted: () => (started = true),
      }),
      'too-large',
      new RegExp(`at most ${LIMIT} bytes.*virus scanner`),
    );
    // Refused when the upload was declared: no upload made, nothing streamed or stored.
    expect(started).toBe(false);
    expect(clamd.scanned.length + clamd.refused).toBe(streams);
    expect(blobs(dir)).toHaveLength(before);
    // A 10 GB claim is refused the same way, by max_file_bytes first.
    await refusedWith(
      a.c.files.upload({ to: b.name }, 'huge.bin', { size: 10 * 1024 ** 3 } as unknown as Blob),
      'too-large',
    );
  });

  it('with larger_files = "store-unscanned" a bigger file is stored unscanned; smaller ones are still scanned', async () => {
    const { a, b } = await node({
      clamav_max_bytes: LIMIT,
      clamav_larger_files: 'store-unscanned',
    });
    expect((await a.c.files.quota()).maxFileBytes).toBe(104857600);
    const streams = clamd.scanned.length + clamd.refused;
    const bytes = randomBytes(LIMIT + 5000);
    const f = await a.c.files.upload({ to: b.name }, 'big.bin', bytes);
    expect(clamd.scanned.length + clamd.refused).toBe(streams);
    await a.c.sendMessage(b.name, '', 'unscanned-1', undefined, [f.id]);
    const got = Buffer.from(await (await b.c.files.fetch(f.id)).arrayBuffer());
    expect(got.equals(bytes)).toBe(true);
    // Below the limit the scanner still decides.
    await refusedWith(
      a.c.files.upload({ to: b.name }, 'eicar.txt', Buffer.from('an EICAR test, small')),
      'infected',
    );
  });

  it('a clamd whose own limit is lower than max_bytes says so: too-large, not an outage, nothing stored', async () => {
    // Configured above what the daemon reads (its StreamMaxLength was not raised).
    const { dir, a, b } = await node({ clamav_max_bytes: 4 * LIMIT });
    const refused = clamd.refused;
    const before = blobs(dir).length;
    await refusedWith(
      a.c.files.upload({ to: b.name }, 'mid.bin', randomBytes(2 * LIMIT)),
      'too-large',
      /virus scanner reads no file this big/,
    );
    expect(clamd.refused).toBe(refused + 1);
    expect(blobs(dir)).toHaveLength(before);
    // Quota is not taken by the refused upload.
    expect((await a.c.files.quota()).used).toBe(0);
  });
});
