import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { ParleyError } from '../core/errors.js';
import { EMPTY_SHA256, sign, uriEncode } from './sigv4.js';

/** Where and as whom to reach an S3-compatible store (config `files.s3.*`). */
export interface S3Options {
  /** `https://s3.example.org` (or `http://127.0.0.1:9000`); empty: AWS's endpoint for `region`. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  /** `endpoint/bucket/key` instead of `bucket.endpoint/key` (MinIO and most self-hosted stores). */
  pathStyle: boolean;
}

/** The bucket `[files.s3]` names, as the driver takes it (main.ts and `parley doctor`). */
export function s3OptionsFrom(f: {
  s3_endpoint: string;
  s3_region: string;
  s3_bucket: string;
  s3_access_key: string;
  s3_secret_key: string;
  s3_path_style: boolean;
}): S3Options {
  return {
    endpoint: f.s3_endpoint,
    region: f.s3_region,
    bucket: f.s3_bucket,
    accessKey: f.s3_access_key,
    secretKey: f.s3_secret_key,
    pathStyle: f.s3_path_style,
  };
}

/** Where a bucket's requests go: the host to reach and name, and the path its keys are under. */
export interface S3Address {
  /** The endpoint (`https://s3.<region>.amazonaws.com` when none is set). */
  base: URL;
  /** The name to connect to (and the TLS server name). */
  hostname: string;
  /** The Host header: `hostname`, with the endpoint's port when it has one. */
  host: string;
  /** The path every key goes under: the endpoint's own path, then `/<bucket>` in path style. */
  root: string;
  /** Virtual-hosted style (`bucket.endpoint/key`) rather than path style (`endpoint/bucket/key`). */
  virtualHost: boolean;
}

/**
 * Virtual-hosted style (the default, `path_style = false`) puts the bucket in the
 * host name, so it needs a host name to put it in front of: an endpoint that is an
 * IP address or localhost gets path style. Over TLS a bucket with dots does too,
 * as the AWS SDKs do: a wildcard certificate (`*.s3.amazonaws.com`) covers one
 * label, so `my.bucket.s3.amazonaws.com` would fail the certificate check.
 */
export function s3Address(
  o: Pick<S3Options, 'endpoint' | 'region' | 'bucket' | 'pathStyle'>,
): S3Address {
  const base = new URL(o.endpoint || `https://s3.${o.region}.amazonaws.com`);
  const bare = base.hostname.replace(/^\[(.*)\]$/, '$1');
  const virtualHost =
    !o.pathStyle &&
    isIP(bare) === 0 &&
    bare !== 'localhost' &&
    !(base.protocol === 'https:' && o.bucket.includes('.'));
  const path = base.pathname.replace(/\/+$/, '');
  return virtualHost
    ? {
        base,
        hostname: `${o.bucket}.${base.hostname}`,
        host: `${o.bucket}.${base.host}`,
        root: path,
        virtualHost,
      }
    : {
        base,
        hostname: base.hostname,
        host: base.host,
        root: `${path}/${uriEncode(o.bucket, false)}`,
        virtualHost,
      };
}

/** How to reach the endpoint, beyond the config (tests: a resolver, a private CA). */
export interface S3Network {
  lookup?: LookupFunction;
  /** PEM certificates trusted instead of the system's. */
  ca?: string;
}

/** An answer S3 gave that we did not want, with its error code. */
export class S3Failure extends Error {
  override readonly name = 'S3Failure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

class StaleSocket extends Error {}

/** A connection stalled this long is given up (the request fails; nothing is acknowledged). */
const IDLE_TIMEOUT_MS = 60_000;
/** Error bodies are read to this size at most. */
const MAX_ERROR_BODY = 64 * 1024;

export interface S3Request {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  key: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A buffer, or a maker of a stream of exactly `headers['content-length']` bytes. */
  body?: Buffer | (() => Readable);
  /** The body's SHA-256 (hex): S3 refuses the request when the bytes differ. */
  payloadSha256?: string;
  /** Statuses that are answers, not failures (404 for a HEAD). */
  accept?: readonly number[];
}

export interface S3Client {
  /** Sends a signed request; resolves to the response, its body not yet read. */
  send(r: S3Request): Promise<IncomingMessage>;
  /** Reads a response body whole, refusing more than `limit` bytes. */
  text(res: IncomingMessage, limit?: number): Promise<Buffer>;
  close(): void;
}

const unreachable = (err: unknown) =>
  new ParleyError(
    'unavailable',
    `the file store cannot be reached (${err instanceof Error ? err.message.slice(0, 100) : 'error'}); try again later`,
  );

/**
 * A small S3 client of our own (SigV4 in sigv4.ts, Node's http): the AWS SDK is
 * many packages for the six calls the blob store makes. Bodies stream both ways.
 */
export function createS3Client(o: S3Options, net: S3Network = {}): S3Client {
  const { base, hostname, host, root } = s3Address(o);
  const lib = base.protocol === 'https:' ? https : http;
  const agent = new lib.Agent({ keepAlive: true, maxSockets: 32 });
  const creds = { accessKey: o.accessKey, secretKey: o.secretKey, region: o.region };

  async function text(res: IncomingMessage, limit = MAX_ERROR_BODY): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      got += chunk.length;
      if (got > limit) {
        res.destroy();
        throw new S3Failure(res.statusCode ?? 0, 'TooLarge', 'the answer is larger than expected');
      }
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  }

  async function failure(res: IncomingMessage): Promise<S3Failure> {
    const body = (await text(res).catch(() => Buffer.alloc(0))).toString('utf8');
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(body)?.[1] ?? `HTTP${res.statusCode}`;
    const msg = /<Message>([^<]{1,300})<\/Message>/.exec(body)?.[1] ?? '';
    return new S3Failure(res.statusCode ?? 0, code, `S3 ${code}${msg ? `: ${msg}` : ''}`);
  }

  /**
   * A kept-alive connection the server closed just as we reused it fails at once
   * with a reset: that request never reached S3, so it is sent once more (the
   * retry Node's http documentation recommends for `reusedSocket`).
   */
  async function send(r: S3Request): Promise<IncomingMessage> {
    try {
      return await attempt(r);
    } catch (err) {
      if (err instanceof StaleSocket) return attempt(r);
      throw err;
    }
  }

  function attempt(r: S3Request): Promise<IncomingMessage> {
    const path = `${root}/${uriEncode(r.key, true)}`;
    const query = r.query ?? {};
    const qs = Object.entries(query)
      .map(([k, v]) => `${uriEncode(k, false)}=${uriEncode(v, false)}`)
      .join('&');
    const headers: Record<string, string> = { host, ...(r.headers ?? {}) };
    if (Buffer.isBuffer(r.body)) headers['content-length'] = String(r.body.length);
    else if (!r.body && (r.method === 'PUT' || r.method === 'POST'))
      headers['content-length'] = '0';
    Object.assign(
      headers,
      sign(creds, {
        method: r.method,
        path,
        query,
        headers,
        payloadSha256: r.payloadSha256 ?? EMPTY_SHA256,
      }),
    );
    return new Promise((resolve, reject) => {
      const req = lib.request(
        {
          protocol: base.protocol,
          // The name as the URL has it, IPv6 brackets off.
          hostname: hostname.replace(/^\[(.*)\]$/, '$1'),
          port: base.port || undefined,
          ...(net.lookup ? { lookup: net.lookup } : {}),
          ...(net.ca ? { ca: net.ca } : {}),
          method: r.method,
          path: qs ? `${path}?${qs}` : path,
          headers,
          agent,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if ((status >= 200 && status < 300) || r.accept?.includes(status)) resolve(res);
          else void failure(res).then((f) => reject(status >= 500 ? unreachable(f) : f));
        },
      );
      req.setTimeout(IDLE_TIMEOUT_MS, () =>
        req.destroy(new Error('the file store stopped answering')),
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(
          req.reusedSocket && err.code === 'ECONNRESET' ? new StaleSocket() : unreachable(err),
        ),
      );
      if (!r.body) req.end();
      else if (Buffer.isBuffer(r.body)) req.end(r.body);
      else {
        const body = r.body();
        body.on('error', (err) => req.destroy(err));
        req.on('close', () => body.destroy());
        body.pipe(req);
      }
    });
  }

  return { send, text, close: () => agent.destroy() };
}
