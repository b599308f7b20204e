import { performance } from 'node:perf_hooks';

/**
 * A connection's outgoing bytes, written in batches: every door that talks over
 * a stream (IRC lines, WebSocket frames) queues here.
 *
 * A room message reaches hundreds of connections, and under load each of them
 * gets several messages in the same turn: one `socket.write` per message would
 * cost a system call each (on loopback, the receiver's TCP work too) and the
 * stream machinery around it. What is sent waits here instead, in order, and
 * every connection with something waiting is flushed together, with one write
 * of everything it got. Finished pieces only (whole lines, whole frames): a
 * piece that should reach many connections is built once and shared.
 *
 * The bound stays the door's (DEVELOPING.md 31): `queuedBytes` is what waits
 * here plus what the socket still holds; past its limit the door cuts the
 * client off. What must precede an end (IRC's ERROR, a close frame) is flushed
 * first with `flush`.
 */

/** What a queue writes to: a TCP or TLS socket, or an adapter with the same few members. */
export interface QueueSink {
  readonly destroyed: boolean;
  /** False once the socket's writable side has ended (absent: writable until destroyed). */
  readonly writable?: boolean;
  readonly writableLength: number;
  write(data: string | Buffer): unknown;
}

const waiting = new Set<WriteQueue>();
let scheduled = false;

/**
 * Under load, flushes at most every `gap` ms: pieces arriving meanwhile join the
 * next write. An idle server still flushes at the end of the current turn.
 *
 * A write costs about the same whatever it carries, so the gap follows what the
 * last flush took, between `MIN_GAP_MS` and `MAX_GAP_MS`: when writing to every
 * member of a big room took 6 ms, the next flush waits 6 ms, each write then
 * carries the messages of more turns, and writing stays under about half of the
 * time. At low rates flushes are short and the gap stays at its minimum.
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

export class WriteQueue {
  /** Undefined while nothing waits: an idle connection holds no array. */
  private chunks: (string | Buffer)[] | undefined;
  private bytes = 0;

  constructor(
    private readonly socket: QueueSink,
    /** Counts pieces written (a metric), once per write rather than per piece. */
    private readonly written?: (pieces: number) => void,
  ) {}

  /** Bytes accepted and not yet handed to the socket. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Bytes waiting here and in the socket: what a send-queue bound counts. */
  get queuedBytes(): number {
    return this.bytes + this.socket.writableLength;
  }

  /** Queues one finished piece (a string is written as UTF-8). */
  push(data: string | Buffer): void {
    if (this.chunks) this.chunks.push(data);
    else {
      this.chunks = [data];
      waiting.add(this);
      schedule();
    }
    this.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  }

  /** Hands everything waiting to the socket now (before an end, or at the end of the turn). */
  flush(): void {
    const list = this.chunks;
    if (!list) return;
    this.chunks = undefined;
    this.bytes = 0;
    waiting.delete(this);
    if (this.socket.destroyed || this.socket.writable === false) return;
    if (list.length === 1) this.socket.write(list[0]!);
    else
      this.socket.write(
        Buffer.concat(list.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c))),
      );
    this.written?.(list.length);
  }

  /** Forgets what waits (the connection is being destroyed). */
  drop(): void {
    this.chunks = undefined;
    this.bytes = 0;
    waiting.delete(this);
  }
}
