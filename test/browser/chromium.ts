import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Browser tests drive Debian's Chromium with playwright-core (never
 * `playwright install`). Without it they are skipped and say so, except in CI
 * (CI=true), where .ci/run installs it and a missing browser fails the run.
 */
export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

if (!HAVE_CHROMIUM) {
  if (process.env.CI === 'true')
    throw new Error(
      `CI=true but ${CHROMIUM} is missing: .ci/run installs it with apt-get install chromium`,
    );
  console.warn(
    `[parley tests] browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`,
  );
}

/** The flags of DESIGN.md; playwright adds a fresh --user-data-dir of its own. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fake camera and microphone that need no permission prompt (DESIGN.md's WebRTC flags). */
export const MEDIA_ARGS = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST_INDEX = join(ROOT, 'web', 'dist', 'index.html');

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

/** Builds web/dist when it is missing or older than its sources (web/ and the SDK). */
export function ensureWebBuilt(): void {
  const sources = [
    join(ROOT, 'web', 'src'),
    join(ROOT, 'web', 'public'),
    join(ROOT, 'web', 'index.html'),
    join(ROOT, 'web', 'vite.config.ts'),
    join(ROOT, 'src', 'sdk'),
  ].filter(existsSync);
  const built = existsSync(DIST_INDEX) ? statSync(DIST_INDEX).mtimeMs : 0;
  if (built && Math.max(...sources.map(newest)) <= built) return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web', '--logLevel', 'warn'],
    { cwd: ROOT, stdio: 'inherit' },
  );
}
