import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The database holds password hashes, tokens' hashes and every message: only
 * the server's own user may read it. SQLite gives the -wal and -shm files the
 * mode of the database file, so the file is created 0600 before SQLite opens
 * it (no moment where it is readable by others), and files an older version
 * left readable are narrowed. Folders Parley creates are 0700; `ownDir` (the
 * configured data.dir, when the database lives there) is narrowed too, while a
 * folder named in a `sqlite:PATH` URL is the operator's and left as it is.
 */
export function prepareDatabaseFiles(path: string, ownDir?: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (ownDir !== undefined) chmodSync(ownDir, 0o700);
  // 'a' creates without truncating: another process may be opening the same file.
  closeSync(openSync(path, 'a', 0o600));
  narrowDatabaseFiles(path);
}

/** chmod 0600 on the database file and its -wal and -shm, where they exist. */
export function narrowDatabaseFiles(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(p)) chmodSync(p, 0o600);
}
