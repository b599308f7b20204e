import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/backends.js';
import { type LocalS3, S3_BUCKET, startLocalS3 } from '../../test/helpers/s3.js';
import { selfSignedCertificate } from '../doors/tls/self-signed.js';
import { createS3BlobStore } from './s3.js';
import { createS3Client, s3Address, type S3Options } from './s3-client.js';
import { sign } from './sigv4.js';

/**
 * Virtual-hosted-style addressing (`path_style = false`, the default): the bucket
 * goes in the host name, the Host header is signed as sent, and where that cannot
 * work (an IP address, localhost, a dotted bucket over TLS) path style is used.
 * Tested on the rule itself, against s3rver told to read buckets from the Host,
 * and against a TLS stand-in with a wildcard certificate that checks every
 * request's SigV4 signature itself (s3rver does not check SigV4).
 */

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every name resolves to 127.0.0.1; the names asked for are kept. */
function loopback(asked: string[]): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, cb: (...a: unknown[]) => void) => {
    asked.push(hostname);
    if (options?.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
    else cb(null, '127.0.0.1', 4);
  }) as unknown as LookupFunction;
}

const opts = (o: Partial<S3Options>): S3Options => ({
  endpoint: '',
  region: 'us-east-1',
  bucket: 'photos',
  accessKey: 'ak',
  secretKey: 'sk',
  pathStyle: false,
  ...o,
});

describe('S3 addressing: the rule', () => {
  const at = (o: Partial<S3Options>) => {
    const a = s3Address(opts(o));
    return { host: a.host, hostname: a.hostname, root: a.root, virtual: a.virtualHost };
  };

  it('puts the bucket in the host by default, and in the path when asked', () => {
    expect(at({ region: 'eu-west-1' })).toEqual({
      host: 'photos.s3.eu-west-1.amazonaws.com',
      hostname: 'photos.s3.eu-west-1.amazonaws.com',
      root: '',
      virtual: true,
    });
    expect(at({ region: 'eu-west-1', pathStyle: true })).toEqual({
      host: 's3.eu-west-1.amazonaws.com',
      hostname: 's3.eu-west-1.amazonaws.com',
      root: '/photos',
      virtual: false,
    });
    // A port stays in the Host header (signed as sent), not in the name connected to.
    expect(at({ endpoint: 'http://s3.test:9000' })).toMatchObject({
      host: 'photos.s3.test:9000',
      hostname: 'photos.s3.test',
    });
    // An endpoint with a path of its own: keys go under it.
    expect(at({ endpoint: 'https://gw.example.org/s3/' })).toMatchObject({
      host: 'photos.gw.example.org',
      root: '/s3',
    });
  });

  it('goes path style where a bucket in the host cannot work', () => {
    // A dotted bucket over TLS: *.s3.example.org does not cover my.photos.s3.example.org.
    expect(at({ endpoint: 'https://s3.example.org', bucket: 'my.photos' })).toMatchObject({
      host: 's3.example.org',
      root: '/my.photos',
      virtual: false,
    });
    // Without TLS no certificate is checked: the dots may stay in the host.
    expect(at({ endpoint: 'http://s3.example.org', bucket: 'my.photos' })).toMatchObject({
      host: 'my.photos.s3.example.org',
      virtual: true,
    });
    for (const endpoint of [
      'http://127.0.0.1:9000',
      'http://[::1]:9000',
      'https://10.0.0.5',
      'http://localhost:9000',
    ])
      expect(at({ endpoint }), endpoint).toMatchObject({ virtual: false, root: '/photos' });
  });
});

describe('S3 addressing: virtual-hosted against s3rver', () => {
  let s3: LocalS3;
  const t = tempDir('parley-s3vh-');
  beforeAll(async () => {
    // s3rver reads the bucket from <bucket>.s3.test.
    s3 = await startLocalS3({ serviceEndpoint: 'test', buckets: ['my.photos'] });
  });
  afterAll(async () => {
    await s3?.stop();
    t.cleanup();
  });

  for (const bucket of [S3_BUCKET, 'my.photos'])
    it(`stores, reads and removes blobs with the bucket in the host (${bucket})`, async () => {
      const asked: string[] = [];
      const o = opts({
        endpoint: `http://s3.test:${new URL(s3.url).port}`,
        bucket,
        accessKey: 'S3RVER',
        secretKey: 'S3RVER',
      });
      const store = createS3BlobStore(o, createS3Client(o, { lookup: loopback(asked) }));
      try {
        const bytes = randomBytes(3000);
        const path = join(t.dir, 'blob');
        writeFileSync(path, bytes);
        await store.put(sha(bytes), path);
        // s3rver found the bucket from the Host header alone.
        expect(s3.objects('blobs', bucket)).toEqual([
          `blobs/${sha(bytes).slice(0, 2)}/${sha(bytes)}`,
        ]);
        expect(asked).toContain(`${bucket}.s3.test`);
        const back: Buffer[] = [];
        for await (const c of store.read(sha(bytes), { start: 10, end: 19 }))
          back.push(c as Buffer);
        expect(Buffer.concat(back).equals(bytes.subarray(10, 20))).toBe(true);
        await store.remove(sha(bytes));
        expect(s3.objects('blobs', bucket)).toEqual([]);

        // Keys of any shape are encoded the same in the path sent and the path signed.
        const client = createS3Client(o, { lookup: loopback(asked) });
        try {
          const key = 'odd/a b/ü€ +&=?#%.txt';
          const body = Buffer.from('odd key');
          const put = await client.send({ method: 'PUT', key, body, payloadSha256: sha(body) });
          put.resume();
          const got = await client.text(await client.send({ method: 'GET', key }));
          expect(got.equals(body)).toBe(true);
        } finally {
          client.close();
        }
      } finally {
        store.close();
      }
    });
});

/**
 * An S3 stand-in over TLS, certified for s3.test and *.s3.test only, that keeps
 * objects in memory and refuses any request whose SigV4 signature does not match
 * what arrived (Host header and path as received).
 */
describe('S3 addressing over TLS, signatures checked', () => {
  const cert = selfSignedCertificate({ names: ['s3.test', '*.s3.test'], days: 1 });
  const objects = new Map<string, Buffer>();
  const seen: { host: string; path: string }[] = [];
  let server: https.Server;
  let port = 0;

  function verified(req: import('node:http').IncomingMessage, body: Buffer): string | null {
    const auth = req.headers.authorization ?? '';
    const m =
      /^AWS4-HMAC-SHA256 Credential=ak\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m) return 'no SigV4 authorization';
    const names = m[1]!.split(';');
    if (!names.includes('host')) return 'host is not signed';
    const u = new URL(req.url!, 'https://x');
    const d = String(req.headers['x-amz-date']);
    const date = new Date(
      `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`,
    );
    const payload = String(req.headers['x-amz-content-sha256']);
    if (body.length && payload !== sha(body)) return 'the payload hash is not the body’s';
    const headers = Object.fromEntries(
      names
        .filter((n) => n !== 'x-amz-date' && n !== 'x-amz-content-sha256')
        .map((n) => [n, String(req.headers[n])]),
    );
    const expected = sign(
      { accessKey: 'ak', secretKey: 'sk', region: 'us-east-1' },
      {
        method: req.method!,
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        headers,
        payloadSha256: payload,
        date,
      },
    ).authorization;
    return expected === auth ? null : 'SignatureDoesNotMatch';
  }

  beforeAll(async () => {
    server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const body = Buffer.concat(parts);
        const path = new URL(req.url!, 'https://x').pathname;
        seen.push({ host: String(req.headers.host), path });
        const why = verified(req, body);
        if (why)
          return res
            .writeHead(403)
            .end(`<Error><Code>SignatureDoesNotMatch</Code><Message>${why}</Message></Error>`);
        const key = `${req.headers.host} ${path}`;
        if (req.method === 'PUT') {
          objects.set(key, body);
          return res.writeHead(200, { etag: '"e"' }).end();
        }
        if (req.method === 'DELETE') {
          objects.delete(key);
          return res.writeHead(204).end();
        }
        const o = objects.get(key);
        if (!o) return res.writeHead(404).end('<Error><Code>NoSuchKey</Code></Error>');
        res.writeHead(200, { 'content-length': o.length });
        res.end(req.method === 'HEAD' ? undefined : o);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.close();
  });

  const client = (bucket: string, asked: string[] = []) =>
    createS3Client(opts({ endpoint: `https://s3.test:${port}`, bucket }), {
      lookup: loopback(asked),
      ca: cert.cert,
    });

  it('a plain bucket goes in the host name, which the certificate covers and the signature names', async () => {
    const asked: string[] = [];
    const c = client('photos', asked);
    try {
      const key = 'blobs/ab/a b ü.txt';
      const body = Buffer.from('over TLS');
      seen.length = 0;
      (await c.send({ method: 'PUT', key, body, payloadSha256: sha(body) })).resume();
      expect((await c.text(await c.send({ method: 'GET', key }))).equals(body)).toBe(true);
      expect(seen).toEqual([
        { host: `photos.s3.test:${port}`, path: '/blobs/ab/a%20b%20%C3%BC.txt' },
        { host: `photos.s3.test:${port}`, path: '/blobs/ab/a%20b%20%C3%BC.txt' },
      ]);
      expect(asked).toEqual(expect.arrayContaining(['photos.s3.test']));
    } finally {
      c.close();
    }
  });

  it('a bucket with dots goes path style, where the certificate still holds', async () => {
    // What virtual-hosted style would meet: the wildcard covers one label only.
    const direct = await new Promise<string>((resolve) => {
      const req = https.request(
        {
          hostname: 'my.photos.s3.test',
          port,
          path: '/',
          ca: cert.cert,
          lookup: loopback([]),
        },
        (res) => {
          res.resume();
          resolve('answered');
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.end();
    });
    expect(direct).toBe('ERR_TLS_CERT_ALTNAME_INVALID');

    const o = opts({ endpoint: `https://s3.test:${port}`, bucket: 'my.photos' });
    const store = createS3BlobStore(o, client('my.photos'));
    const t = tempDir('parley-s3tls-');
    try {
      const bytes = randomBytes(2000);
      const path = join(t.dir, 'blob');
      writeFileSync(path, bytes);
      seen.length = 0;
      await store.put(sha(bytes), path);
      const key = `/my.photos/blobs/${sha(bytes).slice(0, 2)}/${sha(bytes)}`;
      expect(seen.map((s) => `${s.host} ${s.path}`)).toContain(`s3.test:${port} ${key}`);
      expect(seen.every((s) => s.host === `s3.test:${port}`)).toBe(true);
    } finally {
      store.close();
      t.cleanup();
    }
  });

  it('a request whose Host differs from the one signed is refused (the stand-in checks)', async () => {
    // Signed for one host, sent to another: what a wrong Host in the signature looks like.
    const body = Buffer.from('x');
    const date = new Date();
    const signed = sign(
      { accessKey: 'ak', secretKey: 'sk', region: 'us-east-1' },
      {
        method: 'PUT',
        path: '/k',
        headers: { host: `s3.test:${port}` },
        payloadSha256: sha(body),
        date,
      },
    );
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(
        {
          hostname: 'photos.s3.test',
          port,
          method: 'PUT',
          path: '/k',
          ca: cert.cert,
          lookup: loopback([]),
          headers: { ...signed, host: `photos.s3.test:${port}`, 'content-length': '1' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(403);
  });
});
