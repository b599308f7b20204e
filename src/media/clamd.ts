import { createReadStream } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { ScannerUnavailable, type VirusScanner } from '../core/files/scan.js';

/** Bytes per INSTREAM chunk (clamd reads each chunk whole). */
const CHUNK = 64 * 1024;
/** clamd's reply is one short line; anything longer is not clamd. */
const MAX_REPLY = 4096;

/**
 * core/files' VirusScanner with a running ClamAV daemon: the file is streamed to
 * clamd with INSTREAM (length-prefixed chunks, then a zero length) over its Unix
 * socket or TCP, and its one-line verdict read. Anything but a clear verdict,
 * including clamd's own size limit (StreamMaxLength), is ScannerUnavailable: the
 * upload is refused rather than stored unscanned.
 */
export function createClamdScanner(o: {
  socket?: string;
  host?: string;
  port?: number;
  timeoutMs: number;
}): VirusScanner {
  const where = o.socket ? o.socket : `${o.host}:${o.port ?? 3310}`;
  return {
    scan: (path) =>
      new Promise<string | null>((resolve, reject) => {
        let settled = false;
        let reply = '';
        const sock: Socket = o.socket ? connect(o.socket) : connect(o.port ?? 3310, o.host);
        let file: ReturnType<typeof createReadStream> | undefined;
        const fail = (why: string) => {
          if (settled) return;
          settled = true;
          file?.destroy();
          sock.destroy();
          reject(new ScannerUnavailable(`clamd at ${where}: ${why}`));
        };
        sock.setTimeout(o.timeoutMs, () => fail('no verdict in time'));
        sock.on('error', (err) => fail(err.message));
        const verdict = () => {
          if (settled) return;
          const line = reply.split('\0')[0]!.trim();
          const found = /^stream: (.+) FOUND$/.exec(line);
          if (found || line === 'stream: OK') {
            settled = true;
            sock.destroy();
            resolve(found ? found[1]!.slice(0, 200) : null);
          } else fail(line ? `answered "${line.slice(0, 200)}"` : 'closed without a verdict');
        };
        sock.on('data', (d) => {
          reply += d.toString('utf8');
          if (reply.includes('\0')) verdict();
          else if (reply.length > MAX_REPLY) fail('an answer that is not clamd');
        });
        // clamd may answer early (a size limit) and close: what it said is the verdict.
        sock.on('close', verdict);
        sock.on('connect', () => {
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
