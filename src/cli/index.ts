import { ConfigError } from '../config/load.js';
import { isParleyError } from '../core/errors.js';
import { user, invite } from './admin.js';
import { parseArgs, UsageError } from './args.js';
import { backup } from './backup.js';
import { doctor } from './doctor.js';
import { files } from './files.js';
import { type CliIO, complain, processIO, say } from './io.js';
import { serve } from './serve.js';
import { StartupError } from '../main.js';
import { VERSION } from '../version.js';

const HELP = `parley: an instant-messaging server

usage:
  parley serve [--config FILE]            run the server (web client, REST, WebSocket)
  parley doctor [--config FILE]           check config, database, bus and port
  parley user add NAME                    create an account (password from a prompt or stdin)
  parley user list [--after NAME] [--limit N]
  parley user passwd NAME                 set a password; signs the user out everywhere
  parley user disable NAME | enable NAME  stop or allow logins; disabling signs out
  parley user delete NAME --yes           delete an account and its personal data
  parley invite create [--uses N] [--expires 7d|never]   print an invite code
  parley invite list [--limit N]          invites with uses left (by id: codes are stored hashed)
  parley backup FILE                      copy the SQLite database to FILE, safe while running
  parley files migrate                    copy the files on disk to the [files.s3] bucket
                                          (rerun safely; see docs/operations.md)

Every command reads --config FILE, else $PARLEY_CONFIG, else ./parley.toml if present,
then PARLEY_<SECTION>_<KEY> environment variables (see parley.example.toml).
`;

export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const args = parseArgs(argv, ['yes', 'help']);
  const cmd = args.positional[0];
  try {
    if (!cmd || cmd === 'help' || args.flags.get('help') === true) {
      say(io, HELP.trimEnd());
      return cmd || args.flags.get('help') ? 0 : 2;
    }
    switch (cmd) {
      case 'serve':
        return await serve(args, io);
      case 'doctor':
        return await doctor(args, io);
      case 'user':
        return await user(args, io);
      case 'invite':
        return await invite(args, io);
      case 'backup':
        return await backup(args, io);
      case 'files':
        return await files(args, io);
      case 'version':
        say(io, `parley ${VERSION}`);
        return 0;
      default:
        throw new UsageError(`unknown command "${cmd}"; try parley help`);
    }
  } catch (err) {
    if (err instanceof UsageError) complain(io, `parley: ${err.message}`);
    else if (err instanceof ConfigError || err instanceof StartupError)
      complain(io, `parley: ${err.message}\n(run parley doctor for a full check)`);
    else if (isParleyError(err)) complain(io, `parley: ${err.message}`);
    else complain(io, `parley: ${(err as Error).message ?? String(err)}`);
    return err instanceof UsageError ? 2 : 1;
  }
}
