import websocket from '@fastify/websocket';
import Fastify, {
  type FastifyReply,
  type FastifyBaseLogger,
  type FastifyInstance,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { Core } from '../../core/core.js';
import { ParleyError, isParleyError } from '../../core/errors.js';
import { addressMatcher, perAddress as perAddressLimiter } from '../../core/limits/address.js';
import { createConnectionCounter } from '../../core/limits/connections.js';
import { createRateLimiter } from '../../core/limits/rate.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Config } from '../../config/schema.js';
import { HTTP_STATUS, toWireError } from '../native/errors.js';
import { parseJsonBytes } from '../native/json.js';
import {
  capConnections,
  clientErrorHandler,
  metricsAccess,
  registerGuards,
  WS_PATH,
} from './guards.js';
import { registerHome } from './home.js';
import { proxyWarnings, trustedProxies, trustProxyOption } from './proxies.js';
import { registerFiles } from './files.js';
import { registerAvatars } from './avatars.js';
import { registerRest } from './rest.js';
import { registerWebSocket, type WsDoor } from '../ws/route.js';

export interface HttpDoor {
  app: FastifyInstance;
  ws: WsDoor;
  /**
   * Paths that may be upgraded to a WebSocket besides the native one (another door's
   * WebSocket route, e.g. IRC over WebSocket): any other upgrade is refused.
   */
  webSocketPaths: Set<string>;
}

export interface Readiness {
  /** Empty when ready; otherwise what is wrong, in plain words. */
  problems(): Promise<string[]>;
  /** Degraded but still serving (the bus is down): said in the body of a 200. */
  warnings?(): string[];
}

function fastifyCondition(status: number | undefined): ParleyError['condition'] {
  if (status === 413) return 'payload-too-large';
  if (status === 415) return 'unsupported-media-type';
  if (status === 404) return 'not-found';
  if (status !== undefined && status >= 400 && status < 500) return 'bad-request';
  return 'internal-error';
}

export async function createHttpDoor(deps: {
  core: Core;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  readiness: Readiness;
  /** True once shutdown has begun: new requests get 503 `unavailable`. */
  draining: () => boolean;
}): Promise<HttpDoor> {
  const { core, config, logger, metrics } = deps;
  const limits = config.limits;
  for (const w of proxyWarnings(config.server)) logger.warn(w);
  const proxies = trustedProxies(config.server);
  const isTrustedProxy = addressMatcher(proxies);
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(proxies),
    clientErrorHandler: clientErrorHandler(metrics),
    bodyLimit: limits.max_body_bytes,
    // Never hang on a slow client forever.
    requestTimeout: 30_000,
    // Our own onRequest hook answers 503 while draining, in the protocol's error shape.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Long path parameters reach our own checks (which answer in the protocol's shape).
    // Under routerOptions: Fastify 5 warns (FSTDEP022) about the top-level option.
    routerOptions: { maxParamLength: 1000 },
    // Errors the router raises before any route runs (bad percent-encoding) get our shape too.
    frameworkErrors: (err, _req, reply) => {
      metrics.errors.inc({ condition: 'bad-request' });
      void (reply as unknown as FastifyReply).code(400).send({
        error: { condition: 'bad-request', text: `the request URL is malformed (${err.code})` },
      });
    },
  });

  // Our own JSON parser: UTF-8 checked, depth bounded, size bounded.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, buf, done) => {
    try {
      done(
        null,
        (buf as Buffer).length === 0
          ? undefined
          : parseJsonBytes(buf as Buffer, {
              maxBytes: limits.max_body_bytes,
              maxDepth: limits.json_max_depth,
            }),
      );
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('*', (_req, _payload, done) => {
    done(new ParleyError('unsupported-media-type', 'send application/json'), undefined);
  });

  app.setErrorHandler((err, req, reply) => {
    const e = err as Error & { statusCode?: number; code?: string };
    const wire = isParleyError(err)
      ? toWireError(err)
      : e.statusCode === 413
        ? {
            condition: fastifyCondition(413),
            text: `the request body is larger than ${limits.max_body_bytes} bytes`,
          }
        : e.statusCode && e.statusCode < 500
          ? { condition: fastifyCondition(e.statusCode), text: e.message }
          : toWireError(err);
    const status = isParleyError(err)
      ? HTTP_STATUS[err.condition]
      : e.statusCode && e.statusCode < 500
        ? e.statusCode
        : 500;
    // `unavailable` (a database outage, shutting down) is told once by whoever saw it
    // begin (main.ts), not once per request.
    if (status >= 500 && wire.condition !== 'unavailable') req.log.error({ err }, 'request failed');
    metrics.errors.inc({ condition: wire.condition });
    if ('retryAfter' in wire && wire.retryAfter !== undefined)
      reply.header('retry-after', String(wire.retryAfter));
    reply.code(status).send({ error: wire });
  });
  app.setNotFoundHandler((req, reply) => {
    metrics.errors.inc({ condition: 'not-found' });
    reply.code(404).send({
      error: {
        condition: 'not-found',
        text: `no such endpoint: ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`,
      },
    });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const problems = await deps.readiness.problems();
    const warnings = deps.readiness.warnings?.() ?? [];
    reply.code(problems.length ? 503 : 200);
    if (problems.length)
      return { status: 'unavailable', problems, ...(warnings.length ? { warnings } : {}) };
    return warnings.length ? { status: 'degraded', warnings } : { status: 'ready' };
  });
  if (config.metrics.enabled) {
    const mayRead = metricsAccess(config, isTrustedProxy);
    app.get('/metrics', async (req, reply) => {
      mayRead(req);
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  }

  await app.register(websocket, {
    options: {
      // The soft limit (native.max_frame_bytes) answers with an error; this hard one closes (1009).
      maxPayload: config.native.max_frame_bytes * 4,
      // We check UTF-8 ourselves so a bad frame gets an error reply instead of a dropped connection.
      skipUTF8Validation: true,
    },
  });
  const perAddress = perAddressLimiter(
    createRateLimiter({
      perSecond: limits.requests_per_minute_per_address / 60,
      burst: Math.max(10, Math.ceil(limits.requests_per_minute_per_address / 6)),
    }),
  );
  // Every request counts toward its address's limit, refused ones too (bad bodies, unknown
  // endpoints, /metrics), and before its body is read. Health probes are exempt; the
  // WebSocket upgrade is counted by its route, which answers in the protocol's own way
  // (an error frame, then close 4029).
  const unlimited = new Set(['/healthz', '/readyz', WS_PATH]);
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0]!;
    if (deps.draining() && path !== '/healthz' && path !== '/readyz')
      throw new ParleyError(
        'unavailable',
        'the server is shutting down; retry on another node or in a moment',
        { retryAfter: 1 },
      );
    if (!unlimited.has(path)) perAddress.take(req.ip);
  });
  const connections = createConnectionCounter(limits.connections_per_address);
  const cap = capConnections(app, connections, isTrustedProxy);
  const webSocketPaths = new Set<string>();
  registerGuards(app, cap, webSocketPaths);
  registerHome(app);
  registerRest(app, { core, metrics });
  registerFiles(app, { core });
  registerAvatars(app, { core });
  const ws = registerWebSocket(app, {
    core,
    config,
    logger,
    metrics,
    perAddress,
    connections: { counter: connections, overCap: cap.overCap, isTrustedProxy },
  });
  return { app, ws, webSocketPaths };
}
