import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { SaslContext, SaslExchange } from '../../core/accounts/sasl/service.js';
import type { AuthContext } from '../../core/accounts/service.js';
import type { ContactItem } from '../../core/contacts/service.js';
import type { Core } from '../../core/core.js';
import type { CoreEvent } from '../../core/events.js';
import { type Feed, type FeedSink, sessionCallbacks } from '../../core/feed.js';
import { ParleyError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { TokenBucket } from '../../core/limits/rate.js';
import type { Capability, Session, SessionEnd } from '../../core/sessions.js';
import { channelBindings } from '../tls/bindings.js';
import type { Certificates } from '../tls/certificates.js';
import { type Element, xml } from './codec/element.js';
import { errorReply, type StanzaErrorCondition, streamError } from './codec/errors.js';
import type { StreamErrorCondition } from './codec/errors.js';
import { type Jid, makeJid, tryParseJid } from './codec/jid.js';
import {
  framingClose,
  framingOpen,
  serialize,
  serializeFramed,
  streamFooter,
  streamHeader,
} from './codec/serialize.js';
import { type StreamEvent, type StreamHeader, StreamParser } from './codec/stream-parser.js';
import { capsElement } from './caps.js';
import type { CapsCache } from './pep/client-caps.js';
import { endDirected } from './handlers/directed.js';
import { SERVER_VER } from './handlers/server.js';
import { onStanza } from './handlers/index.js';
import { saslElement } from './handlers/sasl.js';
import { type Sasl2State, sasl2Feature, sasl2Failure } from './handlers/sasl2.js';
import { toStanzas, type Viewer } from './mapping/events.js';
import { ClientState } from './csi.js';
import { csiNonza, smNonza } from './handlers/sm.js';
import type { Resumption } from './resumption.js';
import { isStanza, type StreamManagement } from './sm.js';
import type { XmppTransport } from './transport.js';
import { needsLookup, stanzasFor, typingLapse } from './outbound.js';
import { pickMessage } from './routing.js';
import type { RosterVersion } from './mapping/roster-version.js';
import { XMLNS } from './xmlns.js';

/** What every connection of the XMPP door shares: built once per door. */
export interface XmppDeps {
  core: Core;
  config: Config;
  logger: Logger;
  /** The shared certificate (undefined only when both listeners are off). */
  certificates: Certificates | undefined;
  /** XEP-0198 tokens and detached sessions of the door. */
  resumption: Resumption<XmppConnection>;
  /** Clients' verified caps hashes and their features (pep/client-caps.ts). */
  capsCache: CapsCache;
  closed(conn: XmppConnection): void;
}

/**
 * The FeedSink core holds for a stream: it forwards to the connection that now
 * carries the session, which changes when a detached stream is resumed (XEP-0198).
 */
class SinkRelay implements FeedSink {
  constructor(public target: XmppConnection) {}
  replayed(e: CoreEvent): void {
    this.target.replayed(e);
  }
  live(e: CoreEvent): void {
    this.target.live(e);
  }
  caughtUp(): void {}
  gone(): boolean {
    return this.target.gone();
  }
}

/** What every stream tells core it handles; never changed, so shared. */
const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  'typing',
  'receipts',
  'resources',
  'pep',
  'notices',
]);

/** Stanzas queued but not yet handled, beyond which the socket stops being read. */
const MAX_QUEUED = 64;
/** Live events waiting behind a lookup before the client is cut off. */
const MAX_OUT_PENDING = 1000;
/** Silence after which a stream's parser is released (or half `ping_seconds`, if shorter). */
const PARSER_IDLE_MS = 10_000;
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
  /** The core session's connection id: a resumed stream takes over its predecessor's. */
  connectionId = newId();
  readonly address: string;
  tls: boolean;
  auth: AuthContext | undefined;
  session: Session | undefined;
  /** The bound full JID. */
  jid: Jid | undefined;
  /** Sent its initial presence (RFC 6121 4.2): an available resource. */
  available = false;
  /** Its presence's priority (RFC 6121 4.7.2.3): below 0, messages to the bare JID skip it. */
  priority = 0;
  /** SASL in progress. */
  sasl: { exchange: SaslExchange; started: boolean } | undefined;
  saslFailures = 0;
  /** SASL2 (XEP-0388) in progress. */
  sasl2: Sasl2State | undefined;
  /** XEP-0280 carbons enabled on this stream. */
  carbons = false;
  /** XEP-0237: set when the client asked for the roster by version. */
  rosterVersion: RosterVersion | undefined;
  /** Usernames whose pending subscription request this stream was shown. */
  announced = new Set<string>();
  /** Usernames whose answer to one's own request this stream waits for (mapping/events.ts). */
  asking = new Set<string>();
  /** Per username, the subscription this stream knows, made at its roster get (mapping/events.ts). */
  subs: Map<string, ContactItem['subscription']> | undefined;
  /** Typing, receipts and each session's presence reach XMPP as chat states, markers, resources. */
  capabilities = CAPABILITIES;
  /** XEP-0198, once enabled. */
  sm: StreamManagement | undefined;
  /** XEP-0352: what is held back while the client is inactive. */
  csi = new ClientState();
  /** The connection dropped; the session waits to be resumed (XEP-0198). */
  detached = false;
  /** Per contact seen online, the resources this stream was told and since when (outbound.ts), bounded; made at the first. */
  resourcesTold: Map<string, Map<string, number>> | undefined;
  // The three below are made at their first entry: most streams never need them.
  /** Usernames this resource directed its presence at (handlers/directed.ts). */
  directedTo: Set<string> | undefined;
  /** Per conversation, the markers this stream was told (outbound.ts), bounded. */
  markersTold: Map<string, { delivered: number; read: number }> | undefined;
  /** PEP nodes this client wants notified (`+notify` in its caps, pep/client-caps.ts). */
  notify = new Set<string>();
  /** Our disco#info query to the client about its caps, while unanswered. */
  capsQuery: { id: string; ver: string; verify: boolean } | undefined;
  /** The caps hash of this client's last presence. */
  capsSeen: string | undefined;
  /** Per contact (user id), their avatar hash ('' none) for XEP-0153 in presence; bounded by the roster. */
  photos = new Map<string, string>();
  /** Per person typing to this stream: when their `composing` lapses into `paused`. */
  typingTimers: Map<string, NodeJS.Timeout> | undefined;

  private socket: XmppTransport;
  /** RFC 7395: one element per WebSocket message, <open/> and <close/> for the stream. */
  private readonly framed: boolean;
  private readonly parser: StreamParser;
  /** Bumped at every stream restart: events parsed for the old stream are dropped. */
  private generation = 0;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  private finished = false;
  private headerSent = false;
  private feed: Feed | undefined;
  private relay: SinkRelay | undefined;
  private resumeTimer: NodeJS.Timeout | undefined;
  /** We are closing the stream ourselves (a stream error, `</stream>`): no resumption. */
  private ending = false;
  private readonly stanzaBucket: TokenBucket;
  private byteCredit: number;
  private byteAt = Date.now();
  // Deadlines the door's sweep checks (tick), in ms since the epoch; 0 when none.
  private loginBy: number;
  private pingAt = 0;
  private heardFrom = true;
  /** Events waiting behind a lookup (live), in order. */
  private out: Promise<void> = Promise.resolve();
  private outPending = 0;
  private pingId: string | undefined;
  private logger: Logger | undefined;
  private readonly onData = (chunk: Buffer): void => this.read(chunk);
  private readonly onGone = (): void => this.onClose();

  /**
   * `tls`: the stream is encrypted (TLS, or a WebSocket the door counts as secure);
   * `framing`: 'websocket' for RFC 7395, else a TCP stream (RFC 6120).
   */
  constructor(
    socket: XmppTransport,
    opts: { tls: boolean; framing?: 'tcp' | 'websocket' },
    readonly deps: XmppDeps,
  ) {
    this.socket = socket;
    this.tls = opts.tls;
    this.framed = opts.framing === 'websocket';
    this.address = socket.remoteAddress ?? 'unknown';
    const x = deps.config.xmpp;
    this.parser = new StreamParser({
      maxStanzaBytes: x.max_stanza_bytes,
      framing: this.framed ? 'websocket' : 'tcp',
    });
    this.stanzaBucket = new TokenBucket(x.stanza_burst);
    this.byteCredit = x.byte_burst;
    this.listen(socket);
    this.loginBy = Date.now() + x.login_timeout_seconds * 1000;
  }

  /**
   * The door's sweep (every 500 ms, one timer for all streams): the login
   * deadline, pings (XEP-0199), and an idle stream's parser released.
   */
  tick(now: number): void {
    if (this.closed) return;
    if (this.loginBy > 0 && now >= this.loginBy) {
      this.loginBy = 0;
      return this.fail('connection-timeout', 'log in and bind a resource sooner');
    }
    if (this.pingAt > 0 && now >= this.pingAt) {
      this.pingAt = now + this.deps.config.xmpp.ping_seconds * 1000;
      this.ping();
      if (this.closed) return;
    }
    // Silent for a while (byteAt is the last read): the parser goes until the next byte. Not
    // at once: a new one costs more than a stanza, and an active client would pay it each time.
    const x = this.deps.config.xmpp;
    if (now - this.byteAt >= Math.min(PARSER_IDLE_MS, x.ping_seconds * 500)) this.parser.release();
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
      asking: this.asking,
      notify: this.notify,
      ...(this.subs ? { subs: this.subs } : {}),
      ...(this.rosterVersion ? { roster: this.rosterVersion } : {}),
      pick: (e) =>
        pickMessage(
          {
            userId: this.auth?.user.id ?? '',
            resource: this.jid?.resource ?? '',
            priority: this.priority,
            carbons: this.carbons,
          },
          this.core.sessions,
          e,
        ),
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

  private listen(socket: XmppTransport): void {
    socket.on('data', this.onData);
    socket.on('close', this.onGone);
    socket.on('error', this.onGone);
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
    // RFC 6120 4.7.1: once logged in, a stream header's `from` is the account (or one's resource).
    if (this.auth && h.from !== undefined) {
      const from = tryParseJid(h.from);
      if (from?.local !== this.auth.user.username || from.domain !== this.domain)
        return this.fail(
          'invalid-from',
          `this stream is ${this.auth.user.username}@${this.domain}`,
        );
    }
    // STARTTLS cannot happen inside a WebSocket: without wss:// there is no way to log in.
    if (this.framed && !this.tls && this.deps.config.xmpp.require_tls)
      return this.fail('policy-violation', 'XMPP over WebSocket needs wss:// (HTTPS)');
    this.write(this.streamFeatures());
  }

  private writeHeader(h?: StreamHeader): void {
    if (this.headerSent) return;
    this.headerSent = true;
    const to = h?.from !== undefined ? tryParseJid(h.from)?.toString() : undefined;
    const fields = { from: this.domain, to, id: newId(), lang: 'en' };
    this.writeRaw(this.framed ? framingOpen(fields) : streamHeader(fields));
  }

  /**
   * RFC 6120 4.3.2: what may be negotiated now. After SASL2 (no restart) the
   * stream may already be bound (Bind 2) and managed (XEP-0198): those are left out.
   */
  streamFeatures(): Element {
    const x = this.deps.config.xmpp;
    const canTls = !this.tls && !this.framed && this.deps.certificates !== undefined;
    const mustTls = !this.tls && x.require_tls;
    if (this.auth) {
      return xml(
        'stream:features',
        {},
        !this.jid && xml('bind', { xmlns: XMLNS.bind }),
        !this.jid && xml('session', { xmlns: XMLNS.session }, xml('optional')),
        !this.sm && xml('sm', { xmlns: XMLNS.sm }),
        xml('csi', { xmlns: XMLNS.csi }),
        capsElement(SERVER_VER),
        xml('ver', { xmlns: XMLNS.rosterVer }),
        xml('sub', { xmlns: XMLNS.preApproval }),
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
      !mustTls && sasl2Feature(this),
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
      capsElement(SERVER_VER),
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
      if (el.ns === XMLNS.sasl2) {
        if (!this.tls && this.deps.config.xmpp.require_tls) {
          this.write(sasl2Failure('encryption-required'));
          return;
        }
        const { sasl2Stanza } = await import('./handlers/sasl2.js');
        return sasl2Stanza(this, el);
      }
      // XEP-0198 3: stream management before logging in is answered with <failed/>.
      if (el.ns === XMLNS.sm) return smNonza(this, el);
      // XEP-0077: an account may be made before logging in, where logging in may happen.
      if (el.name === 'iq' && el.getChild('query', XMLNS.register)) {
        if (!this.tls && this.deps.config.xmpp.require_tls)
          return this.fail('policy-violation', 'start TLS first');
        const { registerBeforeLogin } = await import('./handlers/register.js');
        return registerBeforeLogin(this, el);
      }
      return this.fail('not-authorized', 'log in first');
    }
    if (el.ns === XMLNS.sm) return smNonza(this, el);
    if (el.ns === XMLNS.csi) return csiNonza(this, el);
    if (el.ns !== undefined && el.ns !== 'jabber:client')
      return this.fail('unsupported-stanza-type', `<${el.name}> in ${el.ns}`);
    const from = el.attr('from');
    if (from !== undefined && this.jid) {
      const j = tryParseJid(from);
      if (!j || !(j.equals(this.jid) || (j.isBare && j.bareEquals(this.jid))))
        return this.fail('invalid-from', 'stanzas come from your own address');
    }
    await onStanza(this, el);
    if (isStanza(el)) this.sm?.handled();
  }

  // ---- stream changes ----

  private startTls(): void {
    const certs = this.deps.certificates;
    if (this.tls || !certs || this.framed) {
      this.write(xml('failure', { xmlns: XMLNS.tls }));
      return this.close();
    }
    // Whatever followed <starttls/> was sent in plaintext: dropped (6120 5.4.3.3).
    this.generation++;
    const raw = this.socket;
    raw.off('data', this.onData);
    this.writeRaw(serialize(xml('proceed', { xmlns: XMLNS.tls })));
    const secure = new TLSSocket(raw as Socket, {
      isServer: true,
      secureContext: certs.context(),
    });
    secure.on('data', this.onData);
    secure.on('error', this.onGone);
    secure.on('close', this.onGone);
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

  /** SASL2 succeeded (XEP-0388): the same stream goes on, no restart. */
  authenticatedInline(auth: AuthContext): void {
    this.auth = auth;
  }

  /**
   * Resource binding done: the stream becomes a core Session. Resolves with the bound JID.
   * `then` runs as soon as the JID is set, before any event can reach the stream (Bind 2
   * writes its <success> there).
   */
  async bind(resource: string, then?: (jid: Jid) => void): Promise<Jid> {
    const auth = this.auth!;
    const relay = new SinkRelay(this);
    const feed = await this.core.feeds.open(auth.user.id, relay);
    // Gone while the feed opened: registering now would leave a session nobody ends.
    if (this.closed) throw new ParleyError('not-authenticated', 'the stream closed while binding');
    this.feed = feed;
    this.relay = relay;
    const session: Session = {
      id: auth.session.id,
      connectionId: this.connectionId,
      userId: auth.user.id,
      door: 'xmpp',
      resource,
      capabilities: this.capabilities,
      scoped: true,
      ...sessionCallbacks(feed),
      close: (reason: string, cause?: SessionEnd) =>
        setImmediate(() => relay.target.terminate(reason, cause)),
    };
    this.session = session;
    this.core.sessions.add(session);
    this.loginBy = 0;
    let jid: Jid;
    try {
      jid = makeJid(auth.user.username, this.domain, session.resource);
    } catch {
      jid = makeJid(auth.user.username, this.domain, `xmpp-${this.connectionId.slice(-8)}`);
    }
    this.jid = jid;
    this.schedulePing();
    then?.(jid);
    return jid;
  }

  private schedulePing(): void {
    this.pingAt = Date.now() + this.deps.config.xmpp.ping_seconds * 1000;
  }

  /** Every `ping_seconds`: a silent client is pinged, and cut off if it stays silent. */
  private ping(): void {
    if (this.heardFrom) {
      this.heardFrom = false;
      this.pingId = undefined;
      return;
    }
    if (this.pingId !== undefined) {
      // A resumable stream is not ended: its session waits for the client to come back.
      if (this.sm?.token !== undefined) return void this.socket.destroy();
      return this.fail('connection-timeout', 'no answer to ping');
    }
    this.pingId = `ping-${newId()}`;
    this.write(
      xml(
        'iq',
        { type: 'get', id: this.pingId, from: this.domain, to: this.jid?.toString() },
        xml('ping', { xmlns: XMLNS.ping }),
      ),
    );
  }

  // ---- output ----

  write(el: Element | undefined): void {
    if (el === undefined) return;
    const sm = this.sm;
    if (sm && isStanza(el)) {
      sm.sent(el);
      // Bounded: a client that never acknowledges (or a detached session that fills up) ends.
      if (sm.unacked.length > this.deps.config.xmpp.max_unacked) {
        if (this.detached) return this.expire();
        this.ending = true;
        return this.fail('resource-constraint', 'too many stanzas not acknowledged');
      }
      this.requestAck();
    }
    this.writeRaw(this.framed ? serializeFramed(el) : serialize(el));
  }

  /** XEP-0198: one <r/> after the stanzas written in this turn, until it is answered. */
  requestAck(): void {
    const sm = this.sm!;
    if (sm.requested || this.closed) return;
    sm.requested = true;
    setImmediate(() => {
      if (this.sm === sm && !this.closed) this.writeRaw(this.nonza(xml('r', { xmlns: XMLNS.sm })));
    });
  }

  private nonza(el: Element): string {
    return this.framed ? serializeFramed(el) : serialize(el);
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
    this.failWith(condition, text);
  }

  /** A stream error with an application-specific condition beside the defined one. */
  failWith(condition: StreamErrorCondition, text?: string, extra?: Element): void {
    if (this.closed) return;
    this.ending = true;
    this.writeHeader();
    const err = streamError(condition, text ? { text } : {});
    this.write(extra ? xml('stream:error', {}, ...err.elements(), extra) : err);
    this.close();
  }

  /** Closes the stream from our side (or answers the client's close). */
  close(): void {
    if (this.closed) return;
    this.ending = true;
    this.writeHeader();
    this.writeRaw(this.framed ? framingClose() : streamFooter());
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
    if (!this.jid) return;
    if (e.name === 'typing') typingLapse(this, e);
    // Stanzas that need a lookup (outbound.ts) keep their place: later events wait behind them.
    if (this.outPending === 0 && !needsLookup(e)) {
      for (const el of toStanzas(e, this.viewer(), this.announced)) this.deliver(el);
      return;
    }
    if (this.outPending >= MAX_OUT_PENDING)
      return this.fail('resource-constraint', 'too many events waiting');
    this.outPending++;
    this.out = this.out
      .then(async () => {
        for (const el of await stanzasFor(this, e)) this.deliver(el);
      })
      .catch((err: unknown) => this.log.warn({ err }, 'xmpp: event not mapped'))
      .finally(() => this.outPending--);
  }

  /** A live stanza through CSI (XEP-0352): held back while the client is inactive, or written. */
  private deliver(el: Element): void {
    const { held, flush } = this.csi.hold(el);
    for (const f of flush) this.write(f);
    if (!held) this.write(el);
  }

  caughtUp(): void {}

  gone(): boolean {
    return this.closed && !this.detached;
  }

  private onClose(): void {
    if (this.closed && !this.socket.destroyed) this.socket.destroy();
    this.closed = true;
    this.settle();
  }

  /** The stream is over for us (its socket may still be flushing): timers, session, door. */
  private settle(): void {
    if (this.typingTimers) for (const t of this.typingTimers.values()) clearTimeout(t);
    this.typingTimers = undefined;
    if (this.finished) return;
    this.finished = true;
    this.sasl?.exchange.abort();
    this.sasl2?.exchange.abort();
    this.deps.closed(this);
    const token = this.sm?.token;
    if (token !== undefined && this.session && !this.ending) return this.detach(token);
    this.endSession();
  }

  private endSession(): void {
    if (this.sm?.token !== undefined) this.deps.resumption.forget(this.sm.token, this);
    if (this.session) {
      this.core.sessions.remove(this.session);
      void endDirected(this).catch(() => {});
    }
  }

  /**
   * XEP-0198: the connection dropped without the stream being closed: the
   * session stays (presence included) and what reaches it is queued as unacked
   * for `resume_seconds`, then it ends. Direct messages are durable and stay
   * unread, so a client that does not resume gets them at its next login.
   */
  private detach(token: string): void {
    this.detached = true;
    this.deps.resumption.detach(token, this);
    if (!this.detached) return; // ended at once to keep the bound
    this.resumeTimer = setTimeout(() => this.expire(), this.deps.config.xmpp.resume_seconds * 1000);
    this.resumeTimer.unref();
  }

  /** The detached session is over (time, bound, shutdown, revocation). */
  expire(): void {
    if (!this.detached) return;
    this.detached = false;
    clearTimeout(this.resumeTimer);
    this.endSession();
  }

  /**
   * Core ends the session (revocation, account disabled: `not-authorized`), or a
   * newer login took its resource (`conflict`, RFC 6120 7.7.2.2): a detached one just ends.
   */
  terminate(reason: string, cause: SessionEnd = 'revoked'): void {
    if (this.detached) return this.expire();
    this.fail(cause === 'replaced' ? 'conflict' : 'not-authorized', reason);
    // The session ends now, not when the socket is done: a replacing login takes its resource.
    this.settle();
  }

  /**
   * This stream takes over `old`'s session (XEP-0198 resumption): its core
   * session, feed, address and state move here; `old`'s connection, if it is
   * still open, is dropped without ending the session.
   */
  adopt(old: XmppConnection): void {
    clearTimeout(old.resumeTimer);
    old.detached = false;
    if (!old.finished) {
      // The client came back before we noticed the old connection was gone.
      old.finished = true;
      old.closed = true;
      old.socket.destroy();
      old.deps.closed(old);
    }
    this.connectionId = old.connectionId;
    this.logger = undefined;
    this.auth = old.auth;
    this.session = old.session;
    this.feed = old.feed;
    this.relay = old.relay;
    this.jid = old.jid;
    this.available = old.available;
    this.priority = old.priority;
    this.carbons = old.carbons;
    this.announced = old.announced;
    this.asking = old.asking;
    this.subs = old.subs;
    this.capabilities = old.capabilities;
    this.resourcesTold = old.resourcesTold;
    this.directedTo = old.directedTo;
    this.markersTold = old.markersTold;
    this.notify = old.notify;
    this.photos = old.photos;
    this.csi = old.csi;
    this.sm = old.sm;
    old.sm = undefined;
    old.session = undefined;
    if (this.relay) this.relay.target = this;
    this.loginBy = 0;
    this.schedulePing();
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
