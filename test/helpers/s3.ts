import { readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
// s3rver ships no types; its constructor, run() and close() are all the tests use.
// @ts-expect-error -- untyped CommonJS module
import S3rver from 's3rver';
import { tempDir } from './backends.js';

export const S3_BUCKET = 'parley';

/** A local S3-speaking server (s3rver) on 127.0.0.1, port 0, storing under a temp dir. */
export interface LocalS3 {
  url: string;
  /** The [files] keys that point Parley at it. */
  config: Record<string, string | boolean>;
  /** Objects under a prefix of the bucket ("blobs", "derived"), by key. */
  objects(prefix: string, bucket?: string): string[];
  stop(): Promise<void>;
  /** Stops answering (the file store is down) without losing what it holds. */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

export async function startLocalS3(
  opts: {
    /**
     * Requests to `<bucket>.s3.<serviceEndpoint>` name their bucket in the host
     * (virtual-hosted style); s3rver's default is amazonaws.com.
     */
    serviceEndpoint?: string;
    /** More buckets than S3_BUCKET. */
    buckets?: readonly string[];
  } = {},
): Promise<LocalS3> {
  const t = tempDir('parley-s3-');
  let port = 0;
  const make = (): S3rverInstance =>
    new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory: t.dir,
      configureBuckets: [S3_BUCKET, ...(opts.buckets ?? [])].map((name) => ({ name })),
      ...(opts.serviceEndpoint ? { serviceEndpoint: opts.serviceEndpoint } : {}),
    }) as S3rverInstance;
  let server = make();
  port = (await server.run()).port;
  let running = true;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    config: {
      s3_endpoint: url,
      s3_bucket: S3_BUCKET,
      s3_access_key: 'S3RVER',
      s3_secret_key: 'S3RVER',
      s3_path_style: true,
    },
    objects(prefix, bucket = S3_BUCKET) {
      // s3rver keeps an object `k` as <dir>/<bucket>/k._S3rver_object.
      const out: string[] = [];
      const walk = (dir: string, key: string) => {
        let entries: string[];
        try {
          entries = readdirSync(dir);
        } catch {
          return;
        }
        for (const e of entries) {
          if (e.endsWith('._S3rver_object')) out.push(key + e.slice(0, -'._S3rver_object'.length));
          else if (!e.includes('._S3rver_')) walk(join(dir, e), `${key}${e}/`);
        }
      };
      walk(join(t.dir, bucket, prefix), `${prefix}/`);
      return out;
    },
    async pause() {
      if (running) await server.close();
      running = false;
    },
    async resume() {
      if (running) return;
      server = make();
      await server.run();
      running = true;
    },
    async stop() {
      if (running) await server.close();
      running = false;
      t.cleanup();
    },
  };
}
