import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { StoreBackend } from './backends.js';
import { type Sections, startSingle, type TestNode } from './server.js';

/** The IRC door's bound port on a test node. */
export function ircPort(node: TestNode): number {
  const door = node.parley.doors.find((d) => d.name === 'irc') as
    { port(): number | undefined } | undefined;
  const port = door?.port();
  if (port === undefined) throw new Error('the IRC door is not listening');
  return port;
}

export interface IrcLine {
  raw: string;
  tags: Record<string, string>;
  source: string;
  command: string;
  params: string[];
}

/** A minimal parse for tests (the door's own codec is tested on its own). */
export function parse(raw: string): IrcLine {
  let rest = raw;
  const tags: Record<string, string> = {};
  if (rest.startsWith('@')) {
    const sp = rest.indexOf(' ');
    for (const t of rest.slice(1, sp).split(';')) {
      const i = t.indexOf('=');
      tags[i < 0 ? t : t.slice(0, i)] = i < 0 ? '' : t.slice(i + 1);
    }
    rest = rest.slice(sp + 1);
  }
  let source = '';
  if (rest.startsWith(':')) {
    const sp = rest.indexOf(' ');
    source = rest.slice(1, sp);
    rest = rest.slice(sp + 1);
  }
  const params: string[] = [];
  let command = '';
  while (rest.length) {
    if (rest.startsWith(':')) {
      params.push(rest.slice(1));
      break;
    }
    const sp = rest.indexOf(' ');
    const word = sp < 0 ? rest : rest.slice(0, sp);
    if (!command) command = word;
    else params.push(word);
    rest = sp < 0 ? '' : rest.slice(sp + 1);
  }
  return { raw, tags, source, command, params };
}

/**
 * A raw IRC client: writes lines, keeps every line received, and waits for a
 * line matching a condition (never for time).
 */
export class RawIrc {
  readonly lines: IrcLine[] = [];
  private buf = '';
  private waiters: {
    match: (l: IrcLine) => boolean;
    resolve: (l: IrcLine) => void;
    from: number;
  }[] = [];
  closed = false;
  private closeWaiters: (() => void)[] = [];

  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf('\r\n')) >= 0) {
        const line = parse(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 2);
        if (line.command === 'PING') this.send(`PONG :${line.params[0] ?? ''}`);
        this.lines.push(line);
        for (const w of [...this.waiters])
          if (w.match(line)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(line);
          }
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const fn of this.closeWaiters) fn();
    });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<RawIrc> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawIrc(s)));
      s.once('error', reject);
    });
  }

  send(line: string): void {
    if (!this.closed) this.socket.write(`${line}\r\n`);
  }

  /** The first line received (since line `since`, default all of them) that matches. */
  wait(match: (l: IrcLine) => boolean, what: string, since = 0): Promise<IrcLine> {
    const seen = this.lines.slice(since).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no IRC line for: ${what}\nreceived:\n${this.lines.map((l) => l.raw).join('\n')}`,
            ),
          ),
        15_000,
      );
      this.waiters.push({
        match,
        from: since,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  command(cmd: string, what = cmd, since?: number): Promise<IrcLine> {
    return this.wait((l) => l.command === cmd, what, since);
  }

  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((r) => this.closeWaiters.push(r));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A guest (no SASL) with labeled-response and batch, registered (376 seen). */
export async function ircGuest(port: number, nick: string): Promise<RawIrc> {
  const c = await RawIrc.open(port);
  c.send('CAP LS 302');
  c.send('CAP REQ :labeled-response batch');
  c.send(`NICK ${nick}`);
  c.send('USER g 0 * :Guest');
  await c.command('CAP', 'CAP ACK');
  c.send('CAP END');
  await c.command('376', 'end of MOTD');
  return c;
}

/** Connects and logs in with SASL PLAIN; resolves after 001 and the MOTD end (376). */
export async function ircLogin(
  port: number,
  username: string,
  password: string,
  caps: string[] = [],
): Promise<RawIrc> {
  const c = await RawIrc.open(port);
  c.send('CAP LS 302');
  c.send(`CAP REQ :${['sasl', ...caps].join(' ')}`);
  await c.command('CAP', 'CAP ACK');
  c.send('AUTHENTICATE PLAIN');
  await c.command('AUTHENTICATE');
  c.send(`AUTHENTICATE ${Buffer.from(`\0${username}\0${password}`).toString('base64')}`);
  await c.command('903', 'SASL success');
  c.send(`NICK ${username.replace(/\./g, '|')}`);
  c.send(`USER ${username.slice(0, 10)} 0 * :Test user`);
  c.send('CAP END');
  await c.command('376', 'end of MOTD');
  return c;
}

let labels = 0;

/**
 * The lines one command answered, by IRCv3 labeled-response (the connection must
 * have `labeled-response` and `batch`): its batch's lines, or its one line (`ACK`
 * for none).
 */
export async function askLabelled(c: RawIrc, line: string): Promise<IrcLine[]> {
  const label = `t${++labels}`;
  const from = c.lines.length;
  c.send(`@label=${label} ${line}`);
  const first = await c.wait((l) => l.tags.label === label, line, from);
  if (first.command !== 'BATCH') return [first];
  const id = first.params[0]!.slice(1);
  await c.wait((l) => l.command === 'BATCH' && l.params[0] === `-${id}`, `end of ${line}`, from);
  return c.lines.slice(from).filter((l) => l.tags.batch === id);
}

/**
 * A node for one suite (started before its tests, stopped after) and `login`,
 * which opens SASL connections with `caps` that are closed at the end. Call inside
 * the suite's describe.
 */
export function useIrcNode(
  backend: StoreBackend,
  opts: { config?: Sections; password: string; caps?: string[] },
) {
  const open: RawIrc[] = [];
  const s = {
    node: undefined as unknown as Awaited<ReturnType<typeof startSingle>>,
    port: 0,
    async login(username: string, caps = opts.caps ?? []): Promise<RawIrc> {
      const c = await ircLogin(s.port, username, opts.password, caps);
      open.push(c);
      return c;
    },
  };
  beforeAll(async () => {
    s.node = await startSingle(backend, opts.config);
    s.port = ircPort(s.node);
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s.node?.dispose();
  });
  return s;
}
