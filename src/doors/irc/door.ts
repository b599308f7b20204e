import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Core } from '../../core/core.js';
import type { Door } from '../../core/door.js';
import { createConnectionCounter } from '../../core/limits/connections.js';
import { IrcConnection } from './connection.js';
import { CHANNELLEN, CHANTYPES, PREFIX } from './mapping/channel.js';
import { isupportMessages } from './mapping/isupport.js';
import { NICKLEN } from './mapping/nick.js';
import { MAX_TARGETS } from './handlers/messaging.js';

/**
 * The IRC door (docs/irc.md): a plain TCP listener (`irc.port`) turning
 * connections into IrcConnections. Its settings are the `[irc]` section; a port
 * of -1 switches it off, 0 takes a free port.
 */
export interface IrcDoor extends Door {
  /** The bound plain port once started (undefined when off). */
  port(): number | undefined;
}

export function createIrcDoor(deps: { core: Core; config: Config; logger: Logger }): IrcDoor {
  const { config, logger } = deps;
  const irc = config.irc;
  const connections = new Set<IrcConnection>();
  const perAddress = createConnectionCounter(config.limits.connections_per_address);
  let server: Server | undefined;
  let draining = false;
  // Split for the longest nick, so every client's 005 lines fit; the nick is filled in per client.
  const isupport = isupportMessages(irc.server_name, 'x'.repeat(NICKLEN), [
    ['CASEMAPPING', 'ascii'],
    ['CHANTYPES', CHANTYPES],
    ['CHANNELLEN', String(CHANNELLEN)],
    ['NICKLEN', String(NICKLEN)],
    ['PREFIX', PREFIX],
    ['CHANMODES', 'b,,,imnt'],
    ['NETWORK', 'Parley'],
    ['TOPICLEN', '500'],
    ['KICKLEN', '500'],
    ['MODES', '4'],
    ['TARGMAX', `PRIVMSG:${MAX_TARGETS},NOTICE:${MAX_TARGETS},JOIN:20,PART:20,KICK:10`],
    ['UTF8ONLY', true],
  ]).map((m) => m.params.slice(1, -1));

  function accept(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    if (draining || !perAddress.open(address)) {
      socket.end(
        draining
          ? 'ERROR :Closing link: server shutting down\r\n'
          : 'ERROR :Closing link: too many connections from your address\r\n',
      );
      socket.on('error', () => {});
      if (!draining) return;
      return;
    }
    const conn = new IrcConnection(socket, {
      core: deps.core,
      config,
      logger,
      isupport,
      startedAt: Date.now(),
      closed: (c) => {
        connections.delete(c);
        perAddress.close(address);
      },
    });
    connections.add(conn);
  }

  return {
    name: 'irc',
    async start() {
      if (irc.port < 0) return;
      const s = createServer({ noDelay: true }, accept);
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen({ host: irc.host || config.server.host, port: irc.port }, () => {
          s.off('error', reject);
          resolve();
        });
      });
      logger.info({ port: (s.address() as { port: number }).port }, 'irc door listening');
    },
    port() {
      const a = server?.address();
      return typeof a === 'object' && a ? a.port : undefined;
    },
    async drain() {
      draining = true;
      server?.close();
      for (const c of [...connections]) c.end('Server shutting down');
    },
    async stop() {
      draining = true;
      server?.close();
      for (const c of [...connections]) c.end('Server shutting down');
    },
    async problems() {
      return irc.port >= 0 && !server?.listening && !draining
        ? ['irc listener is not listening']
        : [];
    },
  };
}
