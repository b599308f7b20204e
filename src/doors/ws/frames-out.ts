import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { ParleyEvent } from '../../core/events.js';

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
const frames = new WeakMap<ParleyEvent, Buffer>();

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
export function eventFrame(e: ParleyEvent): Buffer {
  let f = frames.get(e);
  if (!f) {
    e.encoded ??= JSON.stringify({ type: 'event', name: e.name, data: e.data });
    f = textFrame(Buffer.from(e.encoded, 'utf8'));
    frames.set(e, f);
  }
  return f;
}

interface WsInternals {
  _socket?: Socket | null;
  _extensions?: Record<string, unknown>;
  _sender?: { _state?: number; _bufferedBytes?: number };
}

/**
 * The TCP socket under `ws`, when frames may be written to it directly: no
 * extension negotiated and ws's Sender idle. Otherwise undefined (use ws.send).
 */
export function rawSocket(ws: WebSocket): Socket | undefined {
  const w = ws as unknown as WsInternals;
  const s = w._socket;
  if (!s || typeof s.cork !== 'function' || s.destroyed) return undefined;
  if (w._extensions && Object.keys(w._extensions).length > 0) return undefined;
  if (w._sender?._state !== 0 || w._sender._bufferedBytes) return undefined;
  return s;
}

const corked = new Set<Socket>();
let scheduled = false;

function uncorkAll(): void {
  scheduled = false;
  for (const s of corked) if (!s.destroyed) s.uncork();
  corked.clear();
}

/**
 * Corks `s` until the end of this event-loop turn (once per turn), so all the
 * frames written to it meanwhile, by us or by ws, go out in one system call.
 */
export function corkForTurn(s: Socket): void {
  if (corked.has(s)) return;
  s.cork();
  corked.add(s);
  if (!scheduled) {
    scheduled = true;
    setImmediate(uncorkAll);
  }
}
