/**
 * File throughput of one node (docs/benchmarks.md, "Files"): upload and download
 * MB/s and server CPU per GB for 1 MB and 100 MB files, on the local disk and on
 * the S3 driver (against a local s3rver), and thumbnails per server CPU-second.
 * The server runs in its own process (bench/server.ts), so its CPU and RSS are
 * its own; the client and s3rver run here.
 *
 *   node --import tsx bench/files/run.ts [--storage disk,s3] [--small 100] [--big 3]
 *
 * Every request loop is bounded by the counts given; it stops by itself.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { ParleyClient } from '../../src/sdk/client.js';
import { startLocalS3 } from '../../test/helpers/s3.js';
import type { ServerStats } from '../server.js';

const { values: args } = parseArgs({
  options: {
    storage: { type: 'string', default: 'disk,s3' },
    small: { type: 'string', default: '100' },
    big: { type: 'string', default: '3' },
    downloads: { type: 'string', default: '3' },
    thumbs: { type: 'string', default: '20' },
  },
});
const MB = 1024 * 1024;

interface Server {
  url: string;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

async function startServer(files: Record<string, unknown>, dir: string): Promise<Server> {
  const config = {
    server: { host: '127.0.0.1', port: 0 },
    data: { dir },
    log: { level: 'warn' },
    registration: { accounts_per_address_per_hour: 1_000_000 },
    limits: { requests_per_minute_per_address: 1_000_000 },
    irc: { port: 0, tls_port: -1 },
    xmpp: { port: 0, tls_port: -1 },
    files: {
      max_file_bytes: 200 * MB,
      user_quota_bytes: 1024 * 1024 * MB,
      uploads_per_minute: 100_000,
      ...files,
    },
  };
  const child = fork(new URL('../server.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PARLEY_BENCH_SERVER: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (m: { type?: string; port?: number }) => {
      if (m.type === 'ready') resolve(m.port!);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () =>
      new Promise((resolve) => {
        const on = (m: ServerStats & { type?: string }) => {
          if (m.type !== 'stats') return;
          child.off('message', on);
          resolve(m);
        };
        child.on('message', on);
        child.send({ type: 'stats' });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

const cpuSeconds = (a: ServerStats, b: ServerStats) =>
  (b.cpuUserUs + b.cpuSystemUs - a.cpuUserUs - a.cpuSystemUs) / 1e6;

async function upload(url: string, token: string, to: string, bytes: Buffer): Promise<string> {
  const auth = { authorization: `Bearer ${token}` };
  const begun = await fetch(`${url}/api/v1/uploads`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench.bin', size: bytes.length, to }),
  });
  const { upload: u } = (await begun.json()) as { upload: { id: string } };
  const res = await fetch(`${url}/api/v1/uploads/${u.id}`, {
    method: 'PATCH',
    headers: {
      ...auth,
      'content-type': 'application/offset+octet-stream',
      'upload-offset': '0',
    },
    body: new Blob([new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length)]),
  });
  const body = (await res.json()) as { file?: { id: string }; error?: unknown };
  if (!body.file) throw new Error(`upload failed: ${JSON.stringify(body)}`);
  return body.file.id;
}

/** Reads a file over plain node:http (lighter than fetch, so the client is not the limit). */
function download(url: string, token: string, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${url}/api/v1/files/${id}`,
      { headers: { authorization: `Bearer ${token}` }, agent },
      (res) => {
        let n = 0;
        res.on('data', (chunk: Buffer) => (n += chunk.length));
        res.on('end', () => resolve(n));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}
const agent = new http.Agent({ keepAlive: true });

const fmt = (n: number, d = 0) => n.toFixed(d);

async function run(storage: string) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-files-'));
  const s3 = storage === 's3' ? await startLocalS3() : undefined;
  const server = await startServer(s3?.config ?? {}, dir);
  try {
    const c = new ParleyClient({ baseUrl: server.url });
    const me = await c.register(`bench${randomBytes(3).toString('hex')}`, 'password123');
    const other = new ParleyClient({ baseUrl: server.url });
    const them = await other.register(`peer${randomBytes(3).toString('hex')}`, 'password123');
    const token = me.token;
    const rows: string[] = [];
    const rssBase = (await server.stats()).rss;
    for (const [size, count] of [
      [1 * MB, Number(args.small)],
      [100 * MB, Number(args.big)],
    ] as const) {
      const payload = randomBytes(size);
      let ids: string[] = [];
      let maxRss = 0;
      const s0 = await server.stats();
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        // Distinct bytes each time, so nothing is deduplicated.
        payload.writeUInt32BE(i, 0);
        payload.writeUInt32BE(Date.now() % 2 ** 32, 4);
        ids.push(await upload(server.url, token, them.user.username, payload));
        maxRss = Math.max(maxRss, (await server.stats()).rss);
      }
      const upWall = (performance.now() - t0) / 1000;
      const s1 = await server.stats();
      const reps = size === MB ? Math.max(1, Number(args.downloads)) * 10 : Number(args.downloads);
      ids = ids.slice(0, Math.min(ids.length, reps));
      // Warm: the first read brings the file into the page cache (or s3rver's).
      await download(server.url, token, ids[0]!);
      const s2 = await server.stats();
      const t1 = performance.now();
      let bytes = 0;
      for (let i = 0; i < reps; i++)
        bytes += await download(server.url, token, ids[i % ids.length]!);
      const downWall = (performance.now() - t1) / 1000;
      const s3stats = await server.stats();
      maxRss = Math.max(maxRss, s3stats.rss);
      const upGB = (size * count) / (1024 * MB);
      const downGB = bytes / (1024 * MB);
      rows.push(
        `| ${storage} | ${size / MB} MB | ${count} | ${fmt((size * count) / MB / upWall)} | ${fmt(cpuSeconds(s0, s1) / upGB, 1)} | ${fmt(bytes / MB / downWall)} | ${fmt(cpuSeconds(s2, s3stats) / downGB, 1)} | ${fmt(rssBase / MB)} → ${fmt(maxRss / MB)} |`,
      );
    }
    // Thumbnails: distinct 2000x1500 photos (noise, so JPEG decoding does real work).
    const n = Number(args.thumbs);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const jpeg = await sharp({
        create: {
          width: 2000,
          height: 1500,
          channels: 3,
          background: { r: i * 10, g: 100, b: 200 },
          noise: { type: 'gaussian', mean: 128, sigma: 30 },
        },
      })
        .jpeg({ quality: 85 })
        .toBuffer();
      ids.push(await upload(server.url, token, them.user.username, jpeg));
    }
    const t0 = await server.stats();
    const w0 = performance.now();
    for (const id of ids) {
      const res = await fetch(`${server.url}/api/v1/files/${id}/thumb/320`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200) throw new Error(`thumbnail ${res.status}`);
      await res.arrayBuffer();
    }
    const wall = (performance.now() - w0) / 1000;
    const t1 = await server.stats();
    const thumbs = `${storage}: ${n} thumbnails (2000x1500 JPEG -> 320 px WebP): ${fmt(n / cpuSeconds(t0, t1), 1)} per server CPU-second, ${fmt(n / wall, 1)}/s wall`;
    return { rows, thumbs };
  } finally {
    await server.stop();
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const header =
  '| storage | file | uploads | upload MB/s | upload CPU s/GB | download MB/s | download CPU s/GB | server RSS MB (start → peak) |\n| --- | --- | --- | --- | --- | --- | --- | --- |';
const out: string[] = [header];
const thumbs: string[] = [];
for (const storage of args.storage!.split(',')) {
  const r = await run(storage.trim());
  out.push(...r.rows);
  thumbs.push(r.thumbs);
  console.error(r.rows.join('\n'));
}
console.log(out.join('\n'));
console.log(thumbs.join('\n'));
