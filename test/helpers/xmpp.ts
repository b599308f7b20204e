import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { WebSocket } from 'ws';
import type { Element } from '../../src/doors/xmpp/codec/element.js';
import { StreamParser, type StreamEvent } from '../../src/doors/xmpp/codec/stream-parser.js';
import type { TestNode } from './server.js';

/** The XMPP door's bound ports on a test node. */
export function xmppPorts(node: TestNode): { port?: number; tlsPort?: number } {
  const door = node.parley.doors.find((d) => d.name === 'xmpp') as unknown as {
    port(): number | undefined;
    tlsPort(): number | undefined;
  };
  const port = door.port();
  const tlsPort = door.tlsPort();
  return { ...(port !== undefined ? { port } : {}), ...(tlsPort !== undefined ? { tlsPort } : {}) };
}

const SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';

/**
 * A raw XMPP client for tests: writes XML text, reads what the server sends
 * with the door's own stream parser (tested on its own), keeps every event,
 * and waits for one matching a condition (never for time). It answers the
 * server's pings itself.
 */
export class RawXmpp {
  readonly events: StreamEvent[] = [];
  private parser: StreamParser;
  private waiters: { match: (e: StreamEvent) => boolean; resolve: (e: StreamEvent) => void }[] = [];
  closed = false;
  private closeWaiters: (() => void)[] = [];
  socket: Socket;
  jid = '';

  constructor(
    socket: Socket,
    readonly framing: 'tcp' | 'websocket' = 'tcp',
  ) {
    this.socket = socket;
    this.parser = new StreamParser({ maxStanzaBytes: 16 * 1024 * 1024, framing });
    this.attach(socket);
  }

  /**
   * XMPP over WebSocket (RFC 7395): each message is parsed as one element and
   * each `send` is one message. `ws` is the client, for tests that need it.
   */
  static async ws(url: string, protocol = 'xmpp'): Promise<RawXmpp & { ws: WebSocket }> {
    const ws = new WebSocket(url, protocol);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const adapter = new EventEmitter() as EventEmitter & Record<string, unknown>;
    ws.on('message', (d: Buffer) => adapter.emit('data', d));
    ws.on('close', () => adapter.emit('close'));
    ws.on('error', () => adapter.emit('error'));
    adapter.write = (x: string | Buffer) => ws.send(x);
    adapter.destroy = () => ws.terminate();
    const c = new RawXmpp(adapter as unknown as Socket, 'websocket');
    return Object.assign(c, { ws });
  }

  private attach(socket: Socket): void {
    socket.on('data', (d: Buffer) => {
      for (const e of this.parser.write(d)) {
        if (
          e.type === 'stanza' &&
          e.element.name === 'iq' &&
          e.element.attr('type') === 'get' &&
          e.element.getChild('ping', 'urn:xmpp:ping')
        )
          this.send(`<iq type='result' id='${e.element.attr('id')}'/>`);
        this.events.push(e);
        for (const w of [...this.waiters])
          if (w.match(e)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(e);
          }
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const fn of this.closeWaiters) fn();
    });
    socket.on('error', () => {});
  }

  /** Direct TLS (XEP-0368); the certificate is self-signed. */
  static tls(port: number): Promise<RawXmpp> {
    return new Promise((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () =>
        resolve(new RawXmpp(s)),
      );
      s.once('error', reject);
    });
  }

  static plain(port: number): Promise<RawXmpp> {
    return new Promise((resolve, reject) => {
      const s = tcpConnect(port, '127.0.0.1', () => resolve(new RawXmpp(s)));
      s.once('error', reject);
    });
  }

  send(xml: string | Buffer): void {
    if (!this.closed) this.socket.write(xml);
  }

  /** The stream header; `from` (RFC 6120 4.7.1) only when given. */
  open(domain = 'localhost', from?: string): void {
    const f = from !== undefined ? ` from='${from}'` : '';
    if (this.framing === 'websocket')
      return this.send(
        `<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='${domain}'${f} version='1.0'/>`,
      );
    this.send(
      `<?xml version='1.0'?><stream:stream to='${domain}'${f} version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`,
    );
  }

  /** The first event (from index `since`) that matches. */
  wait(match: (e: StreamEvent) => boolean, what: string, since = 0): Promise<StreamEvent> {
    const seen = this.events.slice(since).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no XMPP event for: ${what}\nreceived:\n${this.dump()}`)),
        15_000,
      );
      this.waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /** The first stanza (from index `since`) that matches. */
  async stanza(match: (el: Element) => boolean, what: string, since = 0): Promise<Element> {
    const e = await this.wait((e) => e.type === 'stanza' && match(e.element), what, since);
    return (e as { element: Element }).element;
  }

  /** An iq answer by id. */
  iqResult(id: string, since = 0): Promise<Element> {
    return this.stanza((el) => el.name === 'iq' && el.attr('id') === id, `iq ${id}`, since);
  }

  streamError(): Promise<Element> {
    return this.stanza((el) => el.name === 'error' && el.prefix === 'stream', 'a stream error');
  }

  dump(): string {
    return this.events
      .map((e) =>
        e.type === 'stanza'
          ? `${e.element.qname} ${JSON.stringify(e.element.attrs)} ${JSON.stringify(e.element.children).slice(0, 300)}`
          : JSON.stringify(e),
      )
      .join('\n');
  }

  /** Stream restart: the server's next header begins a new document. */
  restart(domain = 'localhost', from?: string): void {
    this.parser.reset();
    this.open(domain, from);
  }

  /** Upgrades to TLS after <proceed/> (STARTTLS). */
  startTls(): Promise<TLSSocket> {
    return new Promise((resolve, reject) => {
      this.socket.removeAllListeners('data');
      const s = tlsConnect({ socket: this.socket, rejectUnauthorized: false }, () => {
        resolve(s);
      });
      s.once('error', reject);
      this.socket = s;
      this.parser.reset();
      this.attach(s);
    });
  }

  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((r) => this.closeWaiters.push(r));
  }

  close(): void {
    this.socket.destroy();
  }

  /** The features of the current stream (waits for them). */
  features(since = 0): Promise<Element> {
    return this.stanza((el) => el.name === 'features', 'stream features', since);
  }

  /** SASL PLAIN; resolves with <success> or <failure>. */
  async plain(username: string, password: string): Promise<Element> {
    const mark = this.events.length;
    const b64 = Buffer.from(`\0${username}\0${password}`).toString('base64');
    this.send(`<auth xmlns='${SASL}' mechanism='PLAIN'>${b64}</auth>`);
    return this.stanza(
      (el) => el.ns === SASL && (el.name === 'success' || el.name === 'failure'),
      'SASL outcome',
      mark,
    );
  }

  /** SCRAM-SHA-256 (or -PLUS bound to `binding`, tls-exporter); checks the server signature. */
  async scram(username: string, password: string, binding?: Buffer): Promise<Element> {
    const mech = binding ? 'SCRAM-SHA-256-PLUS' : 'SCRAM-SHA-256';
    const gs2 = binding ? 'p=tls-exporter,,' : 'n,,';
    const bare = `n=${username},r=${randomBytes(18).toString('base64')}`;
    const mark = this.events.length;
    this.send(
      `<auth xmlns='${SASL}' mechanism='${mech}'>${Buffer.from(gs2 + bare).toString('base64')}</auth>`,
    );
    const first = await this.stanza(
      (el) => el.ns === SASL && (el.name === 'challenge' || el.name === 'failure'),
      'server-first',
      mark,
    );
    if (first.name === 'failure') return first;
    const sf = Buffer.from(first.text(), 'base64').toString();
    const a = Object.fromEntries(sf.split(',').map((x) => [x[0], x.slice(2)]));
    const salted = pbkdf2Sync(password, Buffer.from(a.s!, 'base64'), Number(a.i), 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const cbind = Buffer.concat([Buffer.from(gs2), binding ?? Buffer.alloc(0)]).toString('base64');
    const withoutProof = `c=${cbind},r=${a.r}`;
    const auth = `${bare},${sf},${withoutProof}`;
    const sig = createHmac('sha256', storedKey).update(auth).digest();
    const proof = Buffer.from(clientKey.map((x, i) => x ^ sig[i]!)).toString('base64');
    const mark2 = this.events.length;
    this.send(
      `<response xmlns='${SASL}'>${Buffer.from(`${withoutProof},p=${proof}`).toString('base64')}</response>`,
    );
    const end = await this.stanza(
      (el) => el.ns === SASL && (el.name === 'success' || el.name === 'failure'),
      'SASL outcome',
      mark2,
    );
    if (end.name === 'success') {
      const serverKey = createHmac('sha256', salted).update('Server Key').digest();
      const want = createHmac('sha256', serverKey).update(auth).digest('base64');
      if (Buffer.from(end.text(), 'base64').toString() !== `v=${want}`)
        throw new Error('the server signature does not match');
    }
    return end;
  }

  /** Binds a resource (after the post-SASL restart); resolves with the full JID. */
  async bind(resource?: string): Promise<string> {
    const mark = this.events.length;
    const id = `bind-${randomBytes(4).toString('hex')}`;
    this.send(
      `<iq type='set' id='${id}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>${
        resource !== undefined ? `<resource>${resource}</resource>` : ''
      }</bind></iq>`,
    );
    const r = await this.iqResult(id, mark);
    if (r.attr('type') !== 'result') throw new Error(`bind failed:\n${this.dump()}`);
    this.jid = r.getChild('bind')!.getChildText('jid')!;
    return this.jid;
  }

  /** Sends an iq and waits for its answer. */
  async iq(type: 'get' | 'set', payload: string, to?: string): Promise<Element> {
    const mark = this.events.length;
    const id = `q-${randomBytes(4).toString('hex')}`;
    this.send(`<iq type='${type}' id='${id}'${to ? ` to='${to}'` : ''}>${payload}</iq>`);
    return this.iqResult(id, mark);
  }
}

/**
 * Logs in on the direct-TLS port up to the restarted stream's features (SASL
 * PLAIN or SCRAM-SHA-256), before binding: where XEP-0198 resumption happens.
 */
export async function xmppAuth(
  port: number,
  username: string,
  password: string,
  opts: { mechanism?: 'PLAIN' | 'SCRAM-SHA-256' } = {},
): Promise<{ c: RawXmpp; features: Element }> {
  const c = await RawXmpp.tls(port);
  c.open();
  await c.features();
  const r =
    opts.mechanism === 'SCRAM-SHA-256'
      ? await c.scram(username, password)
      : await c.plain(username, password);
  if (r.name !== 'success') throw new Error(`login failed:\n${c.dump()}`);
  const mark = c.events.length;
  c.restart();
  return { c, features: await c.features(mark) };
}

/** Logs in on the direct-TLS port: stream, SASL (PLAIN or SCRAM-SHA-256), restart, bind. */
export async function xmppLogin(
  port: number,
  username: string,
  password: string,
  opts: { mechanism?: 'PLAIN' | 'SCRAM-SHA-256'; resource?: string } = {},
): Promise<RawXmpp> {
  const { c } = await xmppAuth(port, username, password, opts);
  await c.bind(opts.resource);
  return c;
}

/**
 * Logs in on the plain port with STARTTLS (test cluster nodes have no direct-TLS
 * port): stream, `<starttls/>`, TLS, SASL PLAIN, restart, bind.
 */
export async function xmppStartTlsLogin(
  port: number,
  username: string,
  password: string,
  resource?: string,
): Promise<RawXmpp> {
  const c = await RawXmpp.plain(port);
  c.open();
  await c.features();
  c.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  await c.stanza((el) => el.name === 'proceed', 'proceed');
  await c.startTls();
  let mark = c.events.length;
  c.open();
  await c.features(mark);
  const r = await c.plain(username, password);
  if (r.name !== 'success') throw new Error(`login failed:\n${c.dump()}`);
  mark = c.events.length;
  c.restart();
  await c.features(mark);
  await c.bind(resource);
  return c;
}
