import type { FastifyInstance } from 'fastify';

/**
 * What a browser sees at `/` until the web client ships (issue: web client):
 * an honest status page that points at the API, not a fake client.
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
<p>The bundled web client is not part of this release yet. Operators create accounts with
<code>parley user add NAME</code>; health is at <code>/healthz</code> and <code>/readyz</code>.</p>
</body></html>`;

export function registerHome(app: FastifyInstance): void {
  app.get('/', async (_req, reply) => {
    reply.header('content-type', 'text/html; charset=utf-8');
    reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    return PAGE;
  });
}
