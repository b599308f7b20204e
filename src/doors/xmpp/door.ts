import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Core } from '../../core/core.js';
import type { Door } from '../../core/door.js';
import { createConnectionCounter } from '../../core/limits/connections.js';
import type { Certificates } from '../tls/certificates.js';
import { XmppConnection } from './connection.js';
import { listen, portOf } from '../listen.js';

/**
 * The XMPP door (docs/xmpp.md): client-to-server streams (RFC 6120) on
 * `xmpp.port` with STARTTLS and on `xmpp.tls_port` with direct TLS (XEP-0368),
 * both on the shared certificate. A port of -1 switches that listener off, 0
 * takes a free one. Each accepted socket is an XmppConnection.
 */
export interface XmppDoor extends Door {
  /** The bound STARTTLS port once started (undefined when off). */
  port(): number | undefined;
  /** The bound direct-TLS port once started (undefined when off). */
  tlsPort(): number | undefined;
}

export function createXmppDoor(deps: {
  core: Core;
  config: Config;
  logger: Logger;
  certificates: () => Promise<Certificates>;
}): XmppDoor {
  const { config, logger } = deps;
  const x = config.xmpp;
  const connections = new Set<XmppConnection>();
  const perAddress = createConnectionCounter(config.limits.connections_per_address);
  let server: Server | undefined;
  let tlsServer: Server | undefined;
  let certs: Certificates | undefined;
  let detach: (() => void) | undefined;
  let draining = false;

  function accept(socket: Socket, tls: boolean): void {
    const address = socket.remoteAddress ?? 'unknown';
    socket.on('error', () => {});
    if (draining || !perAddress.open(address)) {
      socket.destroy();
      return;
    }
    const conn = new XmppConnection(socket, tls, {
      core: deps.core,
      config,
      logger,
      certificates: certs,
      closed: (c) => {
        connections.delete(c);
        perAddress.close(address);
      },
    });
    connections.add(conn);
  }

  function shut(): void {
    draining = true;
    server?.close();
    tlsServer?.close();
    detach?.();
    for (const c of [...connections]) c.end('system-shutdown', 'server shutting down');
  }

  return {
    name: 'xmpp',
    async start() {
      const host = x.host || config.server.host;
      if (x.port < 0 && x.tls_port < 0) return;
      // STARTTLS needs the certificate as much as the TLS port does.
      certs = await deps.certificates();
      if (x.port >= 0) {
        server = createServer({ noDelay: true }, (s) => accept(s, false));
        await listen(server, host, x.port);
        logger.info({ port: portOf(server), domain: x.domain }, 'xmpp door listening');
      }
      if (x.tls_port >= 0) {
        const s = createTlsServer({ ...certs.pem(), minVersion: 'TLSv1.2' });
        s.on('secureConnection', (sock) => accept(sock, true));
        s.on('tlsClientError', () => {});
        detach = certs.attach(s);
        tlsServer = s;
        await listen(s, host, x.tls_port);
        logger.info({ port: portOf(s), domain: x.domain }, 'xmpp door listening with TLS');
      }
    },
    port: () => portOf(server),
    tlsPort: () => portOf(tlsServer),
    async drain() {
      shut();
    },
    async stop() {
      shut();
    },
    async problems() {
      if (draining) return [];
      const out: string[] = [];
      if (x.port >= 0 && !server?.listening) out.push('xmpp listener is not listening');
      if (x.tls_port >= 0 && !tlsServer?.listening) out.push('xmpp TLS listener is not listening');
      return out;
    },
  };
}
