import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { refusedWith, signUp, type Person } from '../helpers/people.js';
import { startSingle } from '../helpers/server.js';

/**
 * Link previews end to end: a real server fetching pages from a local HTTP
 * server. The page server listens on 127.0.0.2, which the strict node allows
 * by `allow_addresses` (standing in for "a public host"), so a redirect from it
 * to 127.0.0.1 shows that every hop is vetted again.
 */

const PAGE_HOST = '127.0.0.2';
const big = 'x'.repeat(600 * 1024);

interface PageServer {
  server: Server;
  base: string;
  port: number;
  hits: Map<string, number>;
  lastHeaders?: IncomingHttpHeaders;
}

function html(res: import('node:http').ServerResponse, body: string, type = 'text/html') {
  res.writeHead(200, { 'content-type': type });
  res.end(body);
}

async function startPages(): Promise<PageServer> {
  const hits = new Map<string, number>();
  const pages: PageServer = { server: undefined as unknown as Server, base: '', port: 0, hits };
  pages.server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    pages.lastHeaders = req.headers;
    const redirect = (to: string) => {
      res.writeHead(302, { location: to });
      res.end();
    };
    switch (path) {
      case '/og':
        return html(
          res,
          `<!doctype html><html><head>
            <title>Fallback title</title>
            <meta property="og:title" content="Caf&eacute; &amp; &quot;Bar&quot; &#x1F600;">
            <meta content='A <b>bold</b> place &lt;script&gt;' property=og:description>
            <meta property="og:image" content="/img/cover.png">
            <meta property="og:site_name" content="Example">
            <script>document.write('<meta property="og:title" content="from script">')</script>
          </head><body>hello</body></html>`,
        );
      case '/og-https-image':
        return html(
          res,
          `<head><meta property="og:image" content="https://cdn.example.org/a.png"><title>T</title></head>`,
        );
      case '/title':
        return html(
          res,
          `<html><head><title>
            Plain &amp; simple
          </title><meta name="description" content="Just a page"></head></html>`,
          'application/xhtml+xml; charset=utf-8',
        );
      case '/r1':
        return redirect('/r2');
      case '/r2':
        return redirect(`http://${PAGE_HOST}:${pages.port}/r3`);
      case '/r3':
        return redirect('/og');
      case '/r4':
        return redirect('/r1');
      case '/big':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><head><title>never ends</title>');
        res.end(big);
        return;
      case '/big-body':
        return html(res, `<html><head><title>Long page</title></head><body>${big}</body></html>`);
      case '/slow':
        return; // never answers
      case '/json':
        return html(res, '{"title":"no"}', 'application/json');
      case '/to-loopback':
        return redirect(`http://127.0.0.1:${pages.port}/og`);
      case '/counted':
        return html(res, '<title>Counted</title>');
      default:
        res.writeHead(404);
        res.end();
    }
  });
  await new Promise<void>((r) => pages.server.listen(0, PAGE_HOST, r));
  pages.port = (pages.server.address() as AddressInfo).port;
  pages.base = `http://${PAGE_HOST}:${pages.port}`;
  return pages;
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`link previews (${backend.name})`, () => {
    let pages: PageServer;
    let open: Awaited<ReturnType<typeof startSingle>>;
    let strict: Awaited<ReturnType<typeof startSingle>>;
    let a: Person;
    let s: Person;

    beforeAll(async () => {
      pages = await startPages();
      open = await startSingle(backend, {
        previews: { allow_private: true, allow_any_port: true, timeout_ms: 3000 },
      });
      strict = await startSingle(backend, {
        previews: { allow_any_port: true, allow_addresses: [PAGE_HOST] },
      });
      a = (await signUp(open, 1, 'pv'))[0]!;
      s = (await signUp(strict, 1, 'pvs'))[0]!;
    });

    afterAll(async () => {
      await open?.dispose();
      await strict?.dispose();
      pages?.server.closeAllConnections();
      await new Promise((r) => pages?.server.close(r));
    });

    it('reads Open Graph tags as plain text, with no cookies or credentials sent', async () => {
      const p = await a.c.linkPreview(`${pages.base}/og#part`);
      expect(p).toEqual({
        url: `${pages.base}/og`,
        title: 'Café & "Bar" 😀',
        description: 'A bold place <script>',
        siteName: 'Example',
      });
      // The image was relative and http: not offered (only https images are).
      expect(pages.lastHeaders?.cookie).toBeUndefined();
      expect(pages.lastHeaders?.authorization).toBeUndefined();
      expect(pages.lastHeaders?.['user-agent']).toMatch(/^ParleyLinkPreview\//);
    });

    it('offers an https image and falls back to <title> and the meta description', async () => {
      expect((await a.c.linkPreview(`${pages.base}/og-https-image`)).image).toBe(
        'https://cdn.example.org/a.png',
      );
      expect(await a.c.linkPreview(`${pages.base}/title`)).toEqual({
        url: `${pages.base}/title`,
        title: 'Plain & simple',
        description: 'Just a page',
      });
    });

    it('follows up to three redirects, not four', async () => {
      const p = await a.c.linkPreview(`${pages.base}/r1`);
      expect(p.url).toBe(`${pages.base}/r1`);
      expect(p.siteName).toBe('Example');
      await refusedWith(a.c.linkPreview(`${pages.base}/r4`), 'unreachable', /redirects/);
    });

    it('refuses a page whose head is over the limit, reads a long page whose head fits', async () => {
      await refusedWith(a.c.linkPreview(`${pages.base}/big`), 'too-large');
      expect((await a.c.linkPreview(`${pages.base}/big-body`)).title).toBe('Long page');
    });

    it('gives up on a page that never answers, with "timeout"', async () => {
      await refusedWith(a.c.linkPreview(`${pages.base}/slow`), 'timeout');
    });

    it('refuses what is not HTML, and non-http links', async () => {
      await refusedWith(a.c.linkPreview(`${pages.base}/json`), 'not-html');
      await refusedWith(a.c.linkPreview('file:///etc/passwd'), 'bad-request');
      await refusedWith(a.c.linkPreview('javascript:alert(1)'), 'bad-request');
      await refusedWith(a.c.linkPreview(`http://u:p@${PAGE_HOST}:${pages.port}/og`), 'bad-request');
      await refusedWith(a.c.linkPreview('not a url'), 'bad-request');
    });

    it('answers from the cache: one fetch for repeated asks', async () => {
      const url = `${pages.base}/counted`;
      expect((await a.c.linkPreview(url)).title).toBe('Counted');
      expect((await a.c.linkPreview(url)).title).toBe('Counted');
      expect(pages.hits.get('/counted')).toBe(1);
    });

    it('respects the person switching previews off, in the privacy settings', async () => {
      expect((await a.c.privacy()).linkPreviews).toBe(true);
      expect((await a.c.updatePrivacy({ linkPreviews: false })).linkPreviews).toBe(false);
      await refusedWith(a.c.linkPreview(`${pages.base}/title`), 'disabled');
      await a.c.updatePrivacy({ linkPreviews: true });
      expect((await a.c.linkPreview(`${pages.base}/title`)).title).toBe('Plain & simple');
    });

    it('needs a login', async () => {
      await refusedWith(open.client().linkPreview(`${pages.base}/og`), 'not-authenticated');
    });

    describe('without allow_private', () => {
      it('fetches an allowed address', async () => {
        expect((await s.c.linkPreview(`${pages.base}/og`)).siteName).toBe('Example');
      });

      const port = () => pages.port;
      const blocked: Array<[string, () => string]> = [
        ['127.0.0.1', () => `http://127.0.0.1:${port()}/og`],
        ['localhost', () => `http://localhost:${port()}/og`],
        ['[::1]', () => `http://[::1]:${port()}/og`],
        ['IPv4-mapped loopback', () => `http://[::ffff:127.0.0.1]:${port()}/og`],
        ['10.x', () => 'http://10.1.2.3/'],
        ['192.168.x', () => 'http://192.168.0.1/'],
        ['CGNAT', () => 'http://100.64.0.1/'],
        ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/'],
        ['unspecified', () => `http://0.0.0.0:${port()}/og`],
        ['unique-local IPv6', () => 'http://[fd00::1]/'],
        ['link-local IPv6', () => 'http://[fe80::1]/'],
        ['decimal 2130706433', () => `http://2130706433:${port()}/og`],
        ['octal 0177.0.0.1', () => `http://0177.0.0.1:${port()}/og`],
        ['hex 0x7f.1', () => `http://0x7f.1:${port()}/og`],
        ['a redirect to 127.0.0.1', () => `${pages.base}/to-loopback`],
      ];
      for (const [what, url] of blocked)
        it(`refuses ${what} with blocked-address`, async () => {
          await refusedWith(s.c.linkPreview(url()), 'blocked-address');
        });
    });
  });
}
