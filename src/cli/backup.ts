import { resolve } from 'node:path';
import { describeStore } from '../store/open.js';
import { backupSqlite } from '../store/sqlite/backup.js';
import { type Args, UsageError } from './args.js';
import { cliConfig } from './config-path.js';
import { type CliIO, complain, say } from './io.js';

/** `parley backup FILE`: a copy of the embedded SQLite database, safe while the server runs. */
export async function backup(args: Args, io: CliIO): Promise<number> {
  const target = args.positional[1];
  if (!target || args.positional.length > 2) throw new UsageError('usage: parley backup FILE');
  const config = cliConfig(args, io);
  const { kind, where } = describeStore({ url: config.database.url, dataDir: config.data.dir });
  if (kind === 'postgres') {
    complain(
      io,
      `parley: the database is PostgreSQL (${where}): back it up with pg_dump (docs/operations.md, "Backups")`,
    );
    return 1;
  }
  if (where === ':memory:') {
    complain(io, 'parley: the database is in memory: there is nothing on disk to back up');
    return 1;
  }
  const to = resolve(target);
  const { bytes } = await backupSqlite(where, to);
  say(io, `backed up ${where} to ${to} (${(bytes / 1_048_576).toFixed(1)} MB)`);
  return 0;
}
