import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.js';
import { ParleyError } from '../../core/errors.js';
import { AVATAR_LIMITS, publicAvatar, type StoredAvatar } from '../../core/files/pictures.js';
import { bearer } from './rest.js';

/**
 * Avatars over HTTP (docs/protocol.md, "Avatars"): PUT the image's bytes as the
 * body, DELETE it, GET anyone's by username (to whoever may see it); a room's
 * the same way under /rooms/:room/avatar (its admins change it, whoever may read
 * the room sees it). Served like files: its type as stored, `nosniff`, a CSP
 * that runs nothing, and an ETag that is the avatar's hash, so a browser asks
 * again cheaply; a room's asked for with `?v=<hash>` may be kept for good.
 */

const AVATAR_CSP = "default-src 'none'; sandbox";

const tooLarge = () =>
  new ParleyError('too-large', `an avatar is at most ${AVATAR_LIMITS.bytes} bytes`, {
    field: 'avatar',
  });

/**
 * The body, up to the avatar bound. Beyond it the rest is read and dropped (so
 * the client hears the answer) up to a few times the bound, then cut off.
 */
async function readBounded(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    n += b.length;
    if (n > AVATAR_LIMITS.bytes * 4) {
      body.destroy();
      break;
    }
    if (n <= AVATAR_LIMITS.bytes) parts.push(b);
  }
  if (n > AVATAR_LIMITS.bytes) throw tooLarge();
  return Buffer.concat(parts);
}

/** The stored bytes, or 304 when the client has them (`If-None-Match` is the hash). */
function serve(
  req: FastifyRequest,
  reply: FastifyReply,
  avatar: StoredAvatar,
  bytes: () => Readable,
  cache: string,
) {
  const etag = `"${avatar.hash}"`;
  reply.header('content-type', avatar.type);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', AVATAR_CSP);
  reply.header('cross-origin-resource-policy', 'same-origin');
  reply.header('cache-control', cache);
  reply.header('etag', etag);
  if (req.headers['if-none-match'] === etag) return reply.code(304).send();
  reply.header('content-length', String(avatar.size));
  return reply.send(bytes());
}

/** The request's image bytes, bounded (PUT of either avatar). */
async function imageBody(req: FastifyRequest): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > AVATAR_LIMITS.bytes * 4) throw tooLarge();
  if (req.body === undefined || req.body === null || typeof req.body !== 'object')
    throw new ParleyError('bad-request', 'send the image bytes as the body (image/*)', {
      field: 'avatar',
    });
  return readBounded(req.body as Readable);
}

const roomParam = (req: FastifyRequest) => (req.params as { room?: string }).room ?? '';

export function registerAvatars(app: FastifyInstance, deps: { core: Core }): void {
  const { core } = deps;
  const auth = (req: FastifyRequest) => core.accounts.authenticate(bearer(req), req.ip);

  // Scoped: these parsers hand the request stream to the two avatar PUTs only.
  void app.register(async (scope) => {
    scope.addContentTypeParser(/^image\//, (_req, payload, done) => done(null, payload));
    scope.addContentTypeParser('application/octet-stream', (_req, payload, done) =>
      done(null, payload),
    );

    scope.put('/api/v1/me/avatar', async (req) => {
      const a = await auth(req);
      return { avatar: await core.avatars.set(a.user.id, await imageBody(req)) };
    });

    scope.put('/api/v1/rooms/:room/avatar', async (req) => {
      const a = await auth(req);
      const bytes = await imageBody(req);
      return { avatar: await core.roomAvatars.set(a.user.id, roomParam(req), bytes) };
    });
  });

  app.delete('/api/v1/rooms/:room/avatar', async (req, reply) => {
    const a = await auth(req);
    if (!(await core.roomAvatars.remove(a.user.id, roomParam(req))))
      throw new ParleyError('not-found', 'the room has no picture', { field: 'room' });
    return reply.code(204).send();
  });

  app.get('/api/v1/rooms/:room/avatar', async (req, reply) => {
    const a = await auth(req);
    const avatar = await core.roomAvatars.of(a.user.id, roomParam(req));
    const v = (req.query as { v?: unknown }).v;
    // The URL names this very picture (its hash): the bytes behind it never change.
    const cache = v === avatar.hash ? 'private, max-age=31536000, immutable' : 'private, no-cache';
    return serve(req, reply, avatar, () => core.roomAvatars.read(avatar), cache);
  });

  app.delete('/api/v1/me/avatar', async (req, reply) => {
    const a = await auth(req);
    if (!(await core.avatars.remove(a.user.id)))
      throw new ParleyError('not-found', 'you have no avatar');
    return reply.code(204).send();
  });

  app.get('/api/v1/me/avatar', async (req) => {
    const a = await auth(req);
    return { avatar: publicAvatar(await core.avatars.mine(a.user.id)) };
  });

  app.get('/api/v1/users/:username/avatar', async (req, reply) => {
    const a = await auth(req);
    const name = ((req.params as { username?: string }).username ?? '').toLowerCase();
    const none = () => new ParleyError('not-found', 'no avatar', { field: 'username' });
    if (!/^[a-z0-9._-]{1,32}$/.test(name)) throw none();
    const profile = await core.profiles.view(a.user.id, name);
    const avatar = await core.avatars.of(a.user.id, profile.userId);
    // Who may see it can change (a block): kept by this browser only, and asked again.
    return serve(req, reply, avatar, () => core.avatars.read(avatar), 'private, no-cache');
  });
}
