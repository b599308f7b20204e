import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Core } from '../../core/core.js';
import type { Door } from '../../core/door.js';
import { createConnectionCounter } from '../../core/limits/connections.js';
import type { HttpDoor } from '../http/server.js';
import type { Certificates } from '../tls/certificates.js';
import { XmppConnection } from './connection.js';
import { Resumption } from './resumption.js';
import { hostMetaJson, hostMetaXml, webSocketIsSecure, webSocketUrl } from './discovery.js';
import { type XmppTransport, webSocketTransport, XMPP_WS_PROTOCOL } from './transport.js';
import { listen, portOf } from '../listen.js';

/**
 * The XMPP door (docs/xmpp.md): client-to-server streams (RFC 6120) on
 * `xmpp.port` with STARTTLS and on `xmpp.tls_port` with direct TLS (XEP-0368),
 * both on the shared certificate. A port of -1 switches that listener off, 0
 * takes a free one. Each accepted socket is an XmppConnection.
 */
export interface XmppDoor extends Door {
  /**
   * Adds XMPP over WebSocket (RFC 7395, subprotocol `xmpp`) at `xmpp.websocket_path`
   * and its XEP-0156 discovery (/.well-known/host-meta[.json]) to the native door's
   * HTTP server; call before it starts.
   */
  mount(http: HttpDoor): void;
  /** The bound STARTTLS port once started (undefined when off). */
  port(): number | undefined;
  /** The bound direct-TLS port once started (undefined when off). */
  tlsPort(): number | undefined;
}

const noop = (): void => {};

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
  const resumption = new Resumption<XmppConnection>(x.max_detached);
  // One object for every connection (not one with its own closure per connection).
  const connDeps = {
    core: deps.core,
    config,
    logger,
    get certificates() {
      return certs;
    },
    resumption,
    // Verified entity-caps hashes (XEP-0115), shared by every stream of the door.
    capsCache: new Map(),
    closed(c: XmppConnection) {
      connections.delete(c);
      perAddress.close(c.address);
    },
  };
  // One sweep drives every stream's login deadline, pings and idle parser (XmppConnection.tick).
  let sweep: NodeJS.Timeout | undefined;

  function accept(socket: XmppTransport, opts: { tls: boolean; framing?: 'websocket' }): void {
    // The connection's address is this one too (XmppConnection.address), closed() frees it.
    if (draining || !perAddress.open(socket.remoteAddress ?? 'unknown')) {
      socket.on('error', noop);
      socket.destroy();
      return;
    }
    // The connection listens for 'error' itself, at once.
    connections.add(new XmppConnection(socket, opts, connDeps));
    sweep ??= setInterval(() => {
      const now = Date.now();
      for (const c of connections) c.tick(now);
    }, 500).unref();
  }

  function shut(): void {
    draining = true;
    clearInterval(sweep);
    server?.close();
    tlsServer?.close();
    detach?.();
    for (const c of [...connections]) c.end('system-shutdown', 'server shutting down');
    resumption.expireAll();
  }

  return {
    name: 'xmpp',
    mount(http) {
      if (!x.websocket) return;
      const path = x.websocket_path;
      http.webSocketPaths.add(path);
      http.app.route({
        method: 'GET',
        url: path,
        handler: async (_req, reply) => {
          reply.code(426).header('upgrade', 'websocket');
          return `XMPP over WebSocket (RFC 7395): connect with the ${XMPP_WS_PROTOCOL} subprotocol\n`;
        },
        wsHandler: (ws, req) => {
          for (const l of ws.listeners('error')) ws.off('error', l as () => void);
          // RFC 7395 3.2: without the subprotocol this is not an XMPP stream.
          if (ws.protocol !== XMPP_WS_PROTOCOL) {
            ws.on('error', () => {});
            ws.close(1002, `subprotocol ${XMPP_WS_PROTOCOL} is required`);
            return;
          }
          accept(webSocketTransport(ws, req.ip), {
            tls: webSocketIsSecure(req),
            framing: 'websocket',
          });
        },
      });
      http.app.get('/.well-known/host-meta', async (req, reply) => {
        const url = webSocketUrl(req, path);
        if (url === undefined) return reply.code(400).send('bad Host header\n');
        reply.header('content-type', 'application/xrd+xml; charset=utf-8');
        reply.header('access-control-allow-origin', '*');
        return hostMetaXml(url);
      });
      http.app.get('/.well-known/host-meta.json', async (req, reply) => {
        const url = webSocketUrl(req, path);
        if (url === undefined) return reply.code(400).send('bad Host header\n');
        reply.header('access-control-allow-origin', '*');
        return hostMetaJson(url);
      });
    },
    async start() {
      const host = x.host || config.server.host;
      if (x.port < 0 && x.tls_port < 0) return;
      // STARTTLS needs the certificate as much as the TLS port does.
      certs = await deps.certificates();
      if (x.port >= 0) {
        server = createServer({ noDelay: true }, (s: Socket) => accept(s, { tls: false }));
        await listen(server, host, x.port);
        logger.info({ port: portOf(server), domain: x.domain }, 'xmpp door listening');
      }
      if (x.tls_port >= 0) {
        // No Nagle, as on the STARTTLS port: a stanza written after another in the same turn
        // (a notification, then an iq's answer) would otherwise wait for the peer's delayed ACK.
        const s = createTlsServer({ ...certs.pem(), minVersion: 'TLSv1.2', noDelay: true });
        s.on('secureConnection', (sock: Socket) => accept(sock, { tls: true }));
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
