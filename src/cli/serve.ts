import { createLogger, createParley } from '../main.js';
import type { Args } from './args.js';
import { cliConfig } from './config-path.js';
import { type CliIO, say } from './io.js';
import { waitForStore } from './wait-for-store.js';

/** Runs the server until SIGTERM or SIGINT, then stops gracefully; SIGHUP reloads. */
export async function serve(args: Args, io: CliIO): Promise<number> {
  const config = cliConfig(args, io);
  const logger = createLogger(config.log.level);
  const host =
    config.server.host === '0.0.0.0' || config.server.host === '::'
      ? 'localhost'
      : config.server.host;
  // SIGHUP rereads the TLS certificate (connections stay). Handled from the start: a
  // process without a handler dies of it, and one could come as soon as we say we run.
  let onHup = () => logger.info({ signal: 'SIGHUP' }, 'signal received: nothing to reload yet');
  const hup = () => onHup();
  process.on('SIGHUP', hup);
  try {
    return await run(config, logger, host, io, (fn) => (onHup = fn));
  } finally {
    process.off('SIGHUP', hup);
  }
}

async function run(
  config: ReturnType<typeof cliConfig>,
  logger: ReturnType<typeof createLogger>,
  host: string,
  io: CliIO,
  onHup: (fn: () => void) => void,
): Promise<number> {
  // A database that does not answer yet is waited for, not a reason to exit; a
  // SIGTERM or Ctrl+C meanwhile ends the wait (and the process) cleanly.
  const stopWaiting = new AbortController();
  const abortWait = () => stopWaiting.abort();
  process.once('SIGTERM', abortWait);
  process.once('SIGINT', abortWait);
  let waited;
  try {
    waited = await waitForStore(
      config,
      logger,
      (port) =>
        say(
          io,
          `Parley is waiting for its database: http://${host}:${port}/healthz answers meanwhile`,
        ),
      stopWaiting.signal,
    );
  } finally {
    process.off('SIGTERM', abortWait);
    process.off('SIGINT', abortWait);
  }
  if (!waited) {
    say(io, 'Parley stopped while waiting for its database');
    return 0;
  }
  // With server.port = 0 the waiting listener's port is kept, so probes keep finding it.
  // (The same config object: its warnings are looked up by identity.)
  (config.server as { port: number }).port = waited.port;
  const parley = await createParley(config, { logger });
  onHup(() => {
    parley.logger.info({ signal: 'SIGHUP' }, 'signal received: reloading');
    void parley.reload().catch((err) => parley.logger.error({ err }, 'reload failed'));
  });
  const port = await parley.listen();
  say(io, `Parley is running: http://${host}:${port}/  (Ctrl+C stops it)`);
  const irc = parley.doors.find((d) => d.name === 'irc') as
    { port?(): number | undefined } | undefined;
  const ircPort = irc?.port?.();
  if (ircPort !== undefined)
    say(io, `IRC clients connect to ${host}, port ${ircPort} (docs/irc.md)`);
  const xmpp = parley.doors.find((d) => d.name === 'xmpp') as
    { port?(): number | undefined } | undefined;
  const xmppPort = xmpp?.port?.();
  if (xmppPort !== undefined)
    say(
      io,
      `XMPP clients sign in as username@${config.xmpp.domain}, port ${xmppPort} (docs/xmpp.md)`,
    );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      parley.logger.info({ signal }, 'signal received');
      void parley.stop().then(resolve, (err) => {
        parley.logger.error({ err }, 'error while stopping');
        resolve();
      });
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  return 0;
}
