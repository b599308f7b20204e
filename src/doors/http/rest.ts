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

  route('GET', '/api/v1/server', 'server.info', none, 200, false);
  route('POST', '/api/v1/accounts', 'account.register', body, 201, false);
  route('POST', '/api/v1/sessions', 'session.login', body, 201, false);
  route('GET', '/api/v1/sessions', 'sessions.list', none);
  route('DELETE', '/api/v1/sessions/current', 'session.logout', none);
  route('DELETE', '/api/v1/sessions/:id', 'sessions.revoke', none);
  route('GET', '/api/v1/me', 'me.get', none);
  route('PATCH', '/api/v1/me/profile', 'profile.update', body);
  route('POST', '/api/v1/me/password', 'password.change', body);
  route('DELETE', '/api/v1/me', 'account.delete', body);
  route('GET', '/api/v1/users/:username', 'profile.get', none);
  route('GET', '/api/v1/directory', 'directory.search', queryInput);
  route('GET', '/api/v1/contacts', 'contacts.list', none);
  route('POST', '/api/v1/contacts', 'contacts.request', body, 201);
  route('POST', '/api/v1/contacts/:username/approve', 'contacts.approve', body);
  route('POST', '/api/v1/contacts/:username/deny', 'contacts.deny', none);
  route('POST', '/api/v1/contacts/:username/cancel', 'contacts.cancel', none);
  route('PATCH', '/api/v1/contacts/:username', 'contacts.update', body);
  route('DELETE', '/api/v1/contacts/:username', 'contacts.remove', none);
  route('GET', '/api/v1/blocks', 'blocks.list', none);
  route('GET', '/api/v1/presence', 'presence.list', none);
  route('POST', '/api/v1/messages', 'messages.send', body, 201);
  route('PATCH', '/api/v1/messages/:id', 'messages.edit', body);
  route('DELETE', '/api/v1/messages/:id', 'messages.delete', none);
  route('POST', '/api/v1/messages/:id/reactions', 'messages.react', body);
  route('GET', '/api/v1/conversations', 'conversations.list', queryInput);
  route('GET', '/api/v1/conversations/:with/messages', 'messages.history', queryInput);
  route('GET', '/api/v1/sync', 'sync', queryInput);
  route('GET', '/api/v1/search', 'messages.search', queryInput);
  route('GET', '/api/v1/filters', 'filters.list', none);
  route('POST', '/api/v1/filters', 'filters.add', body, 201);
  route('DELETE', '/api/v1/filters', 'filters.remove', body);
  route('GET', '/api/v1/filtered', 'filtered.list', queryInput);
  route('POST', '/api/v1/filtered/:id/release', 'filtered.release', none);
  route('DELETE', '/api/v1/filtered/:id', 'filtered.clear', none);
  route('POST', '/api/v1/conversations/:with/markers', 'messages.mark', body);
  route('GET', '/api/v1/conversations/:with/markers', 'messages.markers', none);
  route('GET', '/api/v1/me/privacy', 'privacy.get', none);
  route('PATCH', '/api/v1/me/privacy', 'privacy.update', body);
  route('PUT', '/api/v1/blocks/:username', 'blocks.add', none);
  route('DELETE', '/api/v1/blocks/:username', 'blocks.remove', none);
  route('GET', '/api/v1/rooms', 'rooms.directory', queryInput);
  route('POST', '/api/v1/rooms', 'rooms.create', body, 201);
  route('GET', '/api/v1/me/rooms', 'rooms.mine', none);
  route('GET', '/api/v1/rooms/:room', 'rooms.get', none);
  route('PATCH', '/api/v1/rooms/:room', 'rooms.update', body);
  route('POST', '/api/v1/rooms/:room/join', 'rooms.join', none);
  route('POST', '/api/v1/rooms/:room/leave', 'rooms.leave', none);
  route('POST', '/api/v1/rooms/:room/invites', 'rooms.invite', body);
  route('GET', '/api/v1/rooms/:room/members', 'rooms.members', queryInput);
  route('PUT', '/api/v1/rooms/:room/members/:username/role', 'rooms.role', body);
  route('POST', '/api/v1/rooms/:room/members/:username/kick', 'rooms.kick', body);
  route('POST', '/api/v1/rooms/:room/members/:username/mute', 'rooms.mute', body);
  route('GET', '/api/v1/rooms/:room/bans', 'rooms.bans', none);
  route('PUT', '/api/v1/rooms/:room/bans/:username', 'rooms.ban', body);
  route('DELETE', '/api/v1/rooms/:room/bans/:username', 'rooms.unban', none);
  route('PUT', '/api/v1/rooms/:room/notify', 'rooms.notify', body);
  route('POST', '/api/v1/rooms/:room/messages', 'rooms.send', body, 201);
  route('GET', '/api/v1/rooms/:room/messages', 'rooms.history', queryInput);
  route('PATCH', '/api/v1/rooms/:room/messages/:id', 'rooms.edit', body);
  route('DELETE', '/api/v1/rooms/:room/messages/:id', 'rooms.delete', none);
  route('POST', '/api/v1/rooms/:room/messages/:id/reactions', 'rooms.react', body);
  route('GET', '/api/v1/rooms/:room/search', 'rooms.search', queryInput);
  route('GET', '/api/v1/rooms/:room/events', 'rooms.events', queryInput);
  route('POST', '/api/v1/rooms/:room/markers', 'rooms.mark', body);
}
