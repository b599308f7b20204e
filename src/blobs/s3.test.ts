import { createHash, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/backends.js';
import { createS3BlobStore, PART_BYTES } from './s3.js';

/**
 * The S3 blob store against a stand-in server that misbehaves on purpose: what
 * it stores is checked before put resolves, and failures leave nothing behind.
 */
describe('S3 blob store, hostile answers', () => {
  const t = tempDir('parley-s3-unit-');
  const seen: string[] = [];
  let handle: (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => void;
  let server: http.Server;
  let url = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url}`);
        handle(req, Buffer.concat(parts), res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    t.cleanup();
  });
  const store = () =>
    createS3BlobStore({
      endpoint: url,
      region: 'us-east-1',
      bucket: 'b',
      accessKey: 'ak',
      secretKey: 'sk',
      pathStyle: true,
    });
  const local = (bytes: Buffer) => {
    const p = join(t.dir, randomBytes(4).toString('hex'));
    writeFileSync(p, bytes);
    return { path: p, sha: createHash('sha256').update(bytes).digest('hex') };
  };

  it('signs every request and sends the blob hash as the payload hash', async () => {
    const bytes = Buffer.from('hello');
    const f = local(bytes);
    let put: http.IncomingHttpHeaders | undefined;
    handle = (req, body, res) => {
      if (req.method === 'HEAD') return res.writeHead(404).end();
      if (req.method === 'PUT') {
        put = req.headers;
        expect(body.equals(bytes)).toBe(true);
        return res.writeHead(200, { etag: '"x"' }).end();
      }
      res.writeHead(200).end(bytes);
    };
    const s = store();
    await s.put(f.sha, f.path);
    s.close();
    expect(put?.['x-amz-content-sha256']).toBe(f.sha);
    expect(put?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ak\/\d{8}\/us-east-1\/s3\//);
    expect(existsSync(f.path)).toBe(false);
  });

  it('bytes read back that differ from what was sent: put fails and the object is deleted', async () => {
    const f = local(Buffer.from('the real bytes'));
    seen.length = 0;
    handle = (req, _body, res) => {
      if (req.method === 'HEAD') return res.writeHead(404).end();
      if (req.method === 'GET') return res.writeHead(200).end('other bytes!!!');
      res.writeHead(req.method === 'DELETE' ? 204 : 200).end();
    };
    const s = store();
    await expect(s.put(f.sha, f.path)).rejects.toMatchObject({ condition: 'unavailable' });
    s.close();
    expect(seen).toContain(`DELETE /b/blobs/${f.sha.slice(0, 2)}/${f.sha}`);
    // The local bytes stay: the upload can be finished once the store behaves.
    expect(existsSync(f.path)).toBe(true);
  });

  it('a multipart completion answered 200 with an error inside fails, and the upload is aborted', async () => {
    const f = local(randomBytes(PART_BYTES + 10));
    seen.length = 0;
    handle = (req, _body, res) => {
      if (req.method === 'HEAD') return res.writeHead(404).end();
      if (req.method === 'POST' && req.url!.includes('uploads='))
        return res.writeHead(200).end('<R><UploadId>u1</UploadId></R>');
      if (req.method === 'PUT') return res.writeHead(200, { etag: '"p"' }).end();
      if (req.method === 'POST')
        return res.writeHead(200).end('<Error><Code>InternalError</Code></Error>');
      res.writeHead(204).end();
    };
    const s = store();
    await expect(s.put(f.sha, f.path)).rejects.toThrow(/could not complete/);
    s.close();
    expect(seen.filter((l) => l.startsWith('PUT'))).toHaveLength(2);
    expect(seen.at(-1)).toBe(`DELETE /b/blobs/${f.sha.slice(0, 2)}/${f.sha}?uploadId=u1`);
  });

  it('an error is named by its S3 code; an endless error body is cut off', async () => {
    const f = local(Buffer.from('x'));
    handle = (_req, _body, res) =>
      res.writeHead(403).end('<Error><Code>AccessDenied</Code><Message>no</Message></Error>');
    let s = store();
    // (A HEAD has no body: the code comes from a GET.)
    await expect(s.has(f.sha)).rejects.toThrow(/HTTP403/);
    await expect(s.getDerived(f.sha, 't160.webp')).rejects.toThrow(/AccessDenied: no/);
    s.close();
    handle = (_req, _body, res) => {
      res.writeHead(400);
      res.end(Buffer.alloc(1024 * 1024, 65));
    };
    s = store();
    await expect(s.getDerived(f.sha, 't160.webp')).rejects.toThrow(/HTTP400/);
    // A derived file larger than any thumbnail is not read whole.
    handle = (_req, _body, res) => res.writeHead(200).end(Buffer.alloc(5 * 1024 * 1024));
    await expect(s.getDerived(f.sha, 't160.webp')).rejects.toThrow(/larger than expected/);
    s.close();
    expect(() => s.read('../../etc/passwd')).toThrow(/SHA-256/);
  });
});
