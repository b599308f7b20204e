import { existsSync } from 'node:fs';
import { chmod, constants, copyFile, link, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * A consistent copy of a live SQLite database, through SQLite's online backup
 * API: a running server keeps reading and writing meanwhile, and the copy holds
 * exactly what was committed when the last step of the copy ran. It is written
 * under a temporary name, checked, turned into one self-contained file (no
 * -wal beside it) and only then linked under `to`, which must not exist: a
 * failed or interrupted backup never leaves a file that looks like a good one.
 */
export async function backupSqlite(from: string, to: string): Promise<{ bytes: number }> {
  if (!existsSync(from)) throw new Error(`there is no database at ${from}`);
  if (existsSync(to)) throw new Error(`${to} already exists; give a new file name`);
  if (!existsSync(dirname(to))) throw new Error(`cannot write ${to}: its folder does not exist`);
  const partial = `${to}.partial-${process.pid}`;
  try {
    // Created 0600 before SQLite writes a byte of it: a copy is as private as the database.
    await writeFile(partial, '', { flag: 'wx', mode: 0o600 });
    const src = new Database(from, { fileMustExist: true });
    try {
      src.pragma('busy_timeout = 5000');
      await src.backup(partial);
    } finally {
      src.close();
    }
    const copy = new Database(partial, { fileMustExist: true });
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed SQLite's check: ${String(check)}`);
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    // link() fails if `to` appeared meanwhile, where rename() would replace it.
    await link(partial, to).catch(async (err: NodeJS.ErrnoException) => {
      // Some filesystems (FAT, some network mounts) have no hard links.
      if (err.code !== 'EPERM' && err.code !== 'ENOTSUP' && err.code !== 'ENOSYS') throw err;
      await copyFile(partial, to, constants.COPYFILE_EXCL);
      await chmod(to, 0o600);
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new Error(`${to} already exists; give a new file name`);
    if (code === 'SQLITE_CANTOPEN' || code === 'EACCES' || code === 'EROFS')
      throw new Error(`cannot write ${to}: may this user write to its folder?`);
    throw err;
  } finally {
    await rm(partial, { force: true });
  }
  return { bytes: (await stat(to)).size };
}
