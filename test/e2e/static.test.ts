import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import { HTTP_STATUS } from '../../src/doors/native/errors.js';
import { registerHome } from '../../src/doors/http/home.js';
import { storeBackends, tempDir } from '../helpers/backends.js';
import { raw } from '../helpers/http.js';
import { startSingle } from '../helpers/server.js';

/** Paths that try to climb out of the web root, percent-encoded or not, or smuggle a NUL. */
const HOSTILE = [
  '/../package.json',
  '/../../etc/passwd',
  '/assets/../../package.json',
  '/assets/../secret.txt',
  '/assets/%2e%2e/secret.txt',
  '/assets/%2E%2E/%2E%2E/package.json',
  '/assets/%2e%2e%2fsecret.txt',
  '/assets/..%2f..%2fsecret.txt',
  '/assets/..%5csecret.txt',
  '/%2e%2e/secret.txt',
  '/%2e%2e%2fsecret.txt',
  '/assets/%252e%252e/secret.txt',
  '/assets//etc/passwd',
  '/assets/.hidden.js',
  '/.env',
  '/assets/app.js%00.png',
  '/index.html%00',
  '/assets/%00',
  '/assets/',
  '/assets',
];

describe('static files of the web client', () => {
  const tmp = tempDir('parley-static-');
  const root = join(tmp.dir, 'dist');
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(tmp.dir, 'secret.txt'), 'TOP SECRET');
    writeFileSync(join(tmp.dir, 'package.json'), '{"secret":"TOP SECRET"}');
    writeFileSync(
      join(root, 'index.html'),
      '<!doctype html><title>Parley</title><script type="module" src="/assets/app-abc123.js"></script>',
    );
    writeFileSync(join(root, 'assets', 'app-abc123.js'), 'console.log("hi")');
    writeFileSync(join(root, 'assets', 'app-abc123.css'), 'body{}');
    writeFileSync(join(root, 'assets', '.hidden.js'), 'TOP SECRET');
    writeFileSync(join(root, 'assets', 'blob.bin'), 'TOP SECRET');
    writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    app = Fastify();
    // The same mapping the real server does (its own handler is tested below).
    app.setErrorHandler((err, _req, reply) => {
      reply
        .code(isParleyError(err) ? HTTP_STATUS[err.condition] : 500)
        .send({ error: String(err) });
    });
    registerHome(app, { webRoot: root });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address() as { port: number };
    base = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(async () => {
    await app.close();
    tmp.cleanup();
  });

  it('serves index.html at / with a strict CSP and no caching', async () => {
    const res = await raw(base, 'GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(res.text).toContain('/assets/app-abc123.js');
  });

  it("serves the page itself at the client's addresses (a reload or a link opens the chat)", async () => {
    for (const path of ['/chat/bob', '/chat/b%C3%A9a', '/room/general', '/rooms', '/p/settings']) {
      const res = await raw(base, 'GET', path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toBe('text/html; charset=utf-8');
      expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
      expect(res.text, path).toContain('/assets/app-abc123.js');
    }
    // Only those shapes: deeper paths and climbing out are not the page.
    for (const path of [
      '/chat/bob/x',
      '/room/a/../../package.json',
      '/p/settings/..%2f..%2fsecret.txt',
    ]) {
      const res = await raw(base, 'GET', path);
      expect([400, 404], `${path} -> ${res.status}`).toContain(res.status);
      expect(res.text, path).not.toContain('TOP SECRET');
    }
  });

  it('serves hashed assets with their content type and a long cache', async () => {
    const js = await raw(base, 'GET', '/assets/app-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.text).toBe('console.log("hi")');
    const css = await raw(base, 'GET', '/assets/app-abc123.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await raw(base, 'GET', '/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
    const head = await raw(base, 'HEAD', '/assets/app-abc123.js');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('refuses traversal, NUL bytes, hidden files and unknown types', async () => {
    for (const path of [...HOSTILE, '/assets/blob.bin', '/assets/missing-123.js']) {
      const res = await raw(base, 'GET', path);
      expect([400, 404], `${path} -> ${res.status}`).toContain(res.status);
      expect(res.text, path).not.toContain('TOP SECRET');
    }
    expect((await raw(base, 'GET', '/assets/app.js%00.png')).status).toBe(400);
  });

  it('without a built client, / is the status page', async () => {
    const bare = Fastify();
    registerHome(bare, { webRoot: join(tmp.dir, 'nowhere') });
    const res = await bare.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Parley is running');
    expect((await bare.inject({ method: 'GET', url: '/assets/app.js' })).statusCode).toBe(404);
    await bare.close();
  });
});

describe('static files on the real server', () => {
  const backend = storeBackends()[0]!;
  let node: Awaited<ReturnType<typeof startSingle>>;
  beforeAll(async () => {
    node = await startSingle(backend);
  });
  afterAll(() => node.dispose());

  it('/ answers with HTML and /status is always the status page', async () => {
    const home = await raw(node.url, 'GET', '/');
    expect(home.status).toBe(200);
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    const status = await raw(node.url, 'GET', '/status');
    expect(status.status).toBe(200);
    expect(status.text).toContain('Parley is running');
  });

  it('hostile paths get 400 or 404 in the protocol error shape, never a file outside web/dist', async () => {
    for (const path of HOSTILE) {
      const res = await raw(node.url, 'GET', path);
      expect([400, 404], `${path} -> ${res.status}`).toContain(res.status);
      expect(res.text, path).not.toContain('"dependencies"');
      expect(res.text, path).not.toContain('root:');
      expect((res.body as { error?: { condition?: string } }).error?.condition, path).toMatch(
        /^(bad-request|not-found)$/,
      );
    }
    const nul = await raw(node.url, 'GET', '/assets/app.js%00.png');
    expect(nul.status).toBe(400);
  });

  it('unknown top-level paths still get the JSON 404', async () => {
    const res = await raw(node.url, 'GET', '/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { condition: 'not-found' } });
  });
});
