import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './backends.js';

/** The EICAR anti-virus test string: harmless, and flagged by every scanner. */
export const EICAR = Buffer.from(
  'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*',
  'latin1',
);

/** Debian's clamd, when installed (CI installs clamav-daemon). */
export const CLAMD = ['/usr/sbin/clamd', 'clamd'].find(
  (bin) => spawnSync(bin, ['--version']).status === 0,
);

if (process.env.CI === 'true' && !CLAMD)
  throw new Error('CI=true but clamd is not installed: .ci/run installs clamav-daemon');

const ping = (socket: string) =>
  new Promise<boolean>((resolve) => {
    const s = connect(socket);
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('PONG')) {
        s.destroy();
        resolve(true);
      }
    });
    s.on('error', () => resolve(false));
    s.on('close', () => resolve(got.includes('PONG')));
    s.on('connect', () => s.write('zPING\0'));
  });

/**
 * Starts clamd in the foreground with a temp config: no freshclam and no system
 * database (there is no network), only a signature file made here that knows
 * EICAR by its MD5 (`.hdb`: md5:size:name), and a Unix socket in the temp dir.
 */
export async function startClamd(
  bin: string,
  /** More clamd.conf lines, e.g. "StreamMaxLength 64K". */
  extra: readonly string[] = [],
): Promise<{
  socket: string;
  stop(): Promise<void>;
}> {
  const t = tempDir('parley-clamd-');
  const db = join(t.dir, 'db');
  mkdirSync(db);
  const md5 = createHash('md5').update(EICAR).digest('hex');
  writeFileSync(join(db, 'parley-test.hdb'), `${md5}:${EICAR.length}:Parley.Test.EICAR\n`);
  const socket = join(t.dir, 'clamd.sock');
  const conf = join(t.dir, 'clamd.conf');
  writeFileSync(
    conf,
    [
      'Foreground yes',
      `LocalSocket ${socket}`,
      `DatabaseDirectory ${db}`,
      `TemporaryDirectory ${t.dir}`,
      `LogFile ${join(t.dir, 'clamd.log')}`,
      ...extra,
    ].join('\n') + '\n',
  );
  const child: ChildProcess = spawn(bin, ['-c', conf], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let dead = false;
  void exited.then(() => (dead = true));
  // Ready when it answers PING (loading one signature takes a moment).
  for (;;) {
    if (dead) throw new Error(`clamd exited at start (see ${join(t.dir, 'clamd.log')})`);
    if (await ping(socket)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    socket,
    async stop() {
      if (!dead) {
        child.kill('SIGTERM');
        await exited;
      }
      t.cleanup();
    },
  };
}
