import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { type BlobStore, DERIVED, type DerivedName } from '../core/files/blobs.js';
import { ParleyError } from '../core/errors.js';
import { createS3Client, type S3Client, type S3Options } from './s3-client.js';

const HEX64 = /^[0-9a-f]{64}$/;
/**
 * Blobs above this go up in parts of this size: memory holds one part at a time
 * whatever the file's size (S3 wants parts of at least 5 MiB but the last).
 */
export const PART_BYTES = 8 * 1024 * 1024;
/** Derived files are small (a 640 px WebP); anything bigger is not one of ours. */
const MAX_DERIVED_BYTES = 4 * 1024 * 1024;

const blobKey = (sha: string) => {
  // A hash is the only name a blob has: nothing else ever becomes a key.
  if (!HEX64.test(sha)) throw new Error('not a SHA-256 hex digest');
  return `blobs/${sha.slice(0, 2)}/${sha}`;
};
const derivedKey = (sha: string, name: DerivedName) => {
  if (!HEX64.test(sha) || !DERIVED.includes(name)) throw new Error('not a derived blob name');
  return `derived/${sha.slice(0, 2)}/${sha}.${name}`;
};

export interface S3BlobStore extends BlobStore {
  /**
   * Uploads a copy of a local file as blob `sha` (which the caller checked it is),
   * reads it back and checks its SHA-256; the local file stays (`parley files migrate`).
   */
  copyIn(sha: string, localPath: string): Promise<void>;
  /** The stored blob's size in bytes, or undefined when the bucket has none. */
  size(sha: string): Promise<number | undefined>;
  close(): void;
}

/**
 * Blobs in an S3-compatible bucket (`blobs/ab/<sha256>`), shared by every node.
 * An object appears whole or not at all (S3 PUT and multipart completion are
 * atomic); before `put` resolves the stored object is read back and its SHA-256
 * checked, so an acknowledged upload is durable and intact in the bucket.
 */
export function createS3BlobStore(o: S3Options, client: S3Client = createS3Client(o)): S3BlobStore {
  async function has(key: string): Promise<boolean> {
    return (await sizeOf(key)) !== undefined;
  }

  /** The stored object's size (HEAD), or undefined when there is none. */
  async function sizeOf(key: string): Promise<number | undefined> {
    const res = await client.send({ method: 'HEAD', key, accept: [404] });
    res.resume();
    if (res.statusCode === 404) return undefined;
    const n = Number(res.headers['content-length']);
    return Number.isSafeInteger(n) && n >= 0 ? n : -1;
  }

  /** Uploads a local file as `sha`'s blob and reads it back (the file stays). */
  async function upload(sha: string, localPath: string): Promise<void> {
    const key = blobKey(sha);
    const { size } = await stat(localPath);
    if (size <= PART_BYTES) await putSmall(key, localPath, size, sha);
    else await putMultipart(key, localPath, size);
    await verify(key, sha, size);
  }

  async function putSmall(key: string, path: string, size: number, sha: string) {
    // The whole blob's hash is the payload hash: S3 itself refuses other bytes.
    const res = await client.send({
      method: 'PUT',
      key,
      headers: { 'content-length': String(size), 'content-type': 'application/octet-stream' },
      body: () => createReadStream(path),
      payloadSha256: sha,
    });
    res.resume();
  }

  async function putMultipart(key: string, path: string, size: number) {
    const created = await client.send({ method: 'POST', key, query: { uploads: '' } });
    const xml = (await client.text(created)).toString('utf8');
    const uploadId = /<UploadId>([^<]{1,1024})<\/UploadId>/.exec(xml)?.[1];
    if (!uploadId) throw new Error('S3 gave no UploadId for a multipart upload');
    const fh = await open(path, 'r');
    const buf = Buffer.allocUnsafe(PART_BYTES);
    const etags: string[] = [];
    try {
      for (let offset = 0, n = 1; offset < size; offset += PART_BYTES, n++) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(PART_BYTES, size - offset), offset);
        const part = buf.subarray(0, bytesRead);
        const res = await client.send({
          method: 'PUT',
          key,
          query: { partNumber: String(n), uploadId },
          body: part,
          payloadSha256: createHash('sha256').update(part).digest('hex'),
        });
        res.resume();
        const etag = res.headers.etag;
        if (!etag) throw new Error(`S3 gave no ETag for part ${n}`);
        etags.push(etag);
      }
      const body = Buffer.from(
        `<CompleteMultipartUpload>${etags
          .map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`)
          .join('')}</CompleteMultipartUpload>`,
      );
      const done = await client.send({
        method: 'POST',
        key,
        query: { uploadId },
        headers: { 'content-type': 'application/xml' },
        body,
        payloadSha256: createHash('sha256').update(body).digest('hex'),
      });
      // S3 may answer 200 and still have failed: the error is in the body.
      const answer = (await client.text(done)).toString('utf8');
      if (answer.includes('<Error>'))
        throw new Error(`S3 could not complete the upload: ${answer.slice(0, 200)}`);
    } catch (err) {
      await client
        .send({ method: 'DELETE', key, query: { uploadId } })
        .then((r) => r.resume())
        .catch(() => {});
      throw err;
    } finally {
      await fh.close();
    }
  }

  /** Reads the stored object back: the right size and hash, or it is removed and put fails. */
  async function verify(key: string, sha: string, size: number) {
    const res = await client.send({ method: 'GET', key });
    const hash = createHash('sha256');
    let got = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      hash.update(chunk);
      got += chunk.length;
    }
    if (got !== size || hash.digest('hex') !== sha) {
      await client.send({ method: 'DELETE', key }).then((r) => r.resume());
      throw new ParleyError(
        'unavailable',
        'the file store kept different bytes than were sent; try the upload again',
      );
    }
  }

  return {
    async put(sha, localPath) {
      if (!(await has(blobKey(sha)))) await upload(sha, localPath);
      await rm(localPath, { force: true });
    },

    copyIn: upload,
    size: (sha) => sizeOf(blobKey(sha)),

    read(sha, range) {
      const out = new PassThrough();
      const key = blobKey(sha);
      client
        .send({
          method: 'GET',
          key,
          ...(range ? { headers: { range: `bytes=${range.start}-${range.end}` } } : {}),
        })
        .then(
          (res) => {
            // The reader went away: stop fetching.
            out.on('close', () => res.destroy());
            res.on('error', (err) => out.destroy(err));
            res.pipe(out);
          },
          (err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))),
        );
      return out as Readable;
    },

    has: (sha) => has(blobKey(sha)),

    async remove(sha) {
      const keys = [blobKey(sha), ...DERIVED.map((n) => derivedKey(sha, n))];
      // DELETE of a missing key succeeds: removing twice is harmless.
      await Promise.all(
        keys.map((key) => client.send({ method: 'DELETE', key }).then((r) => r.resume())),
      );
    },

    async getDerived(sha, name) {
      const res = await client.send({ method: 'GET', key: derivedKey(sha, name), accept: [404] });
      if (res.statusCode === 404) {
        res.resume();
        return undefined;
      }
      return client.text(res, MAX_DERIVED_BYTES);
    },

    async putDerived(sha, name, bytes) {
      const res = await client.send({
        method: 'PUT',
        key: derivedKey(sha, name),
        headers: { 'content-type': 'image/webp' },
        body: bytes,
        payloadSha256: createHash('sha256').update(bytes).digest('hex'),
      });
      res.resume();
    },

    close: () => client.close(),
  };
}

/**
 * Whether the bucket answers with these credentials (for `parley doctor`): a GET of
 * a key that is never written, which S3 answers NoSuchKey when all is well.
 */
export async function probeBucket(o: S3Options): Promise<string | null> {
  const client = createS3Client(o);
  try {
    const res = await client.send({ method: 'GET', key: 'parley-doctor-probe', accept: [404] });
    const body = (await client.text(res)).toString('utf8');
    if (res.statusCode === 404 && /NoSuchBucket/.test(body)) return `no bucket "${o.bucket}"`;
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    client.close();
  }
}
