import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from '../../core/accounts/service.js';
import type { Core } from '../../core/core.js';
import { ParleyError } from '../../core/errors.js';
import type { Metrics } from '../../observability/metrics.js';
import { runOp } from '../native/ops.js';

type Input = (req: FastifyRequest) => unknown;

const body: Input = (req) => req.body ?? {};
const none: Input = () => ({});

/** Query strings carry text; whole numbers are turned into numbers so one shape check serves both transports. */
const queryInput: Input = (req) => {
  // No prototype: a "__proto__" parameter stays a key (and is refused as unknown) instead of vanishing into a setter.
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(v))
      throw new ParleyError('bad-request', `query parameter "${k.slice(0, 40)}" is repeated`, {
        field: k.slice(0, 40),
      });
    out[k] =
      typeof v === 'string' &&
      /^-?\d{1,15}$/.test(v) &&
      ['ageMin', 'ageMax', 'limit', 'before', 'after'].includes(k)
        ? Number(v)
        : v;
  }
  return out;
};

export function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m)
    throw new ParleyError('not-authenticated', 'the Authorization header must be "Bearer <token>"');
  return m[1];
}

/**
 * The REST routes of docs/protocol.md: method, path, operation, where the input
 * comes from, success status, and whether a token is needed (default yes).
 * Exported so tests can walk every route (the authorization matrix).
 */
export type RestRoute = readonly [
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  op: string,
  input: 'body' | 'none' | 'query',
  status?: number,
  auth?: boolean,
];

export const REST_ROUTES: readonly RestRoute[] = [
  ['GET', '/api/v1/server', 'server.info', 'none', 200, false],
  ['POST', '/api/v1/accounts', 'account.register', 'body', 201, false],
  ['POST', '/api/v1/sessions', 'session.login', 'body', 201, false],
  ['GET', '/api/v1/sessions', 'sessions.list', 'none'],
  ['DELETE', '/api/v1/sessions/current', 'session.logout', 'none'],
  ['DELETE', '/api/v1/sessions/others', 'sessions.revokeOthers', 'none'],
  ['DELETE', '/api/v1/sessions/:id', 'sessions.revoke', 'none'],
  ['GET', '/api/v1/me', 'me.get', 'none'],
  ['PATCH', '/api/v1/me/profile', 'profile.update', 'body'],
  ['POST', '/api/v1/me/password', 'password.change', 'body'],
  ['DELETE', '/api/v1/me', 'account.delete', 'body'],
  ['GET', '/api/v1/users/:username', 'profile.get', 'none'],
  ['GET', '/api/v1/directory', 'directory.search', 'query'],
  ['GET', '/api/v1/contacts', 'contacts.list', 'none'],
  ['POST', '/api/v1/contacts', 'contacts.request', 'body', 201],
  ['POST', '/api/v1/contacts/:username/approve', 'contacts.approve', 'body'],
  ['POST', '/api/v1/contacts/:username/deny', 'contacts.deny', 'none'],
  ['POST', '/api/v1/contacts/:username/cancel', 'contacts.cancel', 'none'],
  ['PATCH', '/api/v1/contacts/:username', 'contacts.update', 'body'],
  ['DELETE', '/api/v1/contacts/:username', 'contacts.remove', 'none'],
  ['GET', '/api/v1/blocks', 'blocks.list', 'none'],
  ['GET', '/api/v1/presence', 'presence.list', 'none'],
  ['GET', '/api/v1/me/presence', 'presence.chosen', 'none'],
  ['PUT', '/api/v1/me/presence', 'presence.choose', 'body'],
  ['POST', '/api/v1/messages', 'messages.send', 'body', 201],
  ['PATCH', '/api/v1/messages/:id', 'messages.edit', 'body'],
  ['DELETE', '/api/v1/messages/:id', 'messages.delete', 'none'],
  ['POST', '/api/v1/messages/:id/reactions', 'messages.react', 'body'],
  ['GET', '/api/v1/conversations', 'conversations.list', 'query'],
  ['GET', '/api/v1/conversations/:with/messages', 'messages.history', 'query'],
  ['GET', '/api/v1/sync', 'sync', 'query'],
  ['GET', '/api/v1/search', 'messages.search', 'query'],
  ['GET', '/api/v1/filters', 'filters.list', 'none'],
  ['POST', '/api/v1/filters', 'filters.add', 'body', 201],
  ['DELETE', '/api/v1/filters', 'filters.remove', 'body'],
  ['GET', '/api/v1/filtered', 'filtered.list', 'query'],
  ['POST', '/api/v1/filtered/:id/release', 'filtered.release', 'none'],
  ['DELETE', '/api/v1/filtered/:id', 'filtered.clear', 'none'],
  ['POST', '/api/v1/conversations/:with/markers', 'messages.mark', 'body'],
  ['GET', '/api/v1/conversations/:with/markers', 'messages.markers', 'none'],
  ['GET', '/api/v1/me/privacy', 'privacy.get', 'none'],
  ['PATCH', '/api/v1/me/privacy', 'privacy.update', 'body'],
  ['GET', '/api/v1/previews', 'previews.get', 'query'],
  ['PUT', '/api/v1/blocks/:username', 'blocks.add', 'none'],
  ['DELETE', '/api/v1/blocks/:username', 'blocks.remove', 'none'],
  ['GET', '/api/v1/rooms', 'rooms.directory', 'query'],
  ['POST', '/api/v1/rooms', 'rooms.create', 'body', 201],
  ['GET', '/api/v1/me/rooms', 'rooms.mine', 'none'],
  ['GET', '/api/v1/rooms/:room', 'rooms.get', 'none'],
  ['PATCH', '/api/v1/rooms/:room', 'rooms.update', 'body'],
  ['POST', '/api/v1/rooms/:room/join', 'rooms.join', 'none'],
  ['POST', '/api/v1/rooms/:room/leave', 'rooms.leave', 'none'],
  ['POST', '/api/v1/rooms/:room/invites', 'rooms.invite', 'body'],
  ['POST', '/api/v1/rooms/:room/decline', 'rooms.decline', 'none'],
  ['GET', '/api/v1/rooms/:room/members', 'rooms.members', 'query'],
  ['PUT', '/api/v1/rooms/:room/members/:username/role', 'rooms.role', 'body'],
  ['POST', '/api/v1/rooms/:room/members/:username/kick', 'rooms.kick', 'body'],
  ['POST', '/api/v1/rooms/:room/members/:username/mute', 'rooms.mute', 'body'],
  ['GET', '/api/v1/rooms/:room/bans', 'rooms.bans', 'none'],
  ['PUT', '/api/v1/rooms/:room/bans/:username', 'rooms.ban', 'body'],
  ['DELETE', '/api/v1/rooms/:room/bans/:username', 'rooms.unban', 'none'],
  ['PUT', '/api/v1/rooms/:room/notify', 'rooms.notify', 'body'],
  ['POST', '/api/v1/rooms/:room/messages', 'rooms.send', 'body', 201],
  ['GET', '/api/v1/rooms/:room/messages', 'rooms.history', 'query'],
  ['PATCH', '/api/v1/rooms/:room/messages/:id', 'rooms.edit', 'body'],
  ['DELETE', '/api/v1/rooms/:room/messages/:id', 'rooms.delete', 'none'],
  ['POST', '/api/v1/rooms/:room/messages/:id/reactions', 'rooms.react', 'body'],
  ['GET', '/api/v1/rooms/:room/search', 'rooms.search', 'query'],
  ['GET', '/api/v1/rooms/:room/events', 'rooms.events', 'query'],
  ['POST', '/api/v1/rooms/:room/markers', 'rooms.mark', 'body'],
];

/** Maps the REST routes of docs/protocol.md onto the shared operations table (the per-address limit is applied in server.ts, before any route). */
export function registerRest(app: FastifyInstance, deps: { core: Core; metrics: Metrics }): void {
  const { core, metrics } = deps;

  function route(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    op: string,
    input: Input,
    status = 200,
    auth = true,
  ) {
    app.route({
      method,
      url,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const started = process.hrtime.bigint();
        try {
          let authCtx: AuthContext | undefined;
          if (auth) authCtx = await core.accounts.authenticate(bearer(req), req.ip);
          const params = (req.params ?? {}) as Record<string, string>;
          const raw = input(req);
          let merged = raw;
          if (Object.keys(params).length) {
            // Path parameters join a JSON object body; anything else is refused by the shape check as it is.
            if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
              for (const k of Object.keys(params))
                if (Object.hasOwn(raw, k))
                  throw new ParleyError('bad-request', `"${k}" goes in the path, not the body`, {
                    field: k,
                  });
              merged = { ...raw, ...params };
            }
          }
          const result = await runOp(
            op,
            { core, address: req.ip, ...(authCtx ? { auth: authCtx } : {}) },
            merged,
          );
          reply.code(status);
          return result;
        } finally {
          metrics.latency.observe(
            { op, transport: 'rest' },
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        }
      },
    });
  }

  const inputs = { body, none, query: queryInput };
  for (const [method, url, op, input, status, auth] of REST_ROUTES)
    route(method, url, op, inputs[input], status, auth);
}
