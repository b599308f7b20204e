import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Core } from '../../core/core.js';
import type { ConnectionCounter } from '../../core/limits/connections.js';
import type { RateLimiter } from '../../core/limits/rate.js';
import { tooManyConnections, WS_PATH } from '../http/guards.js';
import type { Metrics } from '../../observability/metrics.js';
import { toWireError } from '../native/errors.js';
import { WsConnection, type WsDoorDeps } from './connection.js';

export interface WsDoor {
  /** Closes every connection (shutdown). */
  closeAll(code: number, reason: string): void;
  count(): number;
}

/**
 * @fastify/websocket routes the upgrade through Fastify with a ServerResponse
 * assigned to the TCP socket, and that response never finishes: the socket
 * would keep it, the request with its headers, Fastify's Request and Reply and
 * their logger alive for the connection's life (about 2 kB per connection).
 * Node detaches a response from its socket when it finishes; do the same once
 * the WebSocket has the socket.
 */
function releaseUpgradeResponse(raw: IncomingMessage): void {
  const socket = raw.socket as (Socket & { _httpMessage?: unknown }) | null;
  const res = socket?._httpMessage as
    (ServerResponse & { detachSocket?: (s: Socket) => void }) | null | undefined;
  if (socket && res && typeof res.detachSocket === 'function') res.detachSocket(socket);
}

export interface WsConnectionCap {
  counter: ConnectionCounter;
  /** True for a TCP connection that arrived over the cap (server.ts counts those). */
  overCap(socket: Socket): boolean;
  isTrustedProxy(addr: string): boolean;
}

/** Takes a slot for this WebSocket; throws `rate-limited` when its address has none left. */
function takeSlot(cap: WsConnectionCap, req: FastifyRequest): (() => void) | undefined {
  const socket = req.raw.socket;
  if (cap.overCap(socket)) throw tooManyConnections();
  // A direct connection was counted when it was accepted; one through a trusted proxy
  // carries many clients, so its WebSockets count under the forwarded client address.
  if (!cap.isTrustedProxy(socket.remoteAddress ?? '')) return undefined;
  if (!cap.counter.open(req.ip)) throw tooManyConnections();
  return () => cap.counter.close(req.ip);
}

export function registerWebSocket(
  app: FastifyInstance,
  deps: {
    core: Core;
    config: Config;
    logger: Logger;
    metrics: Metrics;
    perAddress: RateLimiter;
    connections: WsConnectionCap;
  },
): WsDoor {
  const open = new Set<WsConnection>();
  // One sweep drives every connection's auth deadline, heartbeat and recheck.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const c of open) c.tick(now);
  }, 500);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
  const framesOut = deps.metrics.framesOut.labels({ door: 'ws' });
  const door: WsDoorDeps = {
    ...deps,
    countFrames: (n) => framesOut.inc(n),
    closed: (conn) => open.delete(conn),
  };
  app.route({
    method: 'GET',
    url: WS_PATH,
    // A plain GET (no Upgrade header) gets a protocol error instead of an empty 404.
    handler: async (req, reply) => {
      deps.perAddress.take(req.ip);
      reply.code(426).header('upgrade', 'websocket');
      return {
        error: {
          condition: 'bad-request',
          text: 'this endpoint is a WebSocket: send an Upgrade request',
        },
      };
    },
    wsHandler: (socket, req) => {
      try {
        deps.perAddress.take(req.ip);
        const release = takeSlot(deps.connections, req);
        if (release) socket.once('close', release);
      } catch (err) {
        socket.send(JSON.stringify({ type: 'error', error: toWireError(err) }));
        socket.close(4029, 'rate-limited');
        return;
      }
      // @fastify/websocket's own 'error' listener closes over the Request and Reply;
      // WsConnection listens for errors itself (and terminates the socket on one).
      for (const l of socket.listeners('error')) socket.off('error', l as () => void);
      const conn = new WsConnection(socket, req, door);
      releaseUpgradeResponse(req.raw);
      open.add(conn);
    },
  });
  return {
    closeAll(code, reason) {
      for (const c of open) c.shutdown(code, reason);
    },
    count: () => open.size,
  };
}
