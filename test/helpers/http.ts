import { request as httpRequest } from 'node:http';
import { expect } from 'vitest';

/** The `error` object of a JSON error response. */
export interface WireError {
  condition: string;
  text: string;
  field?: string;
  retryAfter?: number;
}

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  body: unknown;
  text: string;
}

export interface RawOptions {
  /** Exactly the headers sent (with `contentLength`, after a content-length they may override). */
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Writes the body in 1000-byte pieces. */
  chunked?: boolean;
  /** Adds a content-length for the body; without one the server must count as it reads. */
  contentLength?: boolean;
  /** Uses a connection of its own, not one from the shared agent. */
  freshConnection?: boolean;
}

/**
 * A raw HTTP request to the server at `base`: the path and body go out byte for
 * byte, with the headers given and no others.
 */
export function raw(
  base: string,
  method: string,
  path: string,
  opts: RawOptions = {},
): Promise<Res> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          ...(opts.contentLength && opts.body !== undefined
            ? { 'content-length': String(Buffer.byteLength(opts.body)) }
            : {}),
          ...opts.headers,
        },
        ...(opts.freshConnection ? { agent: false } : {}),
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out: ${method} ${path}`)));
    req.on('error', reject);
    if (opts.body !== undefined) {
      if (opts.chunked) {
        const b = Buffer.from(opts.body);
        for (let i = 0; i < b.length; i += 1000) req.write(b.subarray(i, i + 1000));
      } else req.write(opts.body);
    }
    req.end();
  });
}

/** A JSON body (a string goes as it is) with its content type and `extra` headers. */
export const json = (body: unknown, extra: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...extra },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

function checkError(
  res: Res,
  status: number,
  condition: string,
  field: string | undefined,
  jsonType: boolean,
): WireError {
  expect(res.status, res.text).toBe(status);
  if (jsonType) expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  const err = (res.body as { error?: WireError } | undefined)?.error;
  expect(err, res.text).toBeDefined();
  expect(err!.condition, res.text).toBe(condition);
  expect(typeof err!.text).toBe('string');
  if (field !== undefined) expect(err!.field, res.text).toBe(field);
  return err!;
}

/** The response has this status and a JSON error with this condition (and field, when given). */
export function expectError(
  res: Res,
  status: number,
  condition: string,
  field?: string,
): WireError {
  return checkError(res, status, condition, field, false);
}

/** As expectError, and the response's content type says it is JSON. */
export function expectJsonError(
  res: Res,
  status: number,
  condition: string,
  field?: string,
): WireError {
  return checkError(res, status, condition, field, true);
}
