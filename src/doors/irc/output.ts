import { performance } from 'node:perf_hooks';
import type { IrcTransport } from './transport.js';

/**
 * A connection's outgoing lines, written once per event-loop turn.
 *
 * A room message reaches hundreds of connections, and under load each of them
 * gets several lines in the same turn: one `socket.write` per line would cost a
 * system call each (on loopback, the receiver's TCP work too) and the stream
 * machinery around it. Lines wait here instead, and every connection with
 * something waiting is flushed together, with one write of everything it got
 * (the same batching as the WebSocket door's FrameQueue, doors/ws/frames-out.ts).
 *
 * The bound holds (DEVELOPING.md 31): bytes waiting here plus bytes the socket
 * still holds are counted on every line, and past `limit` the caller is told to
 * cut the client off.
 */

const waiting = new Set<LineQueue>();
let scheduled = false;

/**
 * Under load, flushes at most every `gap` ms: lines arriving meanwhile join the
 * next write. An idle server still flushes at the end of the current turn.
 *
 * A write costs about the same whatever it carries (a system call, and on
 * loopback the receiver's TCP work), so the gap follows what the last flush
 * took, between `MIN_GAP_MS` and `MAX_GAP_MS`: when writing to every member
 * of a big room took 6 ms, the next flush waits 6 ms, each write then carries
 * the lines of more messages, and writing stays under about half of the time.
 * At a low rate flushes are short and the gap stays at its minimum.
 */
const MIN_GAP_MS = 2;
const MAX_GAP_MS = 20;
let gap = MIN_GAP_MS;
let lastFlush = 0;

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  const since = performance.now() - lastFlush;
  if (since >= gap) setImmediate(flushAll);
  else setTimeout(flushAll, gap - since);
}

function flushAll(): void {
  scheduled = false;
  const start = performance.now();
  // Each flush leaves the set; a queue added meanwhile is visited too.
  for (const q of waiting) q.flush();
  lastFlush = performance.now();
  gap = Math.min(MAX_GAP_MS, Math.max(MIN_GAP_MS, lastFlush - start));
}

/** Finished lines (CRLF included) for one transport, in order. */
export class LineQueue {
  /** Undefined while nothing waits: an idle connection holds no array. */
  private chunks: (string | Buffer)[] | undefined;
  private bytes = 0;

  constructor(private readonly socket: IrcTransport) {}

  /**
   * Queues finished lines; false when the client is too far behind (what waits
   * here and in the socket is over `limit` bytes): the caller cuts it off.
   */
  push(data: string | Buffer, limit: number): boolean {
    if (this.chunks) this.chunks.push(data);
    else {
      this.chunks = [data];
      waiting.add(this);
      schedule();
    }
    this.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    return this.bytes + this.socket.writableLength <= limit;
  }

  /** Hands everything waiting to the socket now (before an end, or at the end of the turn). */
  flush(): void {
    const list = this.chunks;
    if (!list) return;
    this.chunks = undefined;
    this.bytes = 0;
    waiting.delete(this);
    if (this.socket.destroyed) return;
    if (list.length === 1) this.socket.write(list[0]!);
    else
      this.socket.write(
        Buffer.concat(list.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c))),
      );
  }

  /** Forgets what waits (the connection is being destroyed). */
  drop(): void {
    this.chunks = undefined;
    this.bytes = 0;
    waiting.delete(this);
  }
}
