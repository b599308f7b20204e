// Interleaved runs of ../shared/ircbench for a loaded machine (docs/benchmarks.md, "Second
// performance round"): for each rep, case and server a fresh server, bench.mjs, stop. Parley
// trees (before/after: `git archive` copies with node_modules linked) get up to 120 s to open
// their port, which run-baseline.mjs's 10 s did not allow under load.
//   node bench/irc-interleaved.mjs --reps 2 --cases fanout500-max,connect,fanout500-rate \
//     --servers before,after,inspircd --out /tmp/ircperf/final.jsonl
// PARLEY_BEFORE / PARLEY_AFTER name the trees (default /tmp/ircperf/before, /tmp/ircperf/after).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
const H = '/work/shared/ircbench';
const { startServer, stopServer } = await import(`${H}/servers.mjs`);
const a = Object.fromEntries(
  process.argv
    .slice(2)
    .reduce((acc, v, i, arr) => (i % 2 ? acc : [...acc, [v.replace(/^--/, ''), arr[i + 1]]]), []),
);
const CASES = {
  connect: [
    '--scenario',
    'connect',
    '--clients',
    '10000',
    '--connect-rate',
    '150',
    '--concurrency',
    '300',
    '--reg-timeout',
    '120',
    '--settle',
    '3',
  ],
  'fanout500-max': [
    '--scenario',
    'fanout',
    '--members',
    '500',
    '--senders',
    '5',
    '--window',
    '16',
    '--duration',
    '8',
  ],
  'fanout500-rate': [
    '--scenario',
    'fanout',
    '--members',
    '500',
    '--senders',
    '5',
    '--rate',
    '100',
    '--duration',
    '8',
  ],
  'direct-max': ['--scenario', 'direct', '--pairs', '500', '--window', '8', '--duration', '8'],
};
const TREES = {
  before: process.env.PARLEY_BEFORE || '/tmp/ircperf/before',
  after: process.env.PARLEY_AFTER || '/tmp/ircperf/after',
};
const portOpen = (port) =>
  new Promise((r) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      r(true);
    });
    s.on('error', () => r(false));
  });
async function startParley(tree) {
  const port = 16691;
  fs.mkdirSync('/tmp/ircperf/work', { recursive: true });
  const log = fs.openSync(`/tmp/ircperf/parley-${Date.now()}.log`, 'a');
  const child = spawn(
    'bash',
    [
      '-c',
      `ulimit -n 20000 && cd ${tree} && exec node --import tsx bench/irc-self.ts --port ${port} --dir /tmp/ircperf/work`,
    ],
    { stdio: ['ignore', log, log] },
  );
  let exited = null;
  child.on('exit', (c, s) => {
    exited = { c, s };
  });
  for (let i = 0; i < 1200 && !(await portOpen(port)); i++) {
    if (exited) throw new Error('parley exited');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500));
  return { pid: child.pid, port, child, exited: () => exited, parley: true };
}
async function stopParley(h) {
  if (h.exited()) return;
  const done = new Promise((r) => h.child.once('exit', r));
  process.kill(h.pid, 'SIGTERM');
  const t = setTimeout(() => process.kill(h.pid, 'SIGKILL'), 10000);
  await done;
  clearTimeout(t);
}
function bench(args) {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [`${H}/bench.mjs`, ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    const t = setTimeout(() => c.kill('SIGKILL'), 400000);
    c.on('exit', () => {
      clearTimeout(t);
      const l = out.split('\n').find((x) => x.startsWith('{'));
      resolve(l ? JSON.parse(l) : { ok: false, error: 'no output' });
    });
  });
}
const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
for (let rep = 1; rep <= +(a.reps || 1); rep++)
  for (const c of a.cases.split(','))
    for (const s of a.servers.split(',')) {
      const h = TREES[s] ? await startParley(TREES[s]) : await startServer(s);
      const l0 = load();
      const rec = await bench([
        '--port',
        String(h.port),
        '--pid',
        String(h.pid),
        '--label',
        s,
        ...CASES[c],
      ]);
      await (h.parley ? stopParley(h) : stopServer(h));
      Object.assign(rec, {
        rep,
        case: c,
        server: s,
        load_before: l0,
        load_after: load(),
        at: new Date().toISOString(),
      });
      fs.appendFileSync(a.out, JSON.stringify(rec) + '\n');
      const r = rec.result || {};
      console.error(
        `rep ${rep} ${c} ${s}: ok=${rec.ok} ${rec.error || ''} deliv/cpu=${r.deliveries_per_server_cpu_s ?? '-'} reg/cpu=${r.reg_per_server_cpu_s ?? '-'} kb/conn=${r.kb_per_conn ?? '-'} p99=${r.latency?.p99_ms ?? '-'} load=${l0}`,
      );
      await new Promise((r) => setTimeout(r, 1000));
    }
