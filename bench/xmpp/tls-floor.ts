/**
 * What a bare Node TLS server costs per idle TLS connection: the floor under the
 * XMPP door's memory per connection (bench/xmpp/README.md). A server process
 * (forked, `--expose-gc`) accepts N clients from this process, each doing a full
 * handshake with the benchmark's RSA certificate and then staying idle; the server
 * reports RSS, V8 heap, external and array-buffer memory after forced GCs, before
 * and after. Modes:
 *
 * - `direct`: `tls.createServer` (as XEP-0368's direct TLS);
 * - `starttls`: a plain `net` server whose sockets are wrapped in `new TLSSocket(socket,
 *   { isServer: true })` after one line, as the door does for STARTTLS (two stream
 *   objects per connection);
 * - `tcp`: no TLS at all (what TLS adds is the difference).
 *
 *   node --import tsx bench/xmpp/tls-floor.ts --n 2000 --mode starttls \
 *     --cert /tmp/xmppbench/cert.pem --key /tmp/xmppbench/key.pem
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, createServer, type Socket } from 'node:net';
import {
  connect as tlsConnect,
  createSecureContext,
  createServer as createTlsServer,
  TLSSocket,
} from 'node:tls';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    mode: { type: 'string', default: 'starttls' },
    cert: { type: 'string', default: '/tmp/xmppbench/cert.pem' },
    key: { type: 'string', default: '/tmp/xmppbench/key.pem' },
    concurrency: { type: 'string', default: '50' },
    server: { type: 'boolean', default: false },
  },
});

interface Mem {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  connections: number;
}

if (opt.server) serve();
else await drive();

function serve(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the server with --expose-gc');
  const pem = { cert: readFileSync(opt.cert!), key: readFileSync(opt.key!) };
  const context = createSecureContext({ ...pem, minVersion: 'TLSv1.2' });
  const sockets = new Set<Socket>();
  const keep = (s: Socket) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  };
  let server;
  if (opt.mode === 'direct') {
    server = createTlsServer({ ...pem, minVersion: 'TLSv1.2' });
    server.on('secureConnection', keep);
  } else {
    server = createServer({ noDelay: true }, (raw) => {
      raw.on('error', () => {});
      if (opt.mode === 'tcp') return keep(raw);
      // One line in plaintext first (the <starttls/>), then the handshake on the same socket.
      raw.once('data', () => {
        raw.write('proceed\n');
        const secure = new TLSSocket(raw, { isServer: true, secureContext: context });
        secure.on('secure', () => keep(secure));
        secure.on('error', () => {});
      });
    });
  }
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
  });
  process.on('message', () => {
    for (let i = 0; i < 4; i++) gc();
    const m = process.memoryUsage();
    const mem: Mem = {
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      connections: sockets.size,
    };
    process.send!(mem);
  });
}

async function drive(): Promise<void> {
  const n = Number(opt.n);
  const child = fork(new URL(import.meta.url).pathname, [...process.argv.slice(2), '--server'], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
  });
  const next = () => new Promise<unknown>((r) => child.once('message', r));
  const { port } = (await next()) as { port: number };
  const measure = async (): Promise<Mem> => {
    child.send('measure');
    return (await next()) as Mem;
  };
  await new Promise((r) => setTimeout(r, 1000));
  const before = await measure();
  const clients: Socket[] = [];
  const one = async (): Promise<void> => {
    const raw = tcpConnect(port, '127.0.0.1');
    raw.on('error', () => {});
    await new Promise((r) => raw.once('connect', r));
    if (opt.mode === 'tcp') return void clients.push(raw);
    let sock: Socket = raw;
    if (opt.mode === 'starttls') {
      raw.write('starttls\n');
      await new Promise((r) => raw.once('data', r));
      sock = tlsConnect({ socket: raw, rejectUnauthorized: false });
    } else sock = tlsConnect({ socket: raw, rejectUnauthorized: false });
    await new Promise((r) => sock.once('secureConnect', r));
    sock.on('error', () => {});
    clients.push(sock);
  };
  let i = 0;
  await Promise.all(
    Array.from({ length: Number(opt.concurrency) }, async () => {
      while (i++ < n) await one();
    }),
  );
  // Let the server finish its side (tickets, buffers) and settle.
  for (;;) {
    const m = await measure();
    if (m.connections >= n) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 3000));
  const after = await measure();
  const per = (k: keyof Mem) => Math.round((after[k] - before[k]) / n);
  console.log(
    JSON.stringify({
      mode: opt.mode,
      node: process.version,
      connections: after.connections,
      rssMBBefore: +(before.rss / 2 ** 20).toFixed(1),
      rssMBAfter: +(after.rss / 2 ** 20).toFixed(1),
      rssPerConn: per('rss'),
      heapUsedPerConn: per('heapUsed'),
      externalPerConn: per('external'),
      arrayBuffersPerConn: per('arrayBuffers'),
    }),
  );
  for (const c of clients) c.destroy();
  child.kill();
}
