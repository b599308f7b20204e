import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { Config } from '../../config/schema.js';
import type { AuthContext, LoginResult } from '../../core/accounts/service.js';
import type { Core } from '../../core/core.js';
import { type Condition, ParleyError } from '../../core/errors.js';
import type { CoreEvent } from '../../core/events.js';
import { eventJson } from '../native/events.js';
import { type Feed, type FeedSink, MAX_REPLAY_ROOMS, sessionCallbacks } from '../../core/feed.js';
import { newId } from '../../core/ids.js';
import { TokenBucket } from '../../core/limits/rate.js';
import type { Capability, Session } from '../../core/sessions.js';
import type { Metrics } from '../../observability/metrics.js';
import { bearer } from '../http/rest.js';
import { toWireError } from '../native/errors.js';
import { checkShape, parseJsonBytes } from '../native/json.js';
import { OPS, runOp } from '../native/ops.js';
import { CLOSE, PROTOCOL_VERSION } from './frames.js';
import { WriteQueue } from '../write-queue.js';
import { eventFrame, rawSocket, textFrame } from './frames-out.js';

/** Conditions that say the client is misbehaving (they count toward closing it). */
const ABUSE: ReadonlySet<Condition> = new Set([
  'bad-request',
  'payload-too-large',
  'rate-limited',
  'not-authenticated',
]);
const MAX_IN_FLIGHT = 32;
// `names`: a room member's new display name (room.profile), so the web client renames
// people who are not its contacts without a reload.
const WS_CAPABILITIES: ReadonlySet<Capability> = new Set(['typing', 'receipts', 'names']);
const ABUSE_WINDOW_MS = 60_000;

type Id = string | number;

/** What every connection of the WebSocket door needs: built once per door. */
export interface WsDoorDeps {
  core: Core;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** Counts frames written (the framesOut metric for this door). */
  countFrames: (frames: number) => void;
  /** Told once when a connection has closed. */
  closed: (conn: WsConnection) => void;
}

/** One WebSocket client of the native protocol (docs/protocol.md). */
export class WsConnection implements FeedSink {
  readonly connectionId = newId();
  private auth: AuthContext | undefined;
  private session: Session | undefined;
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private badCount = 0;
  private badSince = Date.now();
  private alive = true;
  private closed = false;
  /** Replay then live events, in order, each once (core/feed.ts). */
  private feed: Feed | undefined;
  /** The login session was revoked; requests still queued must not run as it. */
  private signedOut = false;
  private readonly authDeadline: number;
  private nextPing: number;
  /** Set once authenticated. */
  private nextRecheck = Infinity;
  private readonly rate: TokenBucket;
  private readonly address: string;
  /** Built on first use: most connections never log, and a pino child costs about 1 kB. */
  private logger: Logger | undefined;
  /** Frames for this turn, written together (undefined: ws.send, one at a time). */
  private readonly out: WriteQueue | undefined;

  constructor(
    private readonly socket: WebSocket,
    req: FastifyRequest,
    /** Shared by every connection of the door (one object, not one each). */
    private readonly deps: WsDoorDeps,
  ) {
    const limits = deps.config.native;
    this.address = req.ip;
    this.rate = new TokenBucket(limits.frame_burst);
    deps.metrics.connections.inc({ door: 'ws' });
    const raw = rawSocket(socket);
    this.out = raw ? new WriteQueue(raw, deps.countFrames) : undefined;

    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) =>
      this.onMessage(toBuffer(data), isBinary),
    );
    socket.on('pong', () => (this.alive = true));
    socket.on('close', () => this.onClose());
    socket.on('error', (err) => {
      this.log.debug({ err }, 'socket error');
      // ws closes after most errors; make sure nothing half-open lingers.
      this.terminate('socket error');
    });

    const hello = {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      server: 'parley',
      node: deps.core.nodeId,
      maxFrameBytes: limits.max_frame_bytes,
    };

    // A token in the upgrade request (non-browser clients) authenticates first;
    // the hello then says who the connection is, so the client knows it worked.
    let headerToken: string | undefined;
    try {
      headerToken = bearer(req);
    } catch {
      headerToken = undefined; // not a Bearer header: the client may still authenticate in-band
    }
    if (headerToken === undefined) this.write(hello);
    else this.authenticateFromHeader(headerToken, hello);

    const now = Date.now();
    this.authDeadline = now + limits.auth_timeout_seconds * 1000;
    this.nextPing = now + limits.heartbeat_seconds * 1000;
  }

  /**
   * The connection's clocks, driven by the door's sweep (route.ts) about twice a
   * second rather than by timers of its own (three per connection cost memory
   * with 10,000 connections): the auth deadline, the heartbeat, the recheck.
   */
  tick(now: number): void {
    if (this.closed) return;
    const limits = this.deps.config.native;
    if (!this.auth && now >= this.authDeadline)
      return this.shutdown(CLOSE.notAuthenticated, 'authentication timeout');
    if (now >= this.nextPing) {
      this.nextPing = now + limits.heartbeat_seconds * 1000;
      // A peer that did not answer the last ping is gone (laptop lid, dead NAT).
      if (!this.alive) return this.terminate('heartbeat timeout');
      this.alive = false;
      this.socket.ping();
    }
    if (now >= this.nextRecheck) {
      this.nextRecheck = now + limits.session_recheck_seconds * 1000;
      void this.recheck();
    }
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    this.deps.metrics.framesIn.inc({ door: 'ws' });
    // Frames that cannot be read get a frame-level error (no request to answer);
    // everything read as an object gets a reply carrying its id (or null).
    if (isBinary)
      return this.sendError(
        undefined,
        new ParleyError('bad-request', 'binary frames are not supported; send JSON text'),
      );
    let frame: unknown;
    try {
      frame = parseJsonBytes(data, {
        maxBytes: this.deps.config.native.max_frame_bytes,
        maxDepth: this.deps.config.limits.json_max_depth,
      });
    } catch (err) {
      return this.sendError(undefined, err);
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame))
      return this.sendError(
        undefined,
        new ParleyError('bad-request', 'a frame must be a JSON object'),
      );
    const f = frame as Record<string, unknown>;
    const id = f.id;
    if (
      id !== undefined &&
      !(
        (typeof id === 'string' && id.length > 0 && id.length <= 64) ||
        (typeof id === 'number' && Number.isSafeInteger(id))
      )
    )
      return this.sendError(
        undefined,
        new ParleyError('bad-request', 'id must be a string of 1-64 characters or an integer', {
          field: 'id',
        }),
      );
    const re = (id as Id | undefined) ?? null;
    const limits = this.deps.config.native;
    const wait = this.rate.tryTake(limits.frames_per_second, limits.frame_burst);
    if (wait > 0)
      return this.sendError(
        re,
        new ParleyError('rate-limited', 'too many frames; slow down', {
          retryAfter: Math.max(1, Math.ceil(wait / 1000)),
        }),
      );
    if (this.inFlight >= MAX_IN_FLIGHT)
      return this.sendError(
        re,
        new ParleyError(
          'rate-limited',
          `more than ${MAX_IN_FLIGHT} requests waiting; wait for replies`,
          { retryAfter: 1 },
        ),
      );
    if (typeof f.type !== 'string')
      return this.sendError(
        re,
        new ParleyError('bad-request', 'type must be a string', { field: 'type' }),
      );
    for (const k of Object.keys(f)) {
      if (k !== 'id' && k !== 'type' && k !== 'data')
        return this.sendError(
          re,
          new ParleyError(
            'bad-request',
            `unknown frame field "${k.slice(0, 40)}"; request fields go in "data"`,
            { field: k.slice(0, 40) },
          ),
        );
    }
    const type = f.type;
    const input = f.data;
    this.enqueue(() => this.handle(re, type, input));
  }

  private enqueue(task: () => Promise<void>): void {
    this.inFlight++;
    // One request at a time per connection: "auth" then "me.get" sent back to back must see the auth.
    this.chain = this.chain.then(task).finally(() => this.inFlight--);
  }

  // The feed's sink (FeedSink): how this door writes what core's feed hands it.
  // Methods, not an object of closures: 10,000 idle connections pay for each field.

  replayed(e: CoreEvent): void {
    this.writeText(eventJson(e));
  }

  live(e: CoreEvent): void {
    this.sendLive(e);
  }

  caughtUp(r: { ok: boolean; cursor: number; rooms: Record<string, number> }): void {
    this.write({
      type: 'event',
      name: r.ok ? 'sync.done' : 'sync.failed',
      data: { cursor: r.cursor, rooms: r.rooms },
    });
  }

  /**
   * After a bus outage the feed resends what was missed as ordinary events; only
   * a resync the store cut short is told (the client syncs from there).
   */
  resyncFailed(r: { cursor: number; rooms: Record<string, number> }): void {
    this.write({ type: 'event', name: 'sync.failed', data: { cursor: r.cursor, rooms: r.rooms } });
  }

  gone(): boolean {
    return this.closed;
  }

  private sendLive(e: CoreEvent): void {
    // One event reaches many sessions (a room's members): its frame is built once.
    if (!this.out) {
      return this.writeText(eventJson(e));
    }
    if (this.writable()) this.out.push(eventFrame(e));
  }

  /** Open and not too far behind; a client that cannot keep up is cut off. */
  private writable(): boolean {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return false;
    const queued = this.socket.bufferedAmount + (this.out?.pendingBytes ?? 0);
    if (queued <= this.deps.config.native.send_queue_bytes) return true;
    this.terminate('send queue full (client too slow)');
    return false;
  }

  private async handle(re: Id | null, type: string, input: unknown): Promise<void> {
    if (this.closed) return;
    const started = process.hrtime.bigint();
    if (this.signedOut) {
      this.sendError(re, new ParleyError('not-authenticated', 'this session was signed out'));
      return;
    }
    let catchUp = false;
    try {
      let result: unknown;
      if (type === 'auth') {
        if (this.auth)
          throw new ParleyError('bad-request', 'this connection is already authenticated');
        const d = input as { token?: unknown } | undefined;
        if (typeof d !== 'object' || d === null || typeof d.token !== 'string')
          throw new ParleyError('bad-request', 'auth needs data.token', { field: 'token' });
        checkShape(d, { token: 'string', cursor: 'number?', rooms: 'any?' });
        const cursor = (d as { cursor?: unknown }).cursor;
        const rooms = roomCursors((d as { rooms?: unknown }).rooms);
        if (rooms && cursor === undefined)
          throw new ParleyError('bad-request', 'rooms needs cursor too', { field: 'rooms' });
        if (cursor !== undefined && (!Number.isSafeInteger(cursor) || (cursor as number) < 0))
          throw new ParleyError('bad-request', 'cursor must be a whole number, 0 or more', {
            field: 'cursor',
          });
        const auth = await this.deps.core.accounts.authenticate(d.token, this.address);
        // With a cursor, live events wait until what was missed has been sent.
        const feed = await this.deps.core.feeds.open(
          auth.user.id,
          this,
          cursor === undefined ? undefined : { cursor: cursor as number, rooms: rooms ?? {} },
        );
        this.becomeAuthenticated(auth, feed);
        result = whoAmI(auth);
        catchUp = cursor !== undefined;
      } else {
        if ((type === 'session.login' || type === 'account.register') && this.auth)
          throw new ParleyError('bad-request', 'this connection is already authenticated');
        result = await runOp(
          type,
          {
            core: this.deps.core,
            address: this.address,
            connectionId: this.connectionId,
            ...(this.auth ? { auth: this.auth } : {}),
          },
          input,
        );
        if (type === 'session.login' || type === 'account.register') {
          const login = result as LoginResult;
          const auth = await this.deps.core.accounts.authenticate(login.token, this.address);
          this.becomeAuthenticated(auth, await this.deps.core.feeds.open(auth.user.id, this));
        }
      }
      this.write({ type: 'reply', re, ok: true, data: result ?? {} });
      if (catchUp) await this.feed?.catchUp();
    } catch (err) {
      if (this.auth && (err as { condition?: unknown }).condition === 'not-authenticated') {
        // The session ended under the request (core.accounts.asSession): not the
        // client's fault, and the connection ends as for any revocation.
        this.signedOut = true;
        this.sendError(re, err, false);
        this.shutdown(CLOSE.sessionEnded, 'session revoked');
      } else this.sendError(re, err);
    } finally {
      // Only known names become label values: a client must not be able to grow the metrics.
      const op = type === 'auth' || Object.hasOwn(OPS, type) ? type : 'unknown';
      this.deps.metrics.latency.observe(
        { op, transport: 'ws' },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    }
  }

  /**
   * A method, not a closure in the constructor: the socket's handlers are made there
   * and would keep whatever such a closure captures (the hello, the token) alive for
   * the connection's life.
   */
  private authenticateFromHeader(token: string, hello: Record<string, unknown>): void {
    this.enqueue(async () => {
      try {
        const auth = await this.deps.core.accounts.authenticate(token, this.address);
        this.becomeAuthenticated(auth, await this.deps.core.feeds.open(auth.user.id, this));
        this.write({ ...hello, ...whoAmI(auth) });
      } catch (err) {
        this.write(hello);
        this.sendError(undefined, err);
        // A database outage is not a bad token: the client keeps it and tries again.
        if ((err as { condition?: unknown }).condition === 'unavailable')
          this.shutdown(CLOSE.tryAgainLater, 'unavailable, try again later');
        else this.shutdown(CLOSE.notAuthenticated, 'authentication failed');
      }
    });
  }

  private becomeAuthenticated(auth: AuthContext, feed: Feed): void {
    if (this.closed) return;
    this.auth = auth;
    this.feed = feed;
    this.session = {
      id: auth.session.id,
      connectionId: this.connectionId,
      userId: auth.user.id,
      door: 'ws',
      resource: auth.session.device,
      // What the native protocol has always sent: typing and receipts, never an echo
      // of the connection's own change (it gets the reply), no occupancy events.
      capabilities: WS_CAPABILITIES,
      ...sessionCallbacks(feed),
      // Deferred past the current request, so a connection that logs itself out
      // (logout, delete, revoke of its own session) still gets its reply first.
      close: (reason: string) => {
        this.signedOut = true;
        setImmediate(() => this.shutdown(CLOSE.sessionEnded, reason));
      },
    };
    this.deps.core.sessions.add(this.session);
    this.nextRecheck = Date.now() + this.deps.config.native.session_recheck_seconds * 1000;
  }

  /** Closes the connection when its login session was revoked by a node that could not reach us, or by the CLI. */
  private async recheck(): Promise<void> {
    if (!this.auth || this.closed) return;
    try {
      if (
        !(await this.deps.core.accounts.stillValid(
          this.auth.session.id,
          this.auth.session.tokenHash,
        ))
      )
        this.shutdown(CLOSE.sessionEnded, 'session revoked');
    } catch (err) {
      // A database outage has its own warning; the next recheck tries again.
      if ((err as { condition?: unknown }).condition !== 'unavailable')
        this.log.warn({ err }, 'session recheck failed');
    }
  }

  /** `re` undefined: the frame could not be read, so no request is answered (type "error"). */
  private sendError(re: Id | null | undefined, err: unknown, abuse = true): void {
    const error = toWireError(err);
    if (error.condition === 'internal-error') this.log.error({ err }, 'request failed');
    this.deps.metrics.errors.inc({ condition: error.condition });
    this.write(
      re === undefined ? { type: 'error', error } : { type: 'reply', re, ok: false, error },
    );
    if (!abuse || !ABUSE.has(error.condition)) return;
    const now = Date.now();
    if (now - this.badSince > ABUSE_WINDOW_MS) {
      this.badSince = now;
      this.badCount = 0;
    }
    if (++this.badCount >= this.deps.config.native.bad_frames_before_close)
      this.shutdown(CLOSE.policy, 'too many bad frames');
  }

  private write(frame: object): void {
    this.writeText(JSON.stringify(frame));
  }

  private get log(): Logger {
    return (this.logger ??= this.deps.logger.child({
      conn: this.connectionId,
      addr: this.address,
    }));
  }

  private writeText(text: string): void {
    if (!this.writable()) return;
    if (this.out) return this.out.push(textFrame(Buffer.from(text, 'utf8')));
    this.socket.send(text);
    this.deps.countFrames(1);
  }

  shutdown(code: number, reason: string): void {
    if (this.closed) return;
    // What was sent before the close goes before the close frame.
    this.out?.flush();
    this.socket.close(code, reason);
    this.cleanup();
    // A peer that never answers the close handshake is cut off.
    setTimeout(() => this.socket.terminate(), 2000).unref();
  }

  private terminate(reason: string): void {
    this.log.info({ reason }, 'terminating connection');
    this.socket.terminate();
    this.cleanup();
  }

  private onClose(): void {
    this.cleanup();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.session) this.deps.core.sessions.remove(this.session);
    this.deps.metrics.connections.dec({ door: 'ws' });
    this.deps.closed(this);
  }
}

/** `rooms` of an auth frame: room name -> the roomSeq the client has seen. */
function roomCursors(v: unknown): Record<string, number> | undefined {
  if (v === undefined) return undefined;
  const bad = () =>
    new ParleyError(
      'bad-request',
      `rooms must map room names to whole numbers (at most ${MAX_REPLAY_ROOMS} rooms)`,
      { field: 'rooms' },
    );
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad();
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > MAX_REPLAY_ROOMS) throw bad();
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const [k, n] of entries) {
    if (k.length > 40 || typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw bad();
    out[k] = n;
  }
  return out;
}

function whoAmI(auth: AuthContext) {
  return {
    user: { id: auth.user.id, username: auth.user.username, createdAt: auth.user.createdAt },
    session: { id: auth.session.id, device: auth.session.device },
  };
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
