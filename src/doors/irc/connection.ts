import { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { ChannelBindingType, SaslExchange } from '../../core/accounts/sasl/service.js';
import type { AuthContext } from '../../core/accounts/service.js';
import { channelBindings } from '../tls/bindings.js';
import type { Core } from '../../core/core.js';
import type { CoreEvent } from '../../core/events.js';
import type { Feed, FeedSink } from '../../core/feed.js';
import { GUEST_TTL_MS } from '../../core/accounts/guests.js';
import { newId } from '../../core/ids.js';
import { TokenBucket } from '../../core/limits/rate.js';
import type { Capability, Session } from '../../core/sessions.js';
import { Framer } from './codec/framer.js';
import type { IrcTransport } from './transport.js';
import { type IrcMessage, parseLine, serialiseLine } from './codec/line.js';
import { joinBurst } from './handlers/channels.js';
import { COMMANDS } from './handlers/index.js';
import { liveExtras } from './handlers/live.js';
import { mask, roomMessageBytes, toIrc, type Viewer } from './mapping/events.js';
import { usernameToNick } from './mapping/nick.js';
import { type NumericName, numericReply } from './mapping/numerics.js';
import { WriteQueue } from '../write-queue.js';

/** What every connection of the IRC door shares: built once per door. */
export interface IrcDeps {
  core: Core;
  config: Config;
  logger: Logger;
  /** The 005 tokens, already split into lines' worth. */
  isupport: readonly string[][];
  startedAt: number;
  closed(conn: IrcConnection): void;
  /** Commands run on this door since it started, by name (STATS m). */
  commandCounts: Map<string, number>;
  /** This door's connections on this node (STATS l). */
  connections(): Iterable<IrcConnection>;
  /** The base of file links (`files.public_url`, else this server's HTTP address). */
  fileLinks?: () => string;
}

/** Commands queued but not yet run, beyond which the socket stops being read. */
const MAX_QUEUED = 64;
/** Lines waiting at once (one read can hold thousands) before the client is cut off. */
const MAX_BACKLOG = 1000;

/**
 * One IRC client (RFC 1459/2812 and IRCv3): reads lines with the pure codec,
 * runs them one at a time through the command table (handlers/), and writes what
 * core's feed hands it through the mapping. Registration: CAP negotiation, NICK,
 * USER, and a login (SASL PLAIN or PASS); then the connection is a core Session.
 */
export class IrcConnection implements FeedSink, Viewer {
  readonly connectionId = newId();
  /** Viewer: where this server's files are reached, so a file is told as a link. */
  get links(): string | undefined {
    return this.deps.fileLinks?.();
  }
  readonly openedAt = Date.now();
  nick = '*';
  /** USER's username and realname, once given. */
  user: { ident: string; realname: string } | undefined;
  /** PASS as given before registration (`username:password` or a password). */
  pass: string | undefined;
  readonly caps = new Set<string>();
  /** CAP LS or REQ seen and no CAP END yet: registration waits. */
  negotiating = false;
  capVersion = 0;
  /** SASL in progress: the exchange, the base64 collected so far, and a login awaiting the client's last "+". */
  sasl: { exchange: SaslExchange; buffer: string; done?: AuthContext } | undefined;
  /** On the TLS port. */
  readonly tls: boolean;
  auth: AuthContext | undefined;
  session: Session | undefined;
  /** Rooms this connection has joined (room id -> name), as the client sees its channels. */
  get channels(): Map<string, string> {
    return (this.joined ??= new Map());
  }
  away: string | undefined;
  /** Usernames this client MONITORs. */
  get monitored(): Set<string> {
    return (this.monitoring ??= new Set());
  }
  /** Made on first use: most connections never join or MONITOR (memory per idle connection). */
  private joined: Map<string, string> | undefined;
  private monitoring: Set<string> | undefined;
  registered = false;
  /** Logged in as a guest (core/accounts/guests.ts): it ends with the connection. */
  guest = false;
  readonly address: string;

  private readonly framer = new Framer();
  /** What is written, flushed once per turn (doors/write-queue.ts). */
  private readonly out: WriteQueue;
  private readonly bucket: TokenBucket;
  private feed: Feed | undefined;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  /**
   * The connection's clocks (ms since the epoch, 0 when off), driven by the door's
   * sweep (tick) rather than by timers of its own, which cost memory with 10,000
   * connections: registration then login (NickServ) must be done by `deadline`,
   * the next PING is due at `nextPing`, a guest is renewed at `nextTouch`.
   */
  private deadline: number;
  private nextPing = 0;
  private nextTouch = 0;
  private awaitingPong = false;
  private logger: Logger | undefined;
  /** Capabilities core respects for this session; `echo` follows echo-message. */
  // notices: CTCP between IRC clients and XMPP headlines, live only (messaging.ts).
  readonly sessionCaps = new Set<Capability>(['occupancy', 'notices']);

  constructor(
    private readonly socket: IrcTransport,
    readonly deps: IrcDeps,
  ) {
    this.address = socket.remoteAddress ?? 'unknown';
    this.tls = socket instanceof TLSSocket;
    this.out = new WriteQueue(socket);
    this.bucket = new TokenBucket(deps.config.irc.line_burst);
    // Shared listeners, not closures per connection: the transport finds its connection.
    (socket as Attached)[CONNECTION] = this;
    socket.on('data', IrcConnection.onSocketData);
    socket.on('close', IrcConnection.onSocketClose);
    socket.on('error', IrcConnection.onSocketClose);
    this.deadline = Date.now() + deps.config.irc.registration_timeout_seconds * 1000;
  }

  private static onSocketData(this: IrcTransport, chunk: Buffer): void {
    (this as Attached)[CONNECTION]?.onData(chunk);
  }

  private static onSocketClose(this: IrcTransport): void {
    (this as Attached)[CONNECTION]?.onClose();
  }

  /** The door's sweep, about twice a second: deadlines, pings, guest renewal. */
  tick(now: number): void {
    if (this.closed) return;
    if (this.deadline !== 0 && now >= this.deadline)
      return this.quit(this.registered ? 'Login timed out' : 'Registration timed out');
    if (this.nextPing !== 0 && now >= this.nextPing) {
      this.nextPing = now + this.deps.config.irc.ping_seconds * 1000;
      if (this.awaitingPong) return this.quit('Ping timeout');
      this.awaitingPong = true;
      this.write({ tags: new Map(), command: 'PING', params: [this.server] });
    }
    if (this.nextTouch !== 0 && now >= this.nextTouch) {
      this.nextTouch = now + GUEST_TTL_MS / 4;
      if (this.auth) void this.core.guests.touch(this.auth.user.id).catch(() => {});
    }
  }

  get server(): string {
    return this.deps.config.irc.server_name;
  }

  get core(): Core {
    return this.deps.core;
  }

  get log(): Logger {
    return (this.logger ??= this.deps.logger.child({
      door: 'irc',
      conn: this.connectionId,
      addr: this.address,
    }));
  }

  /** What SCRAM -PLUS can bind to on this connection (TLS only). */
  channelBinding(): Partial<Record<ChannelBindingType, Buffer>> | undefined {
    return this.socket instanceof TLSSocket ? channelBindings(this.socket) : undefined;
  }

  /** Its user (empty before a login), for the mapping (Viewer). */
  get userId(): string {
    return this.auth?.user.id ?? '';
  }

  /** How the mapping sees this connection: the connection itself, so a delivery allocates no view. */
  viewer(): Viewer {
    return this;
  }

  /** This client's own prefix. */
  prefix(): string {
    return mask(this.nick, this.server);
  }

  // ---- input ----

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    for (const framed of this.framer.push(chunk)) {
      if (this.closed) return;
      if (!framed.ok) {
        if (framed.reason === 'too-long') return this.quit('Input line too long');
        this.numeric('ERR_UNKNOWNCOMMAND', ['*'], 'Line refused: NUL or CR inside a line');
        continue;
      }
      // Over the rate, lines wait their turn (fake lag, as IRC servers do); a client
      // that keeps a thousand waiting is flooding and is cut off.
      if (this.queued >= MAX_BACKLOG) return this.quit('Excess flood');
      const parsed = parseLine(framed.line, { latin1: framed.latin1 });
      if (!parsed.ok) {
        if (parsed.reason === 'too-long')
          this.numeric('ERR_INPUTTOOLONG', [], 'Input line was too long');
        else if (parsed.reason === 'bad-command' && parsed.command)
          this.numeric('ERR_UNKNOWNCOMMAND', [parsed.command.slice(0, 32)], 'Unknown command');
        continue;
      }
      this.enqueue(parsed.message);
    }
  }

  private enqueue(msg: IrcMessage): void {
    this.queued++;
    if (this.queued > MAX_QUEUED) this.socket.pause();
    const { lines_per_second: rate, line_burst: burst } = this.deps.config.irc;
    this.chain = this.chain
      .then(async () => {
        const wait = this.bucket.tryTake(rate, burst);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        return this.dispatch(msg);
      })
      .catch((err: unknown) => this.log.error({ err }, 'irc command failed'))
      .finally(() => {
        this.queued--;
        if (this.queued < MAX_QUEUED / 4 && !this.closed) this.socket.resume();
      });
  }

  private async dispatch(msg: IrcMessage): Promise<void> {
    if (this.closed) return;
    const handler = COMMANDS[msg.command];
    if (!handler) {
      if (this.registered) this.numeric('ERR_UNKNOWNCOMMAND', [msg.command], 'Unknown command');
      else if (!/^\d+$/.test(msg.command))
        this.numeric('ERR_NOTREGISTERED', [], 'You have not registered');
      return;
    }
    const counts = this.deps.commandCounts;
    counts.set(msg.command, (counts.get(msg.command) ?? 0) + 1);
    if (!handler.preRegistration && !this.registered)
      return this.numeric('ERR_NOTREGISTERED', [], 'You have not registered');
    if (this.registered && !this.auth && !handler.preRegistration && !handler.beforeLogin)
      return this.notice(
        `${msg.command}: you are not logged in. Log in with /msg NickServ IDENTIFY <password> (or IDENTIFY <account> <password>).`,
      );
    const label = this.caps.has('labeled-response') ? msg.tags.get('label') : undefined;
    if (label !== undefined && label.length <= 64) this.labelled = [];
    try {
      if (msg.params.length < handler.minParams)
        this.numeric('ERR_NEEDMOREPARAMS', [msg.command], 'Not enough parameters');
      else await handler.run(this, msg);
    } finally {
      if (this.labelled) this.answerLabelled(label!, this.labelled);
    }
  }

  /**
   * IRCv3 labeled-response: what one labelled command answered, tagged with its
   * label: nothing is an ACK, one line carries the label, more come in a batch.
   */
  private answerLabelled(label: string, lines: IrcMessage[]): void {
    this.labelled = undefined;
    if (lines.length === 0)
      return this.send({
        tags: new Map([['label', label]]),
        source: this.server,
        command: 'ACK',
        params: [],
      });
    if (lines.length === 1) {
      lines[0]!.tags.set('label', label);
      return this.send(lines[0]!);
    }
    const id = newId().slice(-10);
    this.send({
      tags: new Map([['label', label]]),
      source: this.server,
      command: 'BATCH',
      params: [`+${id}`, 'labeled-response'],
    });
    for (const l of lines) {
      l.tags.set('batch', id);
      this.send(l);
    }
    this.send({ tags: new Map(), source: this.server, command: 'BATCH', params: [`-${id}`] });
  }

  /** Lines answering a labelled command, held until it has finished. */
  private labelled: IrcMessage[] | undefined;

  // ---- output ----

  /**
   * Writes one message answering the client (held for labeled-response while a
   * labelled command runs); a message that cannot be one valid line is dropped.
   */
  send(msg: IrcMessage): void {
    if (this.labelled) {
      this.labelled.push(msg);
      return;
    }
    this.write(msg);
  }

  /** Writes one message now (news from core, never part of a command's answer). */
  write(msg: IrcMessage): void {
    if (this.closed) return;
    const r = serialiseLine(msg);
    if (!r.ok) {
      this.log.debug({ reason: r.reason, command: msg.command }, 'irc line not sent');
      return;
    }
    this.writeText(`${r.line}\r\n`);
  }

  /** Finished lines (CRLF included), written at the end of the turn; a client too far behind is cut off. */
  private writeText(text: string | Buffer): void {
    if (this.closed || text.length === 0) return;
    this.out.push(text);
    if (this.out.queuedBytes > this.deps.config.irc.send_queue_bytes) {
      this.closed = true;
      this.out.drop();
      this.socket.destroy();
    }
  }

  numeric(name: NumericName, params: readonly string[] = [], text?: string | null): void {
    this.send(numericReply(this.server, this.nick, name, params, text));
  }

  /** A NOTICE from the server to this client (errors and news with no numeric of their own). */
  notice(text: string, target = this.nick): void {
    for (const line of text.split('\n'))
      this.send({
        tags: new Map(),
        source: this.server,
        command: 'NOTICE',
        params: [target, line],
        trailing: true,
      });
  }

  /** `ERROR :reason`, then the connection closes (RFC 2812 3.7.4). */
  quit(reason: string): void {
    if (this.closed) return;
    this.send({
      tags: new Map(),
      command: 'ERROR',
      params: [`Closing link: ${reason}`],
      trailing: true,
    });
    this.closed = true;
    this.out.flush();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  // ---- the core session ----

  /** Registration is complete: the client becomes a session of its user and is welcomed. */
  async attach(auth: AuthContext): Promise<void> {
    this.deadline = 0;
    this.auth = auth;
    const feed = await this.core.feeds.open(auth.user.id, this);
    this.feed = feed;
    this.session = new IrcSession(auth, this, feed);
    if (this.closed) return;
    const wasRegistered = this.registered;
    this.registered = true;
    this.core.sessions.add(this.session);
    if (!wasRegistered) this.schedulePing();
  }

  /**
   * A guest logs in to an account (NickServ IDENTIFY or REGISTER): the guest's
   * session ends and the guest with it (it leaves its rooms); `attach` follows.
   */
  async leaveGuest(): Promise<void> {
    if (!this.guest || !this.session) return;
    const s = this.session;
    for (const [id, name] of this.channels) {
      this.write({ tags: new Map(), source: this.prefix(), command: 'PART', params: [`#${name}`] });
      await this.core.occupancy.leave(s, id).catch(() => {});
    }
    this.channels.clear();
    this.core.sessions.remove(s);
    this.nextTouch = 0;
    this.guest = false;
    this.session = undefined;
    this.auth = undefined;
    await this.core.presence.settled(s.userId);
    await this.core.guests.end(s.userId);
  }

  /** A guest lives while its connection does: renewed well within its expiry (GUEST_TTL_MS). */
  keepGuestAlive(): void {
    this.guest = true;
    this.nextTouch = Date.now() + GUEST_TTL_MS / 4;
  }

  /** IRC registration is done without a login: only NickServ and a few commands until one. */
  registerWithoutLogin(): void {
    this.registered = true;
    this.schedulePing();
  }

  private schedulePing(): void {
    this.nextPing = Date.now() + this.deps.config.irc.ping_seconds * 1000;
  }

  pong(): void {
    this.awaitingPong = false;
  }

  // ---- FeedSink ----

  replayed(e: CoreEvent): void {
    this.live(e);
  }

  live(e: CoreEvent): void {
    // The echo of this connection's own command answers it (labeled-response); anything
    // else is news and never held.
    const own = e.exceptSession === this.connectionId;
    // A room's messages reach every member: their lines are shared (roomMessageBytes).
    if (e.name === 'room.message' && !own) return this.writeText(roomMessageBytes(e, this));
    for (const line of toIrc(e, this.viewer())) {
      if (own) this.send(line);
      else this.write(line);
    }
    liveExtras(this, e, own);
    if (e.name === 'presence' && this.monitoring?.has(e.username)) {
      const nick = usernameToNick(e.username);
      if (e.show === 'offline') this.numeric('RPL_MONOFFLINE', [], nick);
      else this.numeric('RPL_MONONLINE', [], mask(nick, this.server));
    }
    if (e.name === 'presence.snapshot')
      for (const p of e.contacts)
        if (this.monitoring?.has(p.username)) this.live({ name: 'presence', ...p });
    if (e.name === 'room.joined' && !this.joined?.has(e.room.id))
      void this.afterOwnJoin(e.room.id, e.room.name);
    else if (e.name === 'room.left') this.joined?.delete(e.room.id);
    else if (e.name === 'contact.updated' && e.contact.pendingIn && !e.contact.inRoster)
      this.notice(
        `${e.contact.username} asks to see your presence${e.contact.note ? `: ${e.contact.note}` : ''}. Answer with /msg Parley APPROVE ${e.contact.username} or DENY.`,
      );
  }

  /** Joined on another device: this one joins too (JOIN, topic, names). */
  private async afterOwnJoin(roomId: string, name: string): Promise<void> {
    await joinBurst(this, roomId, name).catch((err: unknown) =>
      this.log.debug({ err }, 'join burst failed'),
    );
  }

  caughtUp(): void {}

  gone(): boolean {
    return this.closed;
  }

  private onClose(): void {
    if (this.closed && !this.socket.destroyed) this.socket.destroy();
    const first = !this.finished;
    this.finished = true;
    this.closed = true;
    this.out.drop();
    if (!first) return;
    this.sasl?.exchange.abort();
    if (this.session) {
      const s = this.session;
      for (const roomId of this.joined?.keys() ?? [])
        void this.core.occupancy.leave(s, roomId).catch(() => {});
      this.core.sessions.remove(s);
      // After its last presence write, or that write would find the guest gone.
      if (this.guest)
        void this.core.presence
          .settled(s.userId)
          .then(() => this.core.guests.end(s.userId))
          .catch((err: unknown) => this.log.warn({ err }, 'guest could not be removed'));
    }
    this.deps.closed(this);
  }

  private finished = false;

  /** Closes from the server side (drain, stop). */
  end(reason: string): void {
    this.quit(reason);
  }
}

/** Where a transport keeps its connection, for the shared listeners. */
const CONNECTION = Symbol('irc connection');
type Attached = IrcTransport & { [CONNECTION]?: IrcConnection };

/**
 * An IRC connection as core sees it (a Session): its events go to the feed.
 * A class rather than an object of closures: one small object per connection.
 */
class IrcSession implements Session {
  readonly id: string;
  readonly userId: string;
  readonly connectionId: string;
  readonly door = 'irc';
  readonly scoped = true;
  resource: string;

  constructor(
    auth: AuthContext,
    private readonly conn: IrcConnection,
    private readonly feed: Feed,
  ) {
    this.id = auth.session.id;
    this.userId = auth.user.id;
    this.connectionId = conn.connectionId;
    this.resource = `irc-${conn.connectionId.slice(-6)}`;
  }

  get capabilities(): ReadonlySet<Capability> {
    return this.conn.sessionCaps;
  }

  send(e: CoreEvent): void {
    this.feed.push(e);
  }

  passed(e: CoreEvent): void {
    this.feed.pass(e);
  }

  close(reason: string): void {
    setImmediate(() => this.conn.quit(reason));
  }
}
