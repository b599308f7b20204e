import type { Socket } from 'node:net';
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
 * once per event and queued on the connection's `WriteQueue` (doors/write-queue.ts,
 * shared with the IRC door), which writes what a connection got in one write.
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
