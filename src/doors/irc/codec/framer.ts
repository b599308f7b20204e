/**
 * Bytes from a socket -> IRC lines (strings without CR LF), bounded.
 *
 *   const framer = new Framer();
 *   socket.on('data', (chunk) => {
 *     for (const item of framer.push(chunk)) {
 *       if (!item.ok) ... // 'too-long': send `ERROR :Input line too long` and close
 *       else handle(parseLine(item.line, { latin1: item.latin1 }));
 *     }
 *   });
 *
 * Line ends: LF ends a line, and a CR just before it is removed, so both CRLF (the
 * standard) and a lone LF (sent by some clients and scripts; modern.ircdocs asks
 * software to accept it) work. A lone CR is NOT a line end: splitting on it would turn
 * "PRIVMSG #a :x\rQUIT" into two commands where the client meant one, and no client
 * in use ends lines with CR alone. A line holding a CR anywhere else is refused
 * ('bad-char', char 'cr'), like a line holding NUL ('bad-char', char 'nul'); the
 * session may answer or ignore these, the next line is unaffected. Empty lines
 * (nothing, or only a CR, before the LF) are dropped silently, as the docs ask.
 *
 * Bounds: at most `maxLine` bytes per line including CRLF (default MAX_LINE: 8191 of
 * tags + 512 of body). Bytes without a newline are buffered only up to that; past it
 * the framer reports 'too-long' at once (before any newline arrives), forgets the
 * buffer and discards bytes up to the next LF, so memory never grows with input. A
 * complete line over the limit is 'too-long' too. The session is expected to close
 * on 'too-long' (`ERROR :Input line too long`), but the framer stays usable if not.
 *
 * Encoding: a line that is valid UTF-8 is decoded as UTF-8. A line that is not is
 * decoded as Latin-1 (each byte one character), the fallback many servers use for
 * legacy clients that send ISO-8859-1/CP1252, and flagged `latin1: true` so the session
 * can log it, refuse it, or pass the flag to parseLine (which then counts one byte
 * per character and refuses non-ASCII tags). The decision is per line, so a stray
 * byte in one line does not change how the others read. Nothing here throws.
 */
import { isUtf8 } from 'node:buffer';
import { MAX_LINE } from './line.js';

export type FramedLine =
  | { ok: true; line: string; latin1: boolean }
  | { ok: false; reason: 'too-long' }
  | { ok: false; reason: 'bad-char'; char: 'nul' | 'cr' };

export interface FramerOptions {
  /** Longest line in bytes including CRLF (default MAX_LINE = 8703). At least 3. */
  maxLine?: number;
}

const LF = 0x0a;
const CR = 0x0d;

export class Framer {
  readonly maxLine: number;
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** After an overflow: drop bytes up to the next LF. */
  private discarding = false;

  constructor(opts: FramerOptions = {}) {
    this.maxLine = Math.max(3, opts.maxLine ?? MAX_LINE);
  }

  /** Bytes held for an unfinished line (never more than maxLine - 1). */
  get buffered(): number {
    return this.pendingLength;
  }

  /** Feeds a chunk; returns the lines (and errors) it completed, in order. */
  push(chunk: Uint8Array): FramedLine[] {
    const data = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: FramedLine[] = [];
    let start = 0;
    for (;;) {
      const lf = data.indexOf(LF, start);
      if (lf === -1) {
        this.hold(data.subarray(start), out);
        return out;
      }
      this.finish(data.subarray(start, lf), out);
      start = lf + 1;
    }
  }

  private hold(part: Buffer, out: FramedLine[]): void {
    if (part.length === 0 || this.discarding) return;
    // Content plus CRLF would already exceed maxLine even if the last byte held is a CR.
    if (this.pendingLength + part.length > this.maxLine - 1) {
      this.reset();
      this.discarding = true;
      out.push({ ok: false, reason: 'too-long' });
      return;
    }
    // Copied: the caller may reuse its chunk, and we keep at most maxLine bytes.
    this.pending.push(Buffer.from(part));
    this.pendingLength += part.length;
  }

  private finish(part: Buffer, out: FramedLine[]): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    let length = this.pendingLength + part.length;
    const lastByte = part.length > 0 ? part[part.length - 1] : this.lastPendingByte();
    if (lastByte === CR) length--;
    if (length === 0) {
      this.reset();
      return;
    }
    if (length > this.maxLine - 2) {
      this.reset();
      out.push({ ok: false, reason: 'too-long' });
      return;
    }
    const whole = this.pending.length === 0 ? part : Buffer.concat([...this.pending, part]);
    this.reset();
    const line = whole.subarray(0, length);
    if (line.includes(0)) out.push({ ok: false, reason: 'bad-char', char: 'nul' });
    else if (line.includes(CR)) out.push({ ok: false, reason: 'bad-char', char: 'cr' });
    else if (isUtf8(line)) out.push({ ok: true, line: line.toString('utf8'), latin1: false });
    else out.push({ ok: true, line: line.toString('latin1'), latin1: true });
  }

  private lastPendingByte(): number | undefined {
    const last = this.pending[this.pending.length - 1];
    return last?.[last.length - 1];
  }

  private reset(): void {
    this.pending = [];
    this.pendingLength = 0;
  }
}
