import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import type { CoreEvent } from '../../core/events.js';
import { eventJson } from '../native/events.js';

/**
 * Outgoing frames built once and written in batches.
 *
 * A room message reaches hundreds of sessions. Through `ws.send` each of them
 * would re-encode the JSON to UTF-8, build its own frame header and make its
 * own system call. Instead the whole frame (header and payload: a server's
 * frames are unmasked, so they are the same bytes for every client) is built
 * once per event, and each socket is corked for the rest of the event-loop
 * turn, so everything it is sent in that turn leaves in one `writev`.
 *
 * Writing a finished frame straight to the TCP socket is safe because ws's
 * Sender only ever holds data back for permessage-deflate or Blob payloads,
 * and this server uses neither (see server.ts): every `ws.send` is written to
 * the socket synchronously, whole, so raw frames interleave with ws's own at
 * frame boundaries only. `rawSocket` refuses any socket where that may not hold.
 */
/** The frame of a live event, cached on it under this door's own symbol (see eventJson). */
const FRAME = Symbol('ws frame');

/** An unmasked, final text frame (RFC 6455 section 5.2) carrying `payload`. */
export function textFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const f = Buffer.allocUnsafe(head + n);
  f[0] = 0x81; // FIN, opcode 1 (text)
  if (n < 126) f[1] = n;
  else if (n < 65_536) {
    f[1] = 126;
    f.writeUInt16BE(n, 2);
  } else {
    f[1] = 127;
    f.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(f, head);
  return f;
}

/** The frame of a live event, built on first use and shared by every session it reaches. */
export function eventFrame(e: CoreEvent): Buffer {
  const held = e as CoreEvent & { [FRAME]?: Buffer };
  let f = held[FRAME];
  if (!f) {
    f = textFrame(Buffer.from(eventJson(e), 'utf8'));
    held[FRAME] = f;
  }
  return f;
}

interface WsInternals {
  _socket?: Socket | null;
  _extensions?: Record<string, unknown>;
}

/**
 * The TCP socket under `ws`, when whole frames may be written to it directly:
 * no extension was negotiated (so ws's Sender never holds data back).
 * Otherwise undefined: use ws.send. Extensions are fixed at the handshake, so
 * the answer holds for the connection's life.
 */
export function rawSocket(ws: WebSocket): Socket | undefined {
  const w = ws as unknown as WsInternals;
  const s = w._socket;
  if (!s || typeof s.write !== 'function') return undefined;
  if (w._extensions && Object.keys(w._extensions).length > 0) return undefined;
  return s;
}

const waiting = new Set<FrameQueue>();
let scheduled = false;

/**
 * Under load, flushes at most this often: frames arriving meanwhile join the
 * next write, so a busy connection gets a few large writes instead of many small
 * ones (each a system call that on loopback also runs the receiver's TCP work).
 * An idle server still flushes at the end of the current turn.
 */
const COALESCE_MS = 2;
let lastFlush = 0;

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  const since = performance.now() - lastFlush;
  if (since >= COALESCE_MS) setImmediate(flushAll);
  else setTimeout(flushAll, COALESCE_MS - since);
}

function flushAll(): void {
  scheduled = false;
  lastFlush = performance.now();
  for (const q of waiting) q.flush();
  waiting.clear();
}

/**
 * One connection's outgoing frames for the rest of this event-loop turn: all
 * of them leave together, in order, in one write (one system call) when the
 * turn ends. Everything the connection sends that must keep its order goes
 * through here; ws writes only pings and the close frame itself, after `flush`.
 */
export class FrameQueue {
  private frames: Buffer[] = [];
  private bytes = 0;

  constructor(
    private readonly socket: Socket,
    /** Counts frames written (a metric), once per write rather than per frame. */
    private readonly written: (frames: number) => void,
  ) {}

  /** Bytes accepted but not yet handed to the socket. */
  get pendingBytes(): number {
    return this.bytes;
  }

  push(frame: Buffer): void {
    this.frames.push(frame);
    this.bytes += frame.length;
    if (this.frames.length === 1) {
      waiting.add(this);
      schedule();
    }
  }

  flush(): void {
    const list = this.frames;
    if (list.length === 0) return;
    this.frames = [];
    this.bytes = 0;
    if (this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(list.length === 1 ? list[0]! : Buffer.concat(list));
    this.written(list.length);
  }
}
