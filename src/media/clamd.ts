import { createReadStream } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { ScannerUnavailable, ScanTooLarge, type VirusScanner } from '../core/files/scan.js';

/** Bytes per INSTREAM chunk (clamd reads each chunk whole). */
const CHUNK = 64 * 1024;
/** clamd's reply is one short line; anything longer is not clamd. */
const MAX_REPLY = 4096;

/**
 * core/files' VirusScanner with a running ClamAV daemon: the file is streamed to
 * clamd with INSTREAM (length-prefixed chunks, then a zero length) over its Unix
 * socket or TCP, and its one-line verdict read. clamd's own size limit
 * (StreamMaxLength, "INSTREAM size limit exceeded") is ScanTooLarge, so core
 * applies its rule for files too big to scan; `maxBytes` says that limit, so
 * core decides before streaming. Anything else but a clear verdict is
 * ScannerUnavailable: the upload is refused rather than stored unscanned.
 */
export function createClamdScanner(o: {
  socket?: string;
  host?: string;
  port?: number;
  timeoutMs: number;
  /** clamd's StreamMaxLength (files.clamav max_bytes). */
  maxBytes?: number;
}): VirusScanner {
  const where = o.socket ? o.socket : `${o.host}:${o.port ?? 3310}`;
  return {
    ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
    scan: (path) =>
      new Promise<string | null>((resolve, reject) => {
        let settled = false;
        let reply = '';
        const sock: Socket = o.socket ? connect(o.socket) : connect(o.port ?? 3310, o.host);
        let file: ReturnType<typeof createReadStream> | undefined;
        const fail = (why: string, tooLarge = false) => {
          if (settled) return;
          settled = true;
          file?.destroy();
          sock.destroy();
          const msg = `clamd at ${where}: ${why}`;
          reject(tooLarge ? new ScanTooLarge(msg) : new ScannerUnavailable(msg));
        };
        sock.setTimeout(o.timeoutMs, () => fail('no verdict in time'));
        const verdict = () => {
          if (settled) return;
          const line = reply.split('\0')[0]!.trim();
          const found = /^stream: (.+) FOUND$/.exec(line);
          if (found || line === 'stream: OK') {
            settled = true;
            sock.destroy();
            resolve(found ? found[1]!.slice(0, 200) : null);
          } else if (/size limit exceeded/i.test(line))
            fail(`refused the file as over its StreamMaxLength ("${line.slice(0, 100)}")`, true);
          else fail(line ? `answered "${line.slice(0, 200)}"` : 'closed without a verdict');
        };
        // clamd answers a stream over its limit at once and closes, so our next write may
        // fail: what it said before that is the answer. A cut without one names the
        // likely cause for the log.
        let streaming = false;
        sock.on('error', (err) => {
          if (reply) return verdict();
          fail(
            streaming
              ? `${err.message} (cut off mid-file: if the file is over clamd's StreamMaxLength, set files.clamav max_bytes to it)`
              : err.message,
          );
        });
        sock.on('data', (d) => {
          reply += d.toString('utf8');
          if (reply.includes('\0')) verdict();
          else if (reply.length > MAX_REPLY) fail('an answer that is not clamd');
        });
        // clamd may answer early (a size limit) and close: what it said is the verdict.
        sock.on('close', verdict);
        sock.on('connect', () => {
          streaming = true;
          sock.write('zINSTREAM\0');
          const f = createReadStream(path, { highWaterMark: CHUNK });
          file = f;
          f.on('error', (err) => fail(`cannot read the upload: ${err.message}`));
          f.on('data', (chunk) => {
            const buf = chunk as Buffer;
            const len = Buffer.alloc(4);
            len.writeUInt32BE(buf.length);
            sock.write(len);
            // Backpressure: the file waits while clamd catches up.
            if (!sock.write(buf)) {
              f.pause();
              sock.once('drain', () => f.resume());
            }
          });
          f.on('end', () => sock.write(Buffer.alloc(4)));
        });
      }),
  };
}

/** Whether clamd answers PING with PONG (for `parley doctor`); the reason when not. */
export function pingClamd(o: {
  socket?: string;
  host?: string;
  port?: number;
  timeoutMs: number;
}): Promise<string | null> {
  return new Promise((resolve) => {
    let got = '';
    const sock: Socket = o.socket ? connect(o.socket) : connect(o.port ?? 3310, o.host);
    const done = (why: string | null) => {
      sock.destroy();
      resolve(why);
    };
    sock.setTimeout(o.timeoutMs, () => done('no answer in time'));
    sock.on('error', (err) => done(err.message));
    sock.on('data', (d) => {
      got += d.toString('utf8');
      if (got.includes('\0') || got.length > MAX_REPLY)
        done(got.startsWith('PONG') ? null : `answered "${got.slice(0, 60)}"`);
    });
    sock.on('close', () => done(got.startsWith('PONG') ? null : 'closed without answering'));
    sock.on('connect', () => sock.write('zPING\0'));
  });
}
