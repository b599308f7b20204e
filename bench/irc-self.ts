/**
 * Parley as `self` for ../shared/ircbench (its README): one foreground process
 * (so the harness's PID is the server's) with the IRC door on --port, a fresh
 * SQLite database under --dir, limits raised as the harness asks (one address,
 * no flood control), and the public room #bench made before listening, since
 * the harness's clients are guests (no SASL) and guests join existing public
 * rooms only.
 *
 *   export IRCBENCH_SELF_PORT=16671
 *   export IRCBENCH_SELF_CMD="exec node --import tsx $PWD/bench/irc-self.ts --port 16671 --dir /tmp/ircbench-work/self"
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildConfig } from '../src/config/load.js';
import { createParley } from '../src/main.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '16671' }, dir: { type: 'string' } },
});
const base = values.dir ?? '/tmp';
const dir = mkdtempSync(join(base, 'parley-ircbench-'));
const config = buildConfig({
  server: { host: '127.0.0.1', port: 0 },
  data: { dir },
  log: { level: 'warn' },
  registration: { accounts_per_address_per_hour: 1_000_000 },
  limits: { connections_per_address: 1_000_000, requests_per_minute_per_address: 1_000_000 },
  messages: { per_second: 100_000, burst: 100_000 },
  rooms: { max_members: 100_000 },
  irc: {
    port: Number(values.port),
    tls_port: -1,
    websocket: false,
    lines_per_second: 100_000,
    line_burst: 100_000,
    send_queue_bytes: 64 * 1024 * 1024,
    registration_timeout_seconds: 600,
  },
  xmpp: { port: -1, tls_port: -1 },
});
const parley = await createParley(config);
const host = await parley.core.accounts.register({
  username: 'benchhost',
  password: 'bench-password-1',
  address: '127.0.0.1',
});
await parley.core.rooms.create(host.user.id, { name: 'bench' });
await parley.listen();
const stop = () => {
  void parley.stop().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
