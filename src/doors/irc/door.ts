import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Core } from '../../core/core.js';
import type { Door } from '../../core/door.js';
import { createConnectionCounter } from '../../core/limits/connections.js';
import { IrcConnection } from './connection.js';
import { CHANNELLEN, CHANTYPES, PREFIX } from './mapping/channel.js';
import { isupportMessages } from './mapping/isupport.js';
import { ELIST } from './mapping/elist.js';
import { NICKLEN } from './mapping/nick.js';
import { MAX_TARGETS } from './handlers/messaging.js';
import { MONITOR_MAX } from './handlers/queries.js';
import { HISTORY_MAX } from '../../core/messages/service.js';
import type { Certificates } from '../tls/certificates.js';
import type { HttpDoor } from '../http/server.js';
import { type IrcTransport, webSocketTransport } from './transport.js';
import { listen, portOf } from '../listen.js';

/**
 * The IRC door (docs/irc.md): a plain TCP listener (`irc.port`) turning
 * connections into IrcConnections. Its settings are the `[irc]` section; a port
 * of -1 switches it off, 0 takes a free port.
 */
/** Where browser IRC clients (gamja, Kiwi IRC) connect on the HTTP server. */
export const IRC_WS_PATH = '/irc';

export interface IrcDoor extends Door {
  /**
   * Adds IRC over WebSocket (IRCv3 `text.ircv3.net` / `binary.ircv3.net`) to the
   * native door's HTTP server, at IRC_WS_PATH; call before it starts.
   */
  mount(http: HttpDoor): void;
  /** The bound plain port once started (undefined when off). */
  port(): number | undefined;
  /** The bound TLS port once started (undefined when off). */
  tlsPort(): number | undefined;
}

export function createIrcDoor(deps: {
  core: Core;
  config: Config;
  logger: Logger;
  /** The shared certificate (doors/tls), asked for only when the TLS port is on. */
  certificates: () => Promise<Certificates>;
  /** The base of file links (main.ts: `files.public_url` or the native door's address). */
  fileLinks?: () => string;
}): IrcDoor {
  const { config, logger } = deps;
  const irc = config.irc;
  const connections = new Set<IrcConnection>();
  const perAddress = createConnectionCounter(config.limits.connections_per_address);
  let server: Server | undefined;
  let tlsServer: Server | undefined;
  let detach: (() => void) | undefined;
  let draining = false;
  const commandCounts = new Map<string, number>();
  // One sweep drives every connection's deadlines, pings and guest renewal (IrcConnection.tick).
  let sweep: NodeJS.Timeout | undefined;
  // Split for the longest nick, so every client's 005 lines fit; the nick is filled in per client.
  const isupport = isupportMessages(irc.server_name, 'x'.repeat(NICKLEN), [
    ['CASEMAPPING', 'ascii'],
    ['CHANTYPES', CHANTYPES],
    ['CHANNELLEN', String(CHANNELLEN)],
    ['NICKLEN', String(NICKLEN)],
    ['PREFIX', PREFIX],
    ['CHANMODES', 'b,,,int'],
    ['NETWORK', 'Parley'],
    ['TOPICLEN', '500'],
    ['KICKLEN', '500'],
    ['MODES', '4'],
    ['TARGMAX', `PRIVMSG:${MAX_TARGETS},NOTICE:${MAX_TARGETS},JOIN:20,PART:20,KICK:10`],
    ['UTF8ONLY', true],
    ['CHATHISTORY', String(HISTORY_MAX)],
    ['MSGREFTYPES', 'msgid,timestamp'],
    ['MONITOR', String(MONITOR_MAX)],
    ['WHOX', true],
    ['ELIST', ELIST],
    ['SAFELIST', true],
  ]).map((m) => m.params.slice(1, -1));
  // What every connection shares: one object for the door, not one per connection.
  const shared = {
    core: deps.core,
    config,
    logger,
    isupport,
    startedAt: Date.now(),
    commandCounts,
    connections: () => connections,
    ...(deps.fileLinks ? { fileLinks: deps.fileLinks } : {}),
    closed: (c: IrcConnection) => {
      connections.delete(c);
      perAddress.close(c.address);
    },
  };

  function accept(socket: IrcTransport): void {
    const address = socket.remoteAddress ?? 'unknown';
    if (draining || !perAddress.open(address)) {
      socket.on('error', () => {});
      socket.write(
        draining
          ? 'ERROR :Closing link: server shutting down\r\n'
          : 'ERROR :Closing link: too many connections from your address\r\n',
      );
      socket.end();
      if (!draining) return;
      return;
    }
    connections.add(new IrcConnection(socket, shared));
    sweep ??= setInterval(() => {
      const now = Date.now();
      for (const c of connections) c.tick(now);
    }, 500).unref();
  }

  return {
    name: 'irc',
    mount(http) {
      if (!irc.websocket) return;
      http.webSocketPaths.add(IRC_WS_PATH);
      http.app.route({
        method: 'GET',
        url: IRC_WS_PATH,
        handler: async (_req, reply) => {
          reply.code(426).header('upgrade', 'websocket');
          return 'IRC over WebSocket: connect with the text.ircv3.net or binary.ircv3.net subprotocol\n';
        },
        wsHandler: (ws, req) => {
          // @fastify/websocket's own listener closes over the request: the transport listens itself.
          for (const l of ws.listeners('error')) ws.off('error', l as () => void);
          accept(webSocketTransport(ws, req.ip));
        },
      });
    },
    async start() {
      const host = irc.host || config.server.host;
      if (irc.port >= 0) {
        server = createServer({ noDelay: true }, accept);
        await listen(server, host, irc.port);
        logger.info({ port: portOf(server) }, 'irc door listening');
      }
      if (irc.tls_port >= 0) {
        const certs = await deps.certificates();
        const s = createTlsServer({ ...certs.pem(), minVersion: 'TLSv1.2' });
        // The handshake is done: the connection starts; one that fails it is dropped.
        s.on('secureConnection', accept);
        s.on('tlsClientError', () => {});
        detach = certs.attach(s);
        tlsServer = s;
        await listen(s, host, irc.tls_port);
        logger.info({ port: portOf(s) }, 'irc door listening with TLS');
      }
    },
    port: () => portOf(server),
    tlsPort: () => portOf(tlsServer),
    async drain() {
      draining = true;
      server?.close();
      tlsServer?.close();
      detach?.();
      for (const c of [...connections]) c.end('Server shutting down');
    },
    async stop() {
      draining = true;
      clearInterval(sweep);
      server?.close();
      tlsServer?.close();
      detach?.();
      for (const c of [...connections]) c.end('Server shutting down');
    },
    async problems() {
      return irc.port >= 0 && !server?.listening && !draining
        ? ['irc listener is not listening']
        : [];
    },
  };
}
