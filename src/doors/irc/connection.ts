import { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { ChannelBindingType, SaslExchange } from '../../core/accounts/sasl/service.js';
import type { AuthContext } from '../../core/accounts/service.js';
import { channelBindings } from '../tls/bindings.js';
import type { Core } from '../../core/core.js';
import type { CoreEvent } from '../../core/events.js';
import { type Feed, type FeedSink, sessionCallbacks } from '../../core/feed.js';
import { GUEST_TTL_MS } from '../../core/accounts/guests.js';
import { newId } from '../../core/ids.js';
import { TokenBucket } from '../../core/limits/rate.js';
import type { Capability, Session } from '../../core/sessions.js';
import { Framer } from './codec/framer.js';
import type { IrcTransport } from './transport.js';
import { type IrcMessage, parseLine, serialiseLine } from './codec/line.js';
import { joinBurst } from './handlers/channels.js';
import { COMMANDS } from './handlers/index.js';
import { mask, roomMessageText, toIrc, type Viewer } from './mapping/events.js';
import { usernameToNick } from './mapping/nick.js';
import { type NumericName, numericReply } from './mapping/numerics.js';

/** What every connection of the IRC door shares: built once per door. */
export interface IrcDeps {
  core: Core;
  config: Config;
  logger: Logger;
  /** The 005 tokens, already split into lines' worth. */
  isupport: readonly string[][];
  startedAt: number;
  closed(conn: IrcConnection): void;
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
export class IrcConnection implements FeedSink {
  readonly connectionId = newId();
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
  readonly channels = new Map<string, string>();
  away: string | undefined;
  /** Usernames this client MONITORs. */
  readonly monitored = new Set<string>();
  registered = false;
  /** Logged in as a guest (core/accounts/guests.ts): it ends with the connection. */
  guest = false;
  readonly address: string;

  private readonly framer = new Framer();
  private readonly bucket: TokenBucket;
  private feed: Feed | undefined;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  /** Registration, then login (NickServ), must be done by this deadline. */
  private registrationTimer: NodeJS.Timeout;
  private pingTimer: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  private logger: Logger | undefined;
  /** Capabilities core respects for this session; `echo` follows echo-message. */
  readonly sessionCaps = new Set<Capability>(['occupancy']);

  constructor(
    private readonly socket: IrcTransport,
    readonly deps: IrcDeps,
  ) {
    this.address = socket.remoteAddress ?? 'unknown';
    this.tls = socket instanceof TLSSocket;
    this.bucket = new TokenBucket(deps.config.irc.line_burst);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.onClose());
    socket.on('error', () => this.onClose());
    this.registrationTimer = setTimeout(
      () => this.quit(this.registered ? 'Login timed out' : 'Registration timed out'),
      deps.config.irc.registration_timeout_seconds * 1000,
    );
    this.registrationTimer.unref();
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

  /** How the mapping sees this connection. */
  viewer(): Viewer {
    return {
      userId: this.auth?.user.id ?? '',
      nick: this.nick,
      server: this.server,
      caps: this.caps,
      ...(this.deps.fileLinks ? { links: this.deps.fileLinks() } : {}),
    };
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

  /** Finished lines (CRLF included); a client too far behind is cut off. */
  private writeText(text: string): void {
    if (this.closed || text === '') return;
    this.socket.write(text);
    if (this.socket.writableLength > this.deps.config.irc.send_queue_bytes) {
      this.closed = true;
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
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  // ---- the core session ----

  /** Registration is complete: the client becomes a session of its user and is welcomed. */
  async attach(auth: AuthContext): Promise<void> {
    clearTimeout(this.registrationTimer);
    this.auth = auth;
    const feed = await this.core.feeds.open(auth.user.id, this);
    this.feed = feed;
    this.session = {
      id: auth.session.id,
      connectionId: this.connectionId,
      userId: auth.user.id,
      door: 'irc',
      resource: `irc-${this.connectionId.slice(-6)}`,
      capabilities: this.sessionCaps,
      scoped: true,
      ...sessionCallbacks(feed),
      close: (reason: string) => setImmediate(() => this.quit(reason)),
    };
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
    clearInterval(this.guestTimer);
    this.guest = false;
    this.session = undefined;
    this.auth = undefined;
    await this.core.presence.settled(s.userId);
    await this.core.guests.end(s.userId);
  }

  /** A guest lives while its connection does: renewed well within its expiry (GUEST_TTL_MS). */
  keepGuestAlive(): void {
    this.guest = true;
    this.guestTimer = setInterval(() => {
      if (this.auth) void this.core.guests.touch(this.auth.user.id).catch(() => {});
    }, GUEST_TTL_MS / 4);
    this.guestTimer.unref();
  }

  private guestTimer: NodeJS.Timeout | undefined;

  /** IRC registration is done without a login: only NickServ and a few commands until one. */
  registerWithoutLogin(): void {
    this.registered = true;
    this.schedulePing();
  }

  private schedulePing(): void {
    const every = this.deps.config.irc.ping_seconds * 1000;
    this.pingTimer = setInterval(() => {
      if (this.awaitingPong) return this.quit('Ping timeout');
      this.awaitingPong = true;

      this.write({ tags: new Map(), command: 'PING', params: [this.server] });
    }, every);
    this.pingTimer.unref();
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
    // A room's messages reach every member: their lines are shared (roomMessageText).
    if (e.name === 'room.message' && !own) return this.writeText(roomMessageText(e, this.viewer()));
    for (const line of toIrc(e, this.viewer())) {
      if (own) this.send(line);
      else this.write(line);
    }
    if (e.name === 'presence' && this.monitored.has(e.username)) {
      const nick = usernameToNick(e.username);
      if (e.show === 'offline') this.numeric('RPL_MONOFFLINE', [], nick);
      else this.numeric('RPL_MONONLINE', [], mask(nick, this.server));
    }
    if (e.name === 'presence.snapshot')
      for (const p of e.contacts)
        if (this.monitored.has(p.username)) this.live({ name: 'presence', ...p });
    if (e.name === 'room.joined' && !this.channels.has(e.room.id))
      void this.afterOwnJoin(e.room.id, e.room.name);
    else if (e.name === 'room.left') this.channels.delete(e.room.id);
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
    clearTimeout(this.registrationTimer);
    clearInterval(this.pingTimer);
    clearInterval(this.guestTimer);
    if (!first) return;
    this.sasl?.exchange.abort();
    if (this.session) {
      const s = this.session;
      for (const roomId of this.channels.keys())
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
