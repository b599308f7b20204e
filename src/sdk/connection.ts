import { fromWire, ParleyApiError } from './errors.js';
import type { RoomMarker, RoomMessageResult } from './room-types.js';
import type { ChosenPresence, Marker, Presence, ServerEvent } from './types.js';

/** The subset of the WebSocket API we use: the browser's and the `ws` package's both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/**
 * A live, authenticated WebSocket to the server. `request` sends one frame and
 * resolves with its reply; events arrive through `on`.
 */
export class ParleyConnection {
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Map<string, Set<(data: Record<string, unknown>) => void>>();
  private readonly anyListeners = new Set<(e: ServerEvent) => void>();
  /** Resolves with the close code and reason when the connection ends. */
  readonly closed: Promise<{ code: number; reason: string }>;
  hello: Record<string, unknown> | undefined;
  private helloSeen: (() => void) | undefined;
  private readonly frameErrors: ParleyApiError[] = [];

  private constructor(private readonly ws: WebSocketLike) {
    this.closed = new Promise((resolve) => {
      ws.onclose = (ev) => {
        for (const p of this.pending.values())
          p.reject(
            new ParleyApiError('unavailable', `connection closed (${ev.code} ${ev.reason})`),
          );
        this.pending.clear();
        resolve({ code: ev.code, reason: ev.reason });
      };
    });
    ws.onmessage = (ev) => this.onFrame(String(ev.data));
  }

  /** Opens the socket, waits for the hello, then authenticates with the token. */
  static async open(
    url: string,
    token: string | undefined,
    factory: WebSocketFactory,
    cursor?: number,
    onEvent?: (e: ServerEvent) => void,
    rooms?: Record<string, number>,
  ): Promise<ParleyConnection> {
    const ws = factory(url);
    const conn = new ParleyConnection(ws);
    // Attached before auth, so events replayed right after it are not missed.
    if (onEvent) conn.onAny(onEvent);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new ParleyApiError('unavailable', 'no hello from the server')),
        10_000,
      );
      conn.helloSeen = () => {
        clearTimeout(t);
        resolve();
      };
      ws.onerror = () => {
        clearTimeout(t);
        reject(new ParleyApiError('unavailable', `cannot connect to ${url}`));
      };
      void conn.closed.then(({ code, reason }) => {
        clearTimeout(t);
        reject(
          new ParleyApiError('unavailable', `connection closed before hello (${code} ${reason})`),
        );
      });
    });
    if (token !== undefined) {
      try {
        await conn.request(
          'auth',
          cursor === undefined ? { token } : { token, cursor, ...(rooms ? { rooms } : {}) },
        );
      } catch (err) {
        conn.close(); // do not leave a socket waiting for its auth timeout
        throw err;
      }
    }
    return conn;
  }

  private onFrame(text: string): void {
    let f: Record<string, unknown>;
    try {
      f = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    switch (f.type) {
      case 'hello':
        this.hello = f;
        this.helloSeen?.();
        return;
      case 'reply': {
        const key = String(f.re);
        const p = this.pending.get(key);
        if (!p) return;
        this.pending.delete(key);
        if (f.ok) p.resolve(f.data);
        else p.reject(fromWire(f.error as never));
        return;
      }
      case 'event': {
        const e = { name: String(f.name), data: (f.data ?? {}) as Record<string, unknown> };
        for (const fn of this.listeners.get(e.name) ?? []) fn(e.data);
        for (const fn of this.anyListeners) fn(e);
        return;
      }
      case 'error':
        this.frameErrors.push(fromWire(f.error as never));
        return;
    }
  }

  request<T = Record<string, unknown>>(type: string, data?: Record<string, unknown>): Promise<T> {
    const id = String(this.nextId++);
    const text = JSON.stringify(data === undefined ? { id, type } : { id, type, data });
    // The server cannot attribute a frame it refuses to read, so refuse it here instead.
    const max = typeof this.hello?.maxFrameBytes === 'number' ? this.hello.maxFrameBytes : Infinity;
    if (new TextEncoder().encode(text).length > max)
      return Promise.reject(
        new ParleyApiError(
          'payload-too-large',
          `the request is larger than the server's ${max}-byte frame limit`,
        ),
      );
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.ws.send(text);
      } catch (err) {
        this.pending.delete(id);
        reject(new ParleyApiError('unavailable', (err as Error).message));
      }
    });
  }

  /** Sets this connection's presence (`invisible` looks offline); resolves with your resulting presence. */
  async setPresence(
    show: 'available' | 'away' | 'dnd' | 'xa' | 'invisible',
    status?: string,
  ): Promise<Presence> {
    const r = await this.request<{ presence: Presence }>(
      'presence.set',
      status === undefined ? { show } : { show, status },
    );
    return r.presence;
  }

  /** Chooses your account's status for every device (`presence.choose`). */
  async choosePresence(
    show: ChosenPresence['show'],
    status?: string,
  ): Promise<{ chosen: ChosenPresence; presence: Presence }> {
    return this.request('presence.choose', status === undefined ? { show } : { show, status });
  }

  /** Moves your read (and delivered) marker in the conversation with `withUser` to `seq`. */
  async markRead(withUser: string, seq: number): Promise<Marker> {
    return (await this.request<{ marker: Marker }>('messages.mark', { with: withUser, read: seq }))
      .marker;
  }

  async markDelivered(withUser: string, seq: number): Promise<Marker> {
    return (
      await this.request<{ marker: Marker }>('messages.mark', { with: withUser, delivered: seq })
    ).marker;
  }

  /** Tells `to` you are typing ("start", renew every few seconds) or stopped ("stop"). */
  async typing(to: string, state: 'start' | 'stop'): Promise<void> {
    await this.request('typing', { to, state });
  }

  /** Sends a message to a room over this connection (its own echo is skipped). */
  sendToRoom(room: string, text: string, clientId: string, replyTo?: string) {
    return this.request<RoomMessageResult>('rooms.send', {
      room,
      text,
      clientId,
      ...(replyTo ? { replyTo } : {}),
    });
  }

  /** Moves your read marker in a room to `roomSeq`; your other devices follow. */
  async markRoomRead(room: string, roomSeq: number): Promise<RoomMarker> {
    return (await this.request<{ marker: RoomMarker }>('rooms.mark', { room, read: roomSeq }))
      .marker;
  }

  /** Tells the room's members you are typing ("start", renew every few seconds) or stopped. */
  async roomTyping(room: string, state: 'start' | 'stop'): Promise<void> {
    await this.request('rooms.typing', { room, state });
  }

  /** Subscribe to one event name; returns an unsubscribe function. */
  on(name: string, fn: (data: Record<string, unknown>) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  onAny(fn: (e: ServerEvent) => void): () => void {
    this.anyListeners.add(fn);
    return () => this.anyListeners.delete(fn);
  }

  /** Resolves with the next event of that name (rejects after `timeoutMs`). */
  next(name: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(new Error(`no ${name} event within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on(name, (d) => {
        clearTimeout(t);
        off();
        resolve(d);
      });
    });
  }

  /** Errors the server sent for frames it could not attribute to a request id. */
  takeFrameErrors(): ParleyApiError[] {
    return this.frameErrors.splice(0);
  }

  close(): void {
    this.ws.close(1000, 'bye');
  }
}
