import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { SaslContext, SaslExchange } from '../../core/accounts/sasl/service.js';
import type { AuthContext } from '../../core/accounts/service.js';
import type { Core } from '../../core/core.js';
import type { CoreEvent } from '../../core/events.js';
import { type Feed, type FeedSink, sessionCallbacks } from '../../core/feed.js';
import { newId } from '../../core/ids.js';
import { TokenBucket } from '../../core/limits/rate.js';
import type { Capability, Session } from '../../core/sessions.js';
import { channelBindings } from '../tls/bindings.js';
import type { Certificates } from '../tls/certificates.js';
import { type Element, xml } from './codec/element.js';
import { errorReply, type StanzaErrorCondition, streamError } from './codec/errors.js';
import type { StreamErrorCondition } from './codec/errors.js';
import { type Jid, makeJid, tryParseJid } from './codec/jid.js';
import { serialize, streamFooter, streamHeader } from './codec/serialize.js';
import { type StreamEvent, type StreamHeader, StreamParser } from './codec/stream-parser.js';
import { onStanza } from './handlers/index.js';
import { saslElement } from './handlers/sasl.js';
import { toStanzas, type Viewer } from './mapping/events.js';
import type { RosterVersion } from './mapping/roster-version.js';
import { BlockedCache } from './handlers/blocking.js';
import { XMLNS } from './xmlns.js';

/** What every connection of the XMPP door shares: built once per door. */
export interface XmppDeps {
  core: Core;
  config: Config;
  logger: Logger;
  /** The shared certificate (undefined only when both listeners are off). */
  certificates: Certificates | undefined;
  closed(conn: XmppConnection): void;
}

/** Stanzas queued but not yet handled, beyond which the socket stops being read. */
const MAX_QUEUED = 64;
/** Stanzas waiting at once (one read can hold thousands) before the client is cut off. */
const MAX_BACKLOG = 1000;

/**
 * One XMPP client stream (RFC 6120): bytes through the pure stream parser,
 * stanzas one at a time through the handlers (handlers/), core's events out
 * through the mapping. The stream goes: header and features, STARTTLS (or
 * direct TLS), SASL through core.sasl, a restart, resource binding; then the
 * connection is a core Session (its resource the bound one) and a FeedSink.
 */
export class XmppConnection implements FeedSink {
  readonly connectionId = newId();
  readonly address: string;
  tls: boolean;
  auth: AuthContext | undefined;
  session: Session | undefined;
  /** The bound full JID. */
  jid: Jid | undefined;
  /** Sent its initial presence (RFC 6121 4.2): an available resource. */
  available = false;
  /** SASL in progress. */
  sasl: { exchange: SaslExchange; started: boolean } | undefined;
  saslFailures = 0;
  /** XEP-0280 carbons enabled on this stream. */
  carbons = false;
  /** XEP-0191: whom the account blocks, for refusing messages to them. */
  readonly blocked = new BlockedCache();
  /** XEP-0237: set when the client asked for the roster by version. */
  rosterVersion: RosterVersion | undefined;
  /** Usernames whose pending subscription request this stream was shown. */
  readonly announced = new Set<string>();
  readonly capabilities = new Set<Capability>();

  private socket: Socket;
  private readonly parser: StreamParser;
  /** Bumped at every stream restart: events parsed for the old stream are dropped. */
  private generation = 0;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  private finished = false;
  private headerSent = false;
  private feed: Feed | undefined;
  private readonly stanzaBucket: TokenBucket;
  private byteCredit: number;
  private byteAt = Date.now();
  private readonly loginTimer: NodeJS.Timeout;
  private pingTimer: NodeJS.Timeout | undefined;
  private heardFrom = true;
  private pingId: string | undefined;
  private logger: Logger | undefined;
  private readonly onData = (chunk: Buffer): void => this.read(chunk);

  constructor(
    socket: Socket,
    tls: boolean,
    readonly deps: XmppDeps,
  ) {
    this.socket = socket;
    this.tls = tls;
    this.address = socket.remoteAddress ?? 'unknown';
    const x = deps.config.xmpp;
    this.parser = new StreamParser({ maxStanzaBytes: x.max_stanza_bytes });
    this.stanzaBucket = new TokenBucket(x.stanza_burst);
    this.byteCredit = x.byte_burst;
    socket.setNoDelay(true);
    this.listen(socket);
    this.loginTimer = setTimeout(
      () => this.fail('connection-timeout', 'log in and bind a resource sooner'),
      x.login_timeout_seconds * 1000,
    );
    this.loginTimer.unref();
  }

  get core(): Core {
    return this.deps.core;
  }

  get domain(): string {
    return this.deps.config.xmpp.domain;
  }

  get log(): Logger {
    return (this.logger ??= this.deps.logger.child({
      door: 'xmpp',
      conn: this.connectionId,
      addr: this.address,
    }));
  }

  /** How the mapping sees this stream. */
  viewer(): Viewer {
    return {
      userId: this.auth?.user.id ?? '',
      domain: this.domain,
      jid: this.jid?.toString() ?? this.domain,
      carbons: this.carbons,
      ...(this.rosterVersion ? { roster: this.rosterVersion } : {}),
    };
  }

  /** What core.sasl needs about this connection. */
  saslContext(): SaslContext {
    const binding = this.socket instanceof TLSSocket ? channelBindings(this.socket) : undefined;
    return {
      address: this.address,
      device: 'XMPP',
      tls: this.tls,
      ...(binding ? { channelBinding: binding } : {}),
    };
  }

  private listen(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('close', () => this.onClose());
    socket.on('error', () => this.onClose());
  }

  // ---- input ----

  private read(chunk: Buffer): void {
    if (this.closed) return;
    this.heardFrom = true;
    // Bytes beyond the rate: reading pauses until the credit is back.
    const x = this.deps.config.xmpp;
    const now = Date.now();
    this.byteCredit = Math.min(
      x.byte_burst,
      this.byteCredit + ((now - this.byteAt) / 1000) * x.bytes_per_second,
    );
    this.byteAt = now;
    this.byteCredit -= chunk.length;
    if (this.byteCredit < 0) {
      const socket = this.socket;
      socket.pause();
      setTimeout(
        () => {
          if (!this.closed && this.queued < MAX_QUEUED) socket.resume();
        },
        Math.ceil((-this.byteCredit / x.bytes_per_second) * 1000),
      ).unref();
    }
    const generation = this.generation;
    for (const ev of this.parser.write(chunk)) {
      if (this.queued >= MAX_BACKLOG) return this.fail('policy-violation', 'too many stanzas');
      this.enqueue(ev, generation);
      if (ev.type === 'error') return;
    }
  }

  private enqueue(ev: StreamEvent, generation: number): void {
    this.queued++;
    if (this.queued > MAX_QUEUED) this.socket.pause();
    const x = this.deps.config.xmpp;
    this.chain = this.chain
      .then(async () => {
        if (this.closed || generation !== this.generation) return;
        if (ev.type === 'stanza') {
          const wait = this.stanzaBucket.tryTake(x.stanzas_per_second, x.stanza_burst);
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (this.closed || generation !== this.generation) return;
        }
        await this.handle(ev);
      })
      .catch((err: unknown) => {
        this.log.error({ err }, 'xmpp stanza failed');
        this.fail('internal-server-error');
      })
      .finally(() => {
        this.queued--;
        if (this.queued < MAX_QUEUED / 4 && !this.closed && this.byteCredit >= 0)
          this.socket.resume();
      });
  }

  private async handle(ev: StreamEvent): Promise<void> {
    switch (ev.type) {
      case 'open':
        return this.opened(ev.header);
      case 'close':
        return this.close();
      case 'error':
        return this.fail(ev.condition);
      case 'stanza':
        return this.stanza(ev.element);
    }
  }

  private opened(h: StreamHeader): void {
    if (h.to !== undefined && h.to.toLowerCase() !== this.domain)
      return this.fail('host-unknown', `this server is ${this.domain}`);
    this.writeHeader(h);
    if (h.version === undefined) return this.fail('unsupported-version', 'version 1.0 is needed');
    this.write(this.features());
  }

  private writeHeader(h?: StreamHeader): void {
    if (this.headerSent) return;
    this.headerSent = true;
    const to = h?.from !== undefined ? tryParseJid(h.from)?.toString() : undefined;
    this.writeRaw(streamHeader({ from: this.domain, to, id: newId(), lang: 'en' }));
  }

  /** RFC 6120 4.3.2: what may be negotiated now. */
  private features(): Element {
    const x = this.deps.config.xmpp;
    const canTls = !this.tls && this.deps.certificates !== undefined;
    const mustTls = !this.tls && x.require_tls;
    if (this.auth) {
      return xml(
        'stream:features',
        {},
        xml('bind', { xmlns: XMLNS.bind }),
        xml('session', { xmlns: XMLNS.session }, xml('optional')),
        xml('ver', { xmlns: XMLNS.rosterVer }),
      );
    }
    const ctx = this.saslContext();
    const bindings = Object.keys(ctx.channelBinding ?? {});
    return xml(
      'stream:features',
      {},
      canTls && xml('starttls', { xmlns: XMLNS.tls }, mustTls && xml('required')),
      !mustTls &&
        xml(
          'mechanisms',
          { xmlns: XMLNS.sasl },
          this.core.sasl.mechanisms(ctx).map((m) => xml('mechanism', {}, m)),
        ),
      !mustTls &&
        this.core.accounts.registrationPolicy() !== 'closed' &&
        xml('register', { xmlns: XMLNS.registerFeature }),
      !mustTls &&
        bindings.length > 0 &&
        xml(
          'sasl-channel-binding',
          { xmlns: XMLNS.saslCb },
          bindings.map((type) => xml('channel-binding', { type })),
        ),
    );
  }

  private async stanza(el: Element): Promise<void> {
    if (!this.auth) {
      if (el.ns === XMLNS.tls && el.name === 'starttls') return this.startTls();
      if (el.ns === XMLNS.sasl) {
        if (!this.tls && this.deps.config.xmpp.require_tls) {
          this.write(saslElement('failure', undefined, 'encryption-required'));
          return;
        }
        const { saslStanza } = await import('./handlers/sasl.js');
        return saslStanza(this, el);
      }
      // XEP-0077: an account may be made before logging in, where logging in may happen.
      if (el.name === 'iq' && el.getChild('query', XMLNS.register)) {
        if (!this.tls && this.deps.config.xmpp.require_tls)
          return this.fail('policy-violation', 'start TLS first');
        const { registerBeforeLogin } = await import('./handlers/register.js');
        return registerBeforeLogin(this, el);
      }
      return this.fail('not-authorized', 'log in first');
    }
    if (el.ns !== undefined && el.ns !== 'jabber:client')
      return this.fail('unsupported-stanza-type', `<${el.name}> in ${el.ns}`);
    const from = el.attr('from');
    if (from !== undefined && this.jid) {
      const j = tryParseJid(from);
      if (!j || !(j.equals(this.jid) || (j.isBare && j.bareEquals(this.jid))))
        return this.fail('invalid-from', 'stanzas come from your own address');
    }
    await onStanza(this, el);
  }

  // ---- stream changes ----

  private startTls(): void {
    const certs = this.deps.certificates;
    if (this.tls || !certs) {
      this.write(xml('failure', { xmlns: XMLNS.tls }));
      return this.close();
    }
    // Whatever followed <starttls/> was sent in plaintext: dropped (6120 5.4.3.3).
    this.generation++;
    const raw = this.socket;
    raw.off('data', this.onData);
    this.writeRaw(serialize(xml('proceed', { xmlns: XMLNS.tls })));
    const secure = new TLSSocket(raw, {
      isServer: true,
      secureContext: certs.context(),
    });
    secure.on('data', this.onData);
    secure.on('error', () => this.onClose());
    secure.on('close', () => this.onClose());
    this.socket = secure;
    this.tls = true;
    this.restart();
  }

  /** A stream restart (after TLS and SASL): a new header from the client is awaited. */
  restart(): void {
    this.generation++;
    this.parser.reset();
    this.headerSent = false;
  }

  /** SASL succeeded: remembered until the restarted stream binds a resource. */
  authenticated(auth: AuthContext): void {
    this.auth = auth;
    this.restart();
  }

  /** Resource binding done: the stream becomes a core Session. Resolves with the bound JID. */
  async bind(resource: string): Promise<Jid> {
    const auth = this.auth!;
    const feed = await this.core.feeds.open(auth.user.id, this);
    this.feed = feed;
    const session: Session = {
      id: auth.session.id,
      connectionId: this.connectionId,
      userId: auth.user.id,
      door: 'xmpp',
      resource,
      capabilities: this.capabilities,
      scoped: true,
      ...sessionCallbacks(feed),
      close: (reason: string) => setImmediate(() => this.fail('not-authorized', reason)),
    };
    this.session = session;
    this.core.sessions.add(session);
    clearTimeout(this.loginTimer);
    let jid: Jid;
    try {
      jid = makeJid(auth.user.username, this.domain, session.resource);
    } catch {
      jid = makeJid(auth.user.username, this.domain, `xmpp-${this.connectionId.slice(-8)}`);
    }
    this.jid = jid;
    this.schedulePing();
    return jid;
  }

  private schedulePing(): void {
    const every = this.deps.config.xmpp.ping_seconds * 1000;
    this.pingTimer = setInterval(() => {
      if (this.heardFrom) {
        this.heardFrom = false;
        this.pingId = undefined;
        return;
      }
      if (this.pingId !== undefined) return this.fail('connection-timeout', 'no answer to ping');
      this.pingId = `ping-${newId()}`;
      this.write(
        xml(
          'iq',
          { type: 'get', id: this.pingId, from: this.domain, to: this.jid?.toString() },
          xml('ping', { xmlns: XMLNS.ping }),
        ),
      );
    }, every);
    this.pingTimer.unref();
  }

  // ---- output ----

  write(el: Element | undefined): void {
    if (el === undefined) return;
    this.writeRaw(serialize(el));
  }

  /** Answers `stanza` with an error, unless it is itself an error. */
  error(stanza: Element, condition: StanzaErrorCondition, text?: string): void {
    const reply = errorReply(stanza, condition, text !== undefined ? { text } : {});
    if (reply) this.write(withFrom(reply, stanza, this));
  }

  private writeRaw(s: string): void {
    if (this.closed) return;
    this.socket.write(s);
    // A client that does not read is cut off rather than buffered without end.
    if (this.socket.writableLength > this.deps.config.xmpp.send_queue_bytes) {
      this.closed = true;
      this.socket.destroy();
    }
  }

  /** A stream error, then the stream closes (RFC 6120 4.9). */
  fail(condition: StreamErrorCondition, text?: string): void {
    if (this.closed) return;
    this.writeHeader();
    this.writeRaw(serialize(streamError(condition, text ? { text } : {})));
    this.close();
  }

  /** Closes the stream from our side (or answers the client's close). */
  close(): void {
    if (this.closed) return;
    this.writeHeader();
    this.writeRaw(streamFooter());
    this.closed = true;
    const socket = this.socket;
    socket.end();
    setTimeout(() => socket.destroy(), 2000).unref();
  }

  /** Closes from the server side (drain, stop). */
  end(condition: StreamErrorCondition, text: string): void {
    this.fail(condition, text);
  }

  // ---- FeedSink ----

  replayed(e: CoreEvent): void {
    this.live(e);
  }

  live(e: CoreEvent): void {
    if (e.name === 'block.added' || e.name === 'block.removed') this.blocked.changed();
    if (!this.jid) return;
    for (const el of toStanzas(e, this.viewer(), this.announced)) this.write(el);
  }

  caughtUp(): void {}

  gone(): boolean {
    return this.closed;
  }

  private onClose(): void {
    if (this.closed && !this.socket.destroyed) this.socket.destroy();
    this.closed = true;
    clearTimeout(this.loginTimer);
    clearInterval(this.pingTimer);
    if (this.finished) return;
    this.finished = true;
    this.sasl?.exchange.abort();
    if (this.session) this.core.sessions.remove(this.session);
    this.deps.closed(this);
  }

  /** The answer to our ping arrived (or any answer: the client is alive). */
  pong(id: string | undefined): void {
    if (id !== undefined && id === this.pingId) this.pingId = undefined;
  }
}

/** An error reply from the entity the stanza was sent to (or the server). */
function withFrom(reply: Element, stanza: Element, c: XmppConnection): Element {
  if (stanza.attr('to') !== undefined) return reply;
  return xml(
    reply.name,
    { ...reply.attrs, from: c.jid?.bare().toString() ?? c.domain },
    ...reply.children,
  );
}
