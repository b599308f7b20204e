import { join, resolve } from 'node:path';
import { migrateDiskToS3, type MigrateProgress } from '../blobs/migrate.js';
import { createS3BlobStore } from '../blobs/s3.js';
import { s3OptionsFrom } from '../blobs/s3-client.js';
import { type Args, UsageError } from './args.js';
import { cliConfig } from './config-path.js';
import { type CliIO, complain, say } from './io.js';

/** Progress lines at most this often (a summary always ends the run). */
const PROGRESS_EVERY_MS = 5000;

const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

/**
 * `parley files migrate`: copies the blobs under data.dir/files (the disk store)
 * into the bucket `[files.s3]` names, for an operator moving to S3. Safe while
 * the server runs on disk, and rerun safely: what the bucket holds is skipped.
 * The steps around it are in docs/operations.md ("Moving files from disk to S3").
 */
export async function files(args: Args, io: CliIO, now: () => number = Date.now): Promise<number> {
  if (args.positional[1] !== 'migrate' || args.positional.length > 2)
    throw new UsageError('usage: parley files migrate [--config FILE]');
  const config = cliConfig(args, io);
  const f = config.files;
  if (!f.s3_bucket) {
    complain(
      io,
      'parley: files migrate copies the files on disk to the bucket of [files.s3]: set its bucket, endpoint and keys first (in the config, or PARLEY_FILES_S3_* variables for this command alone)',
    );
    return 1;
  }
  // Where the server keeps them (main.ts): data.dir/files.
  const root = join(resolve(config.data.dir), 'files');
  const where = `S3 bucket "${f.s3_bucket}" at ${f.s3_endpoint || `AWS ${f.s3_region}`}`;
  say(io, `copying the files under ${join(root, 'blobs')} to ${where}`);
  const s3 = createS3BlobStore(s3OptionsFrom(f));
  let last = now();
  const progress = (q: Readonly<MigrateProgress>) => {
    if (now() - last < PROGRESS_EVERY_MS) return;
    last = now();
    say(
      io,
      `${q.done} of ${q.total} files: ${q.copied} copied (${mb(q.copiedBytes)} of ${mb(q.totalBytes)}), ${q.present} already there`,
    );
  };
  const p = await migrateDiskToS3(root, s3, progress).finally(() => s3.close());
  for (const x of p.failed) complain(io, `not copied: ${x.sha256}: ${x.why}`);
  if (p.strays)
    say(
      io,
      `left alone: ${p.strays} entries under blobs/ that are not files of Parley's (${p.strayNames.join(', ')}${p.strays > p.strayNames.length ? ', ...' : ''})`,
    );
  say(
    io,
    `${p.stopped ? 'stopped' : 'done'}: ${p.copied} copied (${mb(p.copiedBytes)}), ${p.present} already in the bucket, ${p.failed.length} not copied${p.gone ? `, ${p.gone} deleted meanwhile` : ''}; ${p.total} files on disk`,
  );
  if (p.stopped) {
    complain(io, `parley: the copy stopped ${p.stopped}; run it again to go on from there`);
    return 1;
  }
  if (p.failed.length) {
    complain(
      io,
      'parley: some files were not copied (above): restore them from a backup, then run this again',
    );
    return 1;
  }
  say(
    io,
    `Every file is in the bucket. Next: stop the server, run parley files migrate once more (it copies only what came since), then start the server with [files.s3] in its config. It no longer reads ${join(root, 'blobs')} or ${join(root, 'derived')}: remove them once files open.`,
  );
  return 0;
}
