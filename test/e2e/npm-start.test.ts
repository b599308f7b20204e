import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/backends.js';

/**
 * `npm start` then SIGTERM to npm's pid (what a supervisor, or `npm start & kill $!`,
 * does) must stop the server, not orphan it. This runs the real start script with
 * the real npm, shell and bin/parley.js; only the build step is skipped (the
 * package's `build` is a no-op and its dist/ points at src/ through tsx).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });
}

/** Polls `cond` until it holds; fails after `limitMs` (only ever reached when the test fails). */
async function eventually(cond: () => boolean | Promise<boolean>, what: string, limitMs = 30_000) {
  const until = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`still not true: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('npm start', () => {
  const t = tempDir('parley-npm-start-');
  let serverPid = 0;
  afterAll(() => {
    if (serverPid && alive(serverPid)) process.kill(serverPid, 'SIGKILL');
    t.cleanup();
  });

  it('stops the server when npm receives SIGTERM', { timeout: 120_000 }, async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const app = join(t.dir, 'app');
    mkdirSync(join(app, 'bin'), { recursive: true });
    mkdirSync(join(app, 'dist', 'cli'), { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'parley-start-test',
        private: true,
        type: 'module',
        scripts: { build: 'node -e 0', start: pkg.scripts.start },
      }),
    );
    copyFileSync(join(ROOT, 'bin', 'parley.js'), join(app, 'bin', 'parley.js'));
    writeFileSync(
      join(app, 'dist', 'cli', 'index.js'),
      `export * from ${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'cli', 'index.ts')).href)};\n`,
    );
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));

    const npm = spawn('npm', ['start', '--silent'], {
      cwd: app,
      env: {
        ...process.env,
        NODE_OPTIONS: '--import tsx',
        PARLEY_DATA_DIR: join(t.dir, 'data'),
        PARLEY_SERVER_HOST: '127.0.0.1',
        PARLEY_SERVER_PORT: '0',
        PARLEY_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout.on('data', (c) => (out += c));
    npm.stderr.on('data', (c) => (out += c));
    const npmExited = new Promise<void>((r) => npm.on('exit', () => r()));
    await eventually(() => /Parley is running/.test(out), `the server starts:\n${out}`, 60_000);
    const port = Number(/Parley is running: http:\/\/[^:]+:(\d+)\//.exec(out)![1]);
    serverPid = Number(/"pid":(\d+)/.exec(out)![1]);
    expect(alive(serverPid)).toBe(true);

    npm.kill('SIGTERM');
    await npmExited;
    await eventually(() => !alive(serverPid), `the server (pid ${serverPid}) exits`);
    await eventually(() => portRefuses(port), `port ${port} is released`);
    expect(out).toMatch(/"msg":"stopped"/);
  });
});
