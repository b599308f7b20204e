/**
 * Parley for the side-by-side XMPP run (bench/xmpp/README.md): one foreground
 * process with the XMPP door on --port (STARTTLS), limits raised as a load test
 * from one address needs, and the accounts bench0..bench{N-1} in a fresh copy of
 * a template database (made once under --template, since hashing 5,000 passwords
 * with argon2id takes minutes and is not what is measured).
 *
 *   node --import tsx bench/xmpp/parley-self.ts --port 35222 --users 5000 \
 *     --template /tmp/xmppbench/parley-template --dir /tmp/xmppbench/parley
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import type { buildConfig as BuildConfig } from '../../src/config/load.js';
import type { createParley as CreateParley } from '../../src/main.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '35222' },
    users: { type: 'string', default: '5000' },
    template: { type: 'string', default: '/tmp/xmppbench/parley-template' },
    dir: { type: 'string', default: '/tmp/xmppbench/parley' },
    password: { type: 'string', default: 'bench-password-1' },
    cert: { type: 'string' },
    key: { type: 'string' },
    // With `node --expose-gc`: on SIGUSR2, collect garbage and append memoryUsage() as a
    // JSON line to this file, plus a heap snapshot beside it when --snapshots is set.
    'mem-file': { type: 'string' },
    snapshots: { type: 'boolean', default: false },
    // Run the compiled server (dist/, `npx tsc -p tsconfig.build.json` first), as `npm start`
    // does: under tsx every function gets a name property (esbuild's keepNames), which
    // costs a few hundred bytes per closure, so per connection.
    build: { type: 'boolean', default: false },
  },
});
const root = values.build ? '../../dist' : '../../src';
const { buildConfig } = (await import(`${root}/config/load.js`)) as {
  buildConfig: typeof BuildConfig;
};
const { createParley } = (await import(`${root}/main.js`)) as { createParley: typeof CreateParley };
const users = Number(values.users);

function configFor(dir: string, port: number) {
  return buildConfig({
    server: { host: '127.0.0.1', port: 0 },
    data: { dir },
    log: { level: 'warn' },
    registration: { accounts_per_address_per_hour: 1_000_000 },
    login: { address_failures_per_minute: 100_000 },
    limits: { connections_per_address: 1_000_000, requests_per_minute_per_address: 1_000_000 },
    messages: { per_second: 100_000, burst: 100_000 },
    irc: { port: -1, tls_port: -1, websocket: false },
    // The same RSA certificate as Prosody's and ejabberd's, so TLS costs the same.
    ...(values.cert && values.key ? { tls: { cert: values.cert, key: values.key } } : {}),
    xmpp: {
      port,
      tls_port: -1,
      stanzas_per_second: 100_000,
      stanza_burst: 100_000,
      login_timeout_seconds: 600,
    },
  });
}

/** The template: a database holding the accounts, made once and then only copied. */
async function ensureTemplate(): Promise<string> {
  const tdir = join(values.template!, String(users));
  const db = join(tdir, 'parley.db');
  if (existsSync(db)) return db;
  mkdirSync(tdir, { recursive: true });
  const p = await createParley(configFor(tdir, -1));
  for (let i = 0; i < users; i += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, users - i) }, (_, k) =>
        p.core.accounts.register({
          username: `bench${i + k}`,
          password: values.password!,
          address: '127.0.0.1',
        }),
      ),
    );
    if (i % 500 === 0) process.stderr.write(`template: ${i}/${users} accounts\n`);
  }
  await p.stop();
  return db;
}

const template = await ensureTemplate();
mkdirSync(values.dir!, { recursive: true });
const dir = mkdtempSync(join(values.dir!, 'run-'));
copyFileSync(template, join(dir, 'parley.db'));
const parley = await createParley(configFor(dir, Number(values.port)));
await parley.listen();
process.stderr.write(`parley xmpp bench server on ${values.port} (pid ${process.pid})\n`);
const stop = () => {
  void parley.stop().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
};
let probes = 0;
process.on('SIGUSR2', () => {
  const file = values['mem-file'];
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!file || !gc) return;
  for (let i = 0; i < 4; i++) gc();
  const m = process.memoryUsage();
  const snapshot = values.snapshots
    ? writeHeapSnapshot(`${file}.${probes}.heapsnapshot`)
    : undefined;
  appendFileSync(file, JSON.stringify({ probe: probes++, ...m, snapshot }) + '\n');
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
