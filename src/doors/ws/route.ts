import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Core } from '../../core/core.js';
import type { RateLimiter } from '../../core/limits/rate.js';
import type { Metrics } from '../../observability/metrics.js';
import { toWireError } from '../native/errors.js';
import { WsConnection } from './connection.js';

export interface WsDoor {
  /** Closes every connection (shutdown). */
  closeAll(code: number, reason: string): void;
  count(): number;
}

export function registerWebSocket(
  app: FastifyInstance,
  deps: { core: Core; config: Config; logger: Logger; metrics: Metrics; perAddress: RateLimiter },
): WsDoor {
  const open = new Set<WsConnection>();
  // One sweep drives every connection's auth deadline, heartbeat and recheck.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const c of open) c.tick(now);
  }, 500);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
  app.route({
    method: 'GET',
    url: '/api/v1/ws',
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
      } catch (err) {
        socket.send(JSON.stringify({ type: 'error', error: toWireError(err) }));
        socket.close(4029, 'rate-limited');
        return;
      }
      const conn = new WsConnection(socket, req, { ...deps, onClosed: () => open.delete(conn) });
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
