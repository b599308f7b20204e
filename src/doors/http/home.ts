import type { FastifyInstance, FastifyReply } from 'fastify';
import { ParleyError } from '../../core/errors.js';
import {
  DEFAULT_WEB_ROOT,
  WEB_CLIENT_CSP,
  hasWebClient,
  readStatic,
  type StaticResult,
} from './static.js';

/**
 * The status page: at `/status` always, and at `/` when the web client has not
 * been built (`npm run build` builds it into web/dist).
 */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Parley</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
code{background:#8882;padding:0 .2em;border-radius:3px}@media(prefers-color-scheme:dark){body{background:#111;color:#eee}}</style>
</head><body>
<h1>Parley is running</h1>
<p>This server speaks the Parley native protocol: REST under <code>/api/v1</code> and a WebSocket at
<code>/api/v1/ws</code>, described in <code>docs/protocol.md</code> of the Parley source.</p>
<p>The web client is served at <code>/</code> once it is built (<code>npm run build</code> builds it
into <code>web/dist</code>). Operators create accounts with <code>parley user add NAME</code>;
health is at <code>/healthz</code> and <code>/readyz</code>.</p>
</body></html>`;

function statusPage(reply: FastifyReply): string {
  reply.header('content-type', 'text/html; charset=utf-8');
  reply.header('cache-control', 'no-cache');
  reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
  return PAGE;
}

function send(reply: FastifyReply, r: StaticResult, cacheControl: string) {
  if (r.kind === 'bad-request') throw new ParleyError('bad-request', r.text);
  if (r.kind === 'not-found') return reply.callNotFound();
  reply.header('content-type', r.type);
  reply.header('cache-control', cacheControl);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  if (r.type.startsWith('text/html')) {
    reply.header('content-security-policy', WEB_CLIENT_CSP);
    reply.header('x-frame-options', 'DENY');
  }
  return reply.send(r.body);
}

/** Hashed file names never change content: cache them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html above all) is revalidated, so a new build shows at once. */
const REVALIDATE = 'no-cache';

/** Client-side routes that serve index.html (kept in step with web/src/state/route.ts). */
export const WEB_ROUTES = ['/chat/:who', '/room/:name', '/rooms', '/p/:pane'] as const;

export function registerHome(app: FastifyInstance, opts: { webRoot?: string } = {}): void {
  const root = opts.webRoot ?? DEFAULT_WEB_ROOT;
  app.get('/status', async (_req, reply) => statusPage(reply));
  app.get('/', async (_req, reply) => {
    if (!(await hasWebClient(root))) return statusPage(reply);
    return send(reply, await readStatic(root, 'index.html'), REVALIDATE);
  });
  // The web client's own addresses (web/src/state/route.ts): each is the page itself,
  // so a reload, a bookmark or a shared link opens that chat. One segment each, bounded.
  const page = async (_req: unknown, reply: FastifyReply) => {
    if (!(await hasWebClient(root))) return send(reply, { kind: 'not-found' }, REVALIDATE);
    return send(reply, await readStatic(root, 'index.html'), REVALIDATE);
  };
  for (const path of WEB_ROUTES) app.get(path, page);
  app.get('/assets/*', async (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    return send(reply, await readStatic(root, `assets/${rest}`), IMMUTABLE);
  });
  // Other files at the top of web/dist (icons, the manifest).
  app.get('/:file', async (req, reply) => {
    const { file } = req.params as { file: string };
    return send(reply, await readStatic(root, file), REVALIDATE);
  });
}
