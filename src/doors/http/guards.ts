import { createHash, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config/schema.js';
import { ParleyError } from '../../core/errors.js';
import { addressMatcher } from '../../core/limits/address.js';
import type { ConnectionCounter } from '../../core/limits/connections.js';
import type { Metrics } from '../../observability/metrics.js';

export const WS_PATH = '/api/v1/ws';

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (a request not
 * finished in time, headers too large, bytes that are not HTTP), answered in
 * the protocol's error shape instead of Fastify's. The connection is closed
 * afterwards: its byte stream cannot be trusted any more.
 */
export function clientErrorHandler(metrics: Metrics) {
  return (err: Error & { code?: string }, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, text] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request was not completed in time']
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'the request headers are too large']
          : [400, 'the request is not valid HTTP/1.1'];
    metrics.errors.inc({ condition: 'bad-request' });
    const body = JSON.stringify({ error: { condition: 'bad-request', text } });
    if (socket.writable)
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
      );
    socket.destroy();
  };
}

/**
 * Caps the TCP connections one client address holds (`limits.connections_per_address`).
 * A connection from a trusted proxy carries many clients, so it is not counted
 * here; WebSockets through it are counted under the forwarded client address
 * by the WebSocket route. A connection over the cap is not counted either: its
 * first request is answered `rate-limited` and it is closed (or it is closed
 * after a few idle seconds).
 */
export function capConnections(
  app: FastifyInstance,
  counter: ConnectionCounter,
  isTrustedProxy: (addr: string) => boolean,
): { overCap(socket: Socket): boolean } {
  const over = new WeakSet<Socket>();
  app.server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress ?? '';
    if (isTrustedProxy(peer)) return;
    if (counter.open(peer)) {
      socket.once('close', () => counter.close(peer));
      return;
    }
    over.add(socket);
    const idle = setTimeout(() => socket.destroy(), 5000);
    idle.unref();
    socket.once('close', () => clearTimeout(idle));
  });
  return { overCap: (socket) => over.has(socket) };
}

export function tooManyConnections(): ParleyError {
  return new ParleyError('rate-limited', 'too many open connections from your address', {
    retryAfter: 1,
  });
}

const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

/**
 * Who may read /metrics: a request carrying `metrics.token` as a bearer token,
 * or one from a `metrics.allow` address. A request that came through a proxy
 * Parley does not trust is refused whatever its address: behind an untrusted
 * proxy on this machine everything would look like 127.0.0.1.
 */
export function metricsAccess(
  config: Config,
  isTrustedProxy: (addr: string) => boolean,
): (req: FastifyRequest) => void {
  const allowed = addressMatcher(config.metrics.allow);
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const token = config.metrics.token ? digest(config.metrics.token) : undefined;
  return (req) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (token && m && timingSafeEqual(digest(m[1]!), token)) return;
    const forwarded = FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined);
    const viaUntrustedProxy = forwarded && !isTrustedProxy(req.raw.socket.remoteAddress ?? '');
    if (viaUntrustedProxy || !allowed(req.ip))
      throw new ParleyError(
        'forbidden',
        'metrics are served only to metrics.allow addresses or with metrics.token',
      );
  };
}

/** Guards that apply to every request, in the order they must run. */
export function registerGuards(
  app: FastifyInstance,
  deps: { overCap(socket: Socket): boolean },
  /** Other doors' WebSocket routes (their own guards count and cap them). */
  otherWebSockets: ReadonlySet<string> = new Set(),
): void {
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    // An over-cap WebSocket is refused by its route, in the WebSocket's own way.
    if (deps.overCap(req.raw.socket) && path !== WS_PATH) {
      reply.header('connection', 'close');
      throw tooManyConnections();
    }
    // @fastify/websocket would upgrade any GET route and leave the socket open: refuse
    // an upgrade to anything but the WebSocket endpoint, and close it.
    if (
      (req as FastifyRequest & { ws?: boolean }).ws &&
      path !== WS_PATH &&
      !otherWebSockets.has(path)
    ) {
      reply.header('connection', 'close');
      throw new ParleyError(
        'not-found',
        `no WebSocket endpoint at ${path.slice(0, 200)}; use ${WS_PATH}`,
      );
    }
  });
  // API answers are personal and live: no cache (browser, proxy or CDN) may keep them.
  app.addHook('onSend', async (req, reply) => {
    // A file's bytes (docs/protocol.md, "Files") say their own caching.
    if (req.url.startsWith('/api/') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
  });
}
