import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Core } from '../../core/core.js';
import type { Door } from '../../core/door.js';
import type { Metrics } from '../../observability/metrics.js';
import { CLOSE } from '../ws/frames.js';
import { createHttpDoor, type HttpDoor, type Readiness } from './server.js';

/**
 * The native door: Parley's own protocol over WebSocket, with REST, the web
 * client, health and metrics on the same HTTP listener (server.host:server.port).
 * Its WebSocket settings are the `[native]` config section.
 */
export interface NativeDoor extends Door {
  readonly http: HttpDoor;
  /** The bound port once started (useful with server.port = 0). */
  port(): number;
}

export async function createNativeDoor(deps: {
  core: Core;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** What /readyz reports: every door's problems with the store's and the bus's. */
  readiness: Readiness;
}): Promise<NativeDoor> {
  const { config } = deps;
  let draining = false;
  let listening = false;
  const http = await createHttpDoor({ ...deps, draining: () => draining });
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= http.app.close());
  return {
    name: 'native',
    http,
    async start() {
      await http.app.listen({ host: config.server.host, port: config.server.port });
      listening = true;
    },
    port() {
      const addr = http.app.server.address();
      return typeof addr === 'object' && addr ? addr.port : config.server.port;
    },
    async drain() {
      // New requests get 503 `unavailable`; WebSocket clients are asked to reconnect elsewhere.
      draining = true;
      http.ws.closeAll(CLOSE.goingAway, 'server shutting down');
      await close();
    },
    async stop() {
      draining = true;
      // Whatever outlived the grace period is cut now.
      http.app.server.closeAllConnections();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        close().catch(() => {}),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000))),
      ]);
      clearTimeout(timer);
    },
    async problems() {
      if (draining) return ['draining'];
      return listening ? [] : ['not listening yet'];
    },
  };
}
