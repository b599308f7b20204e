import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFetcher } from './http-fetcher.js';

/**
 * The adapter connects to the address core vetted and nowhere else: a host
 * name that does not resolve at all (.invalid) still reaches the given
 * address, which shows no second lookup happens between the check and the
 * connection (DNS rebinding).
 */
describe('link preview HTTP fetcher', () => {
  let port = 0;
  let seen: IncomingHttpHeaders | undefined;
  const server = createServer((req, res) => {
    seen = req.headers;
    res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'a=b' });
    res.end('<title>pinned</title>'.padEnd(5000, ' '));
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('connects to the pinned address, sends the name as Host, and stops at maxBytes', async () => {
    const f = createHttpFetcher();
    const res = await f.get(
      {
        url: new URL(`http://rebind.invalid:${port}/page`),
        address: { address: '127.0.0.1', family: 4 },
        maxBytes: 1000,
        signal: AbortSignal.timeout(10_000),
      },
      () => true,
    );
    expect(res.status).toBe(200);
    expect(res.truncated).toBe(true);
    expect(res.body.length).toBe(1000);
    expect(res.body.toString()).toMatch(/^<title>pinned/);
    expect(seen?.host).toBe(`rebind.invalid:${port}`);
    expect(seen?.cookie).toBeUndefined();
    await expect(f.resolve('rebind.invalid', AbortSignal.timeout(10_000))).rejects.toThrow();
  });

  it('reads no body when the type is not wanted', async () => {
    const res = await createHttpFetcher().get(
      {
        url: new URL(`http://127.0.0.1:${port}/`),
        address: { address: '127.0.0.1', family: 4 },
        maxBytes: 100_000,
        signal: AbortSignal.timeout(10_000),
      },
      () => false,
    );
    expect(res.body.length).toBe(0);
    expect(res.contentType).toBe('text/html');
  });
});
