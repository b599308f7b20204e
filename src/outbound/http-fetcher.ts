import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type {
  FetchRequest,
  FetchResponse,
  PreviewFetcher,
  ResolvedAddress,
} from '../core/previews/fetcher.js';
import { VERSION } from '../version.js';

const USER_AGENT = `ParleyLinkPreview/${VERSION} (+https://github.com/parley; link previews for chat)`;

/** Rejects with the signal's reason when it aborts first (dns.lookup itself cannot be cancelled). */
function raced<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Link previews' view of the web through node:http(s): names resolved with the
 * system resolver, and each request connected to the one address core vetted
 * (the `lookup` hook answers it, so TLS still checks the certificate against the
 * host name). No agent (no pooled connection to reuse), no cookies, no auth.
 */
export function createHttpFetcher(): PreviewFetcher {
  return {
    async resolve(host, signal) {
      const v = isIP(host);
      if (v !== 0) return [{ address: host, family: v as 4 | 6 }];
      const all = await raced(lookup(host, { all: true, verbatim: true }), signal);
      return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    },
    get(req, wantBody) {
      return new Promise<FetchResponse>((resolve, reject) => {
        const pinned: ResolvedAddress = req.address;
        const pinnedLookup = ((_host, options, cb) => {
          if ((options as { all?: boolean }).all)
            (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
          else cb(null, pinned.address, pinned.family);
        }) as LookupFunction;
        const make = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
        const r = make(
          req.url,
          {
            method: 'GET',
            agent: false,
            lookup: pinnedLookup,
            signal: req.signal,
            headers: {
              'user-agent': USER_AGENT,
              accept: 'text/html,application/xhtml+xml;q=0.9',
              'accept-encoding': 'identity',
            },
          },
          (res) => onResponse(res, req, wantBody).then(resolve, reject),
        );
        r.on('error', reject);
        r.end();
      });
    },
  };
}

function onResponse(
  res: IncomingMessage,
  req: FetchRequest,
  wantBody: (contentType: string) => boolean,
): Promise<FetchResponse> {
  const status = res.statusCode ?? 0;
  const contentType = String(res.headers['content-type'] ?? '');
  const base = {
    status,
    contentType,
    ...(typeof res.headers.location === 'string' ? { location: res.headers.location } : {}),
  };
  const encoding = String(res.headers['content-encoding'] ?? 'identity').toLowerCase();
  // Only a 2xx HTML body in plain bytes is read; anything else is answered from its headers.
  if (status < 200 || status > 299 || !wantBody(contentType) || encoding !== 'identity') {
    res.destroy();
    return Promise.resolve({
      ...base,
      contentType: encoding === 'identity' ? contentType : 'application/octet-stream',
      body: Buffer.alloc(0),
      truncated: false,
    });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (truncated: boolean) => {
      if (done) return;
      done = true;
      res.destroy();
      resolve({ ...base, body: Buffer.concat(chunks).subarray(0, req.maxBytes), truncated });
    };
    res.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size > req.maxBytes) finish(true);
    });
    res.on('end', () => finish(false));
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      reject(err);
    };
    res.on('error', fail);
    // Cut off mid-body (the signal aborted, the peer hung up): no partial page.
    res.on('close', () => fail(new Error('the connection closed before the page ended')));
  });
}
