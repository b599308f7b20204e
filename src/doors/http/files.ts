import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.js';
import { ParleyError } from '../../core/errors.js';
import { isInline } from '../../core/files/sniff.js';
import type { FileWithMessage, PendingUpload } from '../../core/files/types.js';
import { attachmentOf } from '../../core/files/types.js';
import { attachmentView } from '../native/views.js';
import { bearer } from './rest.js';

/**
 * Files over HTTP (docs/protocol.md, "Files"): a small resumable upload protocol
 * in the manner of tus (create, then PATCH bytes at an offset, GET the offset to
 * resume), and the bytes served with headers that keep a browser from running
 * them: a download unless a picture, sound or video, `nosniff`, a sandboxing CSP.
 */

export const UPLOAD_CONTENT_TYPE = 'application/offset+octet-stream';

const uploadView = (u: PendingUpload) => ({
  id: u.id,
  name: u.name,
  size: u.size,
  offset: u.received,
});

/** Served files may not run anything, load anything or be framed by other sites. */
const FILE_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox";

/** `filename` for old clients (ASCII), `filename*` (RFC 8187) with the real name. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^A-Za-z0-9._ ()-]/g, '_').slice(0, 200) || 'file';
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * One `bytes=a-b` range of a file of `size` bytes: undefined to send it whole (no
 * header, or one we do not serve: several ranges, another unit), 'unsatisfiable' past the end.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d{0,16})-(\d{0,16})$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    // The last N bytes.
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** What every served file and thumbnail carries, so a browser never runs or leaks it. */
function safeHeaders(reply: FastifyReply, type: string, disposition: string, etag: string) {
  reply.header('content-type', type);
  reply.header('content-disposition', disposition);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', FILE_CSP);
  reply.header('cross-origin-resource-policy', 'same-origin');
  reply.header('referrer-policy', 'no-referrer');
  // A file's bytes never change under its id: kept as long as a browser likes, by this user only.
  reply.header('cache-control', 'private, max-age=31536000, immutable');
  reply.header('etag', etag);
}

/** `GET .../thumb/<size>`: a WebP fitting inside size x size, made once per blob and size. */
async function serveThumb(
  core: Core,
  req: FastifyRequest,
  reply: FastifyReply,
  f: FileWithMessage,
) {
  const raw = ((req.params as { size?: string }).size ?? '').slice(0, 10);
  const size = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  const etag = `"${f.sha256}-t${size}"`;
  // Checked before the 304, so a bad size or a non-image is never answered "not modified".
  const bytes = core.files.thumbnail(f, size);
  if (req.headers['if-none-match'] === etag) {
    await bytes;
    safeHeaders(reply, 'image/webp', 'inline', etag);
    return reply.code(304).send();
  }
  const body = await bytes;
  const base = f.name.replace(/\.[^.]{1,10}$/, '');
  safeHeaders(reply, 'image/webp', contentDisposition('inline', `${base}.webp`), etag);
  reply.header('content-length', String(body.length));
  if (req.method === 'HEAD') return reply.send();
  return reply.send(body);
}

function serve(core: Core, req: FastifyRequest, reply: FastifyReply, f: FileWithMessage) {
  const etag = `"${f.sha256}"`;
  const range = parseRange(req.headers.range, f.size);
  if (range === 'unsatisfiable') {
    reply.code(416).header('content-range', `bytes */${f.size}`);
    return reply.send({
      error: { condition: 'bad-request', text: 'the range is outside the file' },
    });
  }
  safeHeaders(
    reply,
    f.type === 'text/plain' ? 'text/plain; charset=utf-8' : f.type || 'application/octet-stream',
    contentDisposition(isInline(f.type) ? 'inline' : 'attachment', f.name),
    etag,
  );
  reply.header('accept-ranges', 'bytes');
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  if (range) {
    reply.code(206);
    reply.header('content-range', `bytes ${range.start}-${range.end}/${f.size}`);
    reply.header('content-length', String(range.end - range.start + 1));
  } else reply.header('content-length', String(f.size));
  if (req.method === 'HEAD') return reply.send();
  return reply.send(core.files.read(f, range));
}

export function registerFiles(app: FastifyInstance, deps: { core: Core }): void {
  const { core } = deps;
  const me = async (req: FastifyRequest) =>
    (await core.accounts.authenticate(bearer(req), req.ip)).user.id;
  const id = (req: FastifyRequest) => ((req.params as { id?: string }).id ?? '').slice(0, 100);

  // Upload bodies reach the service as the request stream: never buffered, never parsed.
  app.addContentTypeParser(UPLOAD_CONTENT_TYPE, (_req, payload, done) => done(null, payload));

  app.post('/api/v1/uploads', async (req, reply) => {
    const userId = await me(req);
    const b = req.body as Record<string, unknown> | undefined;
    if (typeof b !== 'object' || b === null || Array.isArray(b))
      throw new ParleyError('bad-request', 'the request must be a JSON object');
    for (const k of Object.keys(b))
      if (!['name', 'size', 'to', 'room'].includes(k))
        throw new ParleyError('bad-request', `unknown field "${k.slice(0, 40)}"`, {
          field: k.slice(0, 40),
        });
    if (typeof b.name !== 'string' || b.name.length > 1000)
      throw new ParleyError('bad-request', 'name must be a string', { field: 'name' });
    if (typeof b.size !== 'number')
      throw new ParleyError('bad-request', 'size must be a number of bytes', { field: 'size' });
    const to =
      typeof b.to === 'string' && b.room === undefined
        ? { user: b.to }
        : typeof b.room === 'string' && b.to === undefined
          ? { room: b.room }
          : undefined;
    if (!to)
      throw new ParleyError('bad-request', 'give "to" (a username) or "room" (a room name)', {
        field: 'to',
      });
    const u = await core.files.begin(userId, { name: b.name, size: b.size, to });
    reply.code(201);
    reply.header('location', `/api/v1/uploads/${u.id}`);
    return { upload: uploadView(u) };
  });

  app.get('/api/v1/uploads/:id', async (req, reply) => {
    const u = await core.files.status(await me(req), id(req));
    reply.header('upload-offset', String(u.received));
    return { upload: uploadView(u) };
  });

  app.patch('/api/v1/uploads/:id', async (req, reply) => {
    const userId = await me(req);
    const raw = req.headers['upload-offset'];
    if (typeof raw !== 'string' || !/^\d{1,16}$/.test(raw))
      throw new ParleyError('bad-request', 'the Upload-Offset header must be a whole number', {
        field: 'offset',
      });
    // No bytes at the last offset finishes an upload whose storing failed (fastify parses no empty body).
    const empty = req.headers['content-type'] === UPLOAD_CONTENT_TYPE && req.body === undefined;
    const body = (empty ? (async function* () {})() : req.body) as
      AsyncIterable<Uint8Array> | undefined;
    if (!body || typeof body !== 'object' || !(Symbol.asyncIterator in body))
      throw new ParleyError('unsupported-media-type', `send the bytes as ${UPLOAD_CONTENT_TYPE}`);
    const r = await core.files.append(userId, id(req), Number(raw), body);
    reply.header('upload-offset', String(r.upload.received));
    return { upload: uploadView(r.upload), ...(r.file ? { file: attachmentView(r.file) } : {}) };
  });

  app.delete('/api/v1/uploads/:id', async (req) => {
    await core.files.cancel(await me(req), id(req));
    return {};
  });

  app.get('/api/v1/me/files', async (req) => core.files.quota(await me(req)));

  app.route({
    method: ['GET', 'HEAD'],
    url: '/api/v1/files/:id',
    handler: async (req, reply) =>
      serve(core, req, reply, await core.files.open(await me(req), id(req))),
  });
  app.route({
    method: ['GET', 'HEAD'],
    url: '/api/v1/files/:id/thumb/:size',
    handler: async (req, reply) =>
      serveThumb(core, req, reply, await core.files.open(await me(req), id(req))),
  });
  app.get('/api/v1/files/:id/info', async (req) => {
    const f = await core.files.open(await me(req), id(req));
    return { file: attachmentView(attachmentOf(f)) };
  });

  app.delete('/api/v1/files/:id', async (req) => {
    await core.files.remove(await me(req), id(req));
    return {};
  });

  // Capability links: for doors and tags that cannot send a bearer token.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/f/:id/:token',
    handler: async (req, reply) => {
      const token = ((req.params as { token?: string }).token ?? '').slice(0, 100);
      return serve(core, req, reply, await core.files.openByLink(id(req), token));
    },
  });
  app.route({
    method: ['GET', 'HEAD'],
    url: '/f/:id/:token/thumb/:size',
    handler: async (req, reply) => {
      const token = ((req.params as { token?: string }).token ?? '').slice(0, 100);
      return serveThumb(core, req, reply, await core.files.openByLink(id(req), token));
    },
  });
}
