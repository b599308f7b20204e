import { createParley } from '../main.js';
import type { Args } from './args.js';
import { cliConfig } from './config-path.js';
import { type CliIO, say } from './io.js';

/** Runs the server until SIGTERM or SIGINT, then stops gracefully. */
export async function serve(args: Args, io: CliIO): Promise<number> {
  const config = cliConfig(args, io);
  const parley = await createParley(config);
  const port = await parley.listen();
  const host =
    config.server.host === '0.0.0.0' || config.server.host === '::'
      ? 'localhost'
      : config.server.host;
  say(io, `Parley is running: http://${host}:${port}/  (Ctrl+C stops it)`);
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
