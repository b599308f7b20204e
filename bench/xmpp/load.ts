/**
 * An XMPP load generator for side-by-side runs (Parley, Prosody, ejabberd): N
 * clients log in over STARTTLS with SCRAM-SHA-1 (every server offers it), bind,
 * send initial presence, and then chat messages go from random online users to
 * random online users at fixed rates. Each body carries its send time, so the
 * receiver measures the latency; the server's CPU and RSS are read from /proc.
 *
 *   node --import tsx bench/xmpp/load.ts --port 5222 --domain localhost --pid 1234 \
 *     --users 2000 --rates 400,1000 --seconds 30 [--register] [--prefix u]
 *
 * Prints one JSON line per phase. --register creates the accounts first with
 * in-band registration (XEP-0077) for servers that allow it.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '5222' },
    domain: { type: 'string', default: 'localhost' },
    pid: { type: 'string' },
    users: { type: 'string', default: '2000' },
    rates: { type: 'string', default: '400,1000' },
    seconds: { type: 'string', default: '30' },
    prefix: { type: 'string', default: 'bench' },
    password: { type: 'string', default: 'bench-password-1' },
    concurrency: { type: 'string', default: '50' },
    register: { type: 'boolean', default: false },
    label: { type: 'string', default: '' },
    'drain-max': { type: 'string', default: '30' },
    // Keep the logged-in clients idle this long after the last phase (for memory probes).
    hold: { type: 'string', default: '0' },
  },
});
const N = Number(opt.users);
const DOMAIN = opt.domain!;
const PID = opt.pid ? Number(opt.pid) : undefined;
const CLK_TCK = 100;

function proc(): { cpuS: number; rssB: number } | undefined {
  if (!PID) return undefined;
  const stat = readFileSync(`/proc/${PID}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuS = (Number(f[11]) + Number(f[12])) / CLK_TCK;
  const status = readFileSync(`/proc/${PID}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuS, rssB: rssKb * 1024 };
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
const header = `<?xml version='1.0'?><stream:stream to='${DOMAIN}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`;

const salts = new Map<string, Buffer>();
/** PBKDF2 once per salt: accounts provisioned with one salt cost the generator once. */
function saltedPassword(salt: string, iterations: number): Buffer {
  const key = `${salt}/${iterations}`;
  let v = salts.get(key);
  if (!v) {
    v = pbkdf2Sync(opt.password!, Buffer.from(salt, 'base64'), iterations, 20, 'sha1');
    if (salts.size < 100_000) salts.set(key, v);
  }
  return v;
}

/** One client connection: a socket, a text buffer, and waits for patterns in it. */
class Client {
  sock!: Socket | TLSSocket;
  buf = '';
  online = false;
  private waiter: { re: RegExp; resolve: (m: RegExpExecArray) => void } | undefined;
  onMessage: (sentAt: number) => void = () => {};

  constructor(readonly user: string) {}

  private attach(s: Socket | TLSSocket): void {
    this.sock = s;
    s.setEncoding('utf8');
    s.on('data', (d: string) => this.data(d));
    s.on('error', () => {});
    s.on('close', () => {
      this.online = false;
    });
  }

  private data(d: string): void {
    this.buf += d;
    if (this.online) {
      const re = /<body>bench (\d+)<\/body>/g;
      let m: RegExpExecArray | null;
      let end = 0;
      while ((m = re.exec(this.buf))) {
        this.onMessage(Number(m[1]));
        end = re.lastIndex;
      }
      // Server pings (XEP-0199) get a result, as a real client would.
      const ping = /<iq[^>]*type=['"]get['"][^>]*>\s*<ping/.exec(this.buf);
      if (ping) {
        const id = /id=['"]([^'"]+)['"]/.exec(ping[0])?.[1] ?? '';
        const from = /from=['"]([^'"]+)['"]/.exec(ping[0])?.[1];
        this.send(`<iq type='result' id='${esc(id)}'${from ? ` to='${esc(from)}'` : ''}/>`);
        end = Math.max(end, ping.index + ping[0].length);
      }
      this.buf = end ? this.buf.slice(end) : this.buf.slice(-4096);
      return;
    }
    const w = this.waiter;
    if (!w) return;
    const m = w.re.exec(this.buf);
    if (m) {
      this.buf = this.buf.slice(m.index + m[0].length);
      this.waiter = undefined;
      w.resolve(m);
    }
  }

  send(s: string): void {
    this.sock.write(s);
  }

  wait(re: RegExp, what: string, ms = 60_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`${this.user}: no ${what}: ${this.buf.slice(0, 300)}`)),
        ms,
      );
      this.waiter = {
        re,
        resolve: (m) => {
          clearTimeout(t);
          resolve(m);
        },
      };
      this.data('');
    });
  }

  async open(): Promise<void> {
    const s = tcpConnect(Number(opt.port), opt.host);
    s.setNoDelay(true);
    this.attach(s);
    await new Promise<void>((res, rej) => {
      s.once('connect', () => res());
      s.once('error', rej);
    });
    this.send(header);
    await this.wait(/<\/stream:features>/, 'features');
    this.send(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
    await this.wait(/<proceed[^>]*\/>/, 'proceed');
    s.removeAllListeners('data');
    const t = tlsConnect({ socket: s, servername: DOMAIN, rejectUnauthorized: false });
    await new Promise<void>((res, rej) => {
      t.once('secureConnect', () => res());
      t.once('error', rej);
    });
    this.buf = '';
    this.attach(t);
    this.send(header);
    await this.wait(/<\/stream:features>/, 'features after TLS');
  }

  async register(): Promise<void> {
    await this.open();
    this.send(
      `<iq type='set' id='reg'><query xmlns='jabber:iq:register'><username>${this.user}</username><password>${esc(opt.password!)}</password></query></iq>`,
    );
    const m = await this.wait(/<iq[^>]*id=['"]reg['"][^>]*>/, 'registration answer');
    if (!/type=['"]result['"]/.test(m[0])) {
      const rest = await this.wait(/<\/iq>/, 'registration error');
      if (!/conflict/.test(rest.input)) throw new Error(`register ${this.user}: ${rest.input}`);
    }
    this.sock.end();
  }

  async login(): Promise<void> {
    await this.open();
    const nonce = randomBytes(18).toString('base64');
    const bare = `n=${this.user},r=${nonce}`;
    this.send(
      `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>${Buffer.from(`n,,${bare}`).toString('base64')}</auth>`,
    );
    // A refusal ends this login at once (not after the wait's minute).
    const ch = await this.wait(/<challenge[^>]*>([^<]*)<\/challenge>|<failure[^>]*>/, 'challenge');
    if (ch[1] === undefined)
      throw new Error(`${this.user}: SASL refused: ${ch.input.slice(0, 200)}`);
    const first = Buffer.from(ch[1]!, 'base64').toString();
    const attrs = Object.fromEntries(first.split(',').map((p) => [p[0], p.slice(2)]));
    const salted = saltedPassword(attrs.s!, Number(attrs.i));
    const clientKey = createHmac('sha1', salted).update('Client Key').digest();
    const storedKey = createHash('sha1').update(clientKey).digest();
    const finalNoProof = `c=biws,r=${attrs.r}`;
    const authMessage = `${bare},${first},${finalNoProof}`;
    const sig = createHmac('sha1', storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]!));
    this.send(
      `<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>${Buffer.from(`${finalNoProof},p=${proof.toString('base64')}`).toString('base64')}</response>`,
    );
    await this.wait(/<success[^>]*(\/>|>[^<]*<\/success>)/, 'SASL success');
    this.buf = '';
    this.send(header);
    await this.wait(/<\/stream:features>/, 'features after SASL');
    this.send(
      `<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>b</resource></bind></iq>`,
    );
    await this.wait(
      /<iq[^>]*id=['"]bind['"][^>]*type=['"]result|type=['"]result['"][^>]*id=['"]bind['"]/,
      'bind',
    );
    this.send(
      `<iq type='set' id='sess'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>`,
    );
    this.send(`<presence/>`);
    this.online = true;
    this.buf = '';
  }
}

async function pool<T>(items: T[], n: number, f: (t: T) => Promise<void>): Promise<number> {
  let i = 0;
  let failed = 0;
  const worker = async () => {
    while (i < items.length) {
      const item = items[i++]!;
      try {
        await f(item);
      } catch (e) {
        if (failed++ < 3) console.error(String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
  return failed;
}

const out = (o: object) => console.log(JSON.stringify({ label: opt.label, users: N, ...o }));
const clients = Array.from({ length: N }, (_, i) => new Client(`${opt.prefix}${i}`));

if (opt.register) {
  const t0 = Date.now();
  const failed = await pool(clients, Number(opt.concurrency), (c) => c.register());
  out({ phase: 'register', failed, seconds: (Date.now() - t0) / 1000 });
  process.exit(failed ? 1 : 0);
}

const before = proc();
const t0 = Date.now();
const failed = await pool(clients, Number(opt.concurrency), (c) => c.login());
const loginS = (Date.now() - t0) / 1000;
// Let the login burst settle (roster pushes, presence) before reading memory.
await new Promise((r) => setTimeout(r, 5000));
const afterLogin = proc();
const online = clients.filter((c) => c.online);
out({
  phase: 'login',
  failed,
  online: online.length,
  seconds: loginS,
  serverCpuS: before && afterLogin ? +(afterLogin.cpuS - before.cpuS).toFixed(2) : undefined,
  rssBeforeMB: before ? +(before.rssB / 2 ** 20).toFixed(1) : undefined,
  rssAfterMB: afterLogin ? +(afterLogin.rssB / 2 ** 20).toFixed(1) : undefined,
  bytesPerConn:
    before && afterLogin ? Math.round((afterLogin.rssB - before.rssB) / online.length) : undefined,
});

for (const rate of opt.rates!.split(',').filter(Boolean).map(Number)) {
  const lat: number[] = [];
  let sent = 0;
  const base = performance.now();
  for (const c of online) c.onMessage = (at) => lat.push(performance.now() - base - at);
  const seconds = Number(opt.seconds);
  const p0 = proc();
  const start = performance.now();
  // A tick every 10 ms sends what the rate owes by now, so bursts stay small.
  await new Promise<void>((done) => {
    const tick = setInterval(() => {
      const now = performance.now();
      const owed = Math.min(rate * seconds, Math.floor(((now - start) / 1000) * rate));
      while (sent < owed) {
        const a = online[Math.floor(Math.random() * online.length)]!;
        let b = online[Math.floor(Math.random() * online.length)]!;
        if (b === a) b = online[(online.indexOf(a) + 1) % online.length]!;
        a.send(
          `<message type='chat' to='${b.user}@${DOMAIN}' id='m${sent}'><body>bench ${Math.round(performance.now() - base)}</body></message>`,
        );
        sent++;
      }
      if (sent >= rate * seconds) {
        clearInterval(tick);
        done();
      }
    }, 10);
  });
  const p1 = proc();
  // Drain: wait until everything arrived, nothing has arrived for 5 s, or --drain-max passed.
  let last = lat.length;
  let quiet = 0;
  const drainEnd = performance.now() + Number(opt['drain-max']) * 1000;
  while (lat.length < sent && quiet < 50 && performance.now() < drainEnd) {
    await new Promise((r) => setTimeout(r, 100));
    quiet = lat.length === last ? quiet + 1 : 0;
    last = lat.length;
  }
  const p2 = proc();
  const sorted = [...lat].sort((x, y) => x - y);
  const mean = lat.reduce((s, x) => s + x, 0) / (lat.length || 1);
  out({
    phase: 'chat',
    rate,
    seconds,
    sent,
    delivered: lat.length,
    deliveredShare: +(lat.length / sent).toFixed(4),
    meanMs: +mean.toFixed(2),
    p50Ms: +(sorted[Math.floor(sorted.length * 0.5)] ?? 0).toFixed(2),
    p99Ms: +(sorted[Math.floor(sorted.length * 0.99)] ?? 0).toFixed(2),
    maxMs: +(sorted[sorted.length - 1] ?? 0).toFixed(2),
    serverCpuPct: p0 && p1 ? +((100 * (p1.cpuS - p0.cpuS)) / seconds).toFixed(1) : undefined,
    serverCpuS: p0 && p2 ? +(p2.cpuS - p0.cpuS).toFixed(2) : undefined,
    rssMB: p2 ? +(p2.rssB / 2 ** 20).toFixed(1) : undefined,
  });
}
if (Number(opt.hold) > 0) {
  out({ phase: 'hold', seconds: Number(opt.hold) });
  await new Promise((r) => setTimeout(r, Number(opt.hold) * 1000));
}
for (const c of clients) c.sock?.destroy();
process.exit(0);
