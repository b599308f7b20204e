import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/backends.js';
import { ScannerUnavailable, ScanTooLarge } from '../core/files/scan.js';
import { createClamdScanner } from './clamd.js';

/**
 * The clamd client against a stand-in daemon on a Unix socket: the INSTREAM
 * framing, both verdicts, and every answer that is not one (fail closed).
 */
describe('clamd client', () => {
  const t = tempDir('parley-clamd-unit-');
  const socket = join(t.dir, 'fake.sock');
  const file = join(t.dir, 'upload.bin');
  const bytes = Buffer.alloc(200_000, 7);
  let answer: (sock: Socket, received: Buffer) => void = () => {};
  let server: Server;
  beforeAll(async () => {
    writeFileSync(file, bytes);
    server = createServer((sock) => {
      let got = Buffer.alloc(0);
      sock.on('data', (d) => {
        got = Buffer.concat([got, d]);
        // zINSTREAM\0, chunks of <u32 length><bytes>, then a zero length.
        if (got.length >= 14 && got.subarray(-4).equals(Buffer.alloc(4))) answer(sock, got);
      });
      sock.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(socket, r));
  });
  afterAll(() => {
    server.close();
    t.cleanup();
  });
  const scanner = (timeoutMs = 5000) => createClamdScanner({ socket, timeoutMs });

  it('streams the file in length-prefixed chunks and reads OK or FOUND', async () => {
    let streamed = Buffer.alloc(0);
    answer = (sock, got) => {
      expect(got.subarray(0, 10).toString('latin1')).toBe('zINSTREAM\0');
      let at = 10;
      const parts: Buffer[] = [];
      for (;;) {
        const n = got.readUInt32BE(at);
        at += 4;
        if (n === 0) break;
        parts.push(got.subarray(at, at + n));
        at += n;
      }
      streamed = Buffer.concat(parts);
      sock.end('stream: OK\0');
    };
    expect(await scanner().scan(file)).toBeNull();
    expect(streamed.equals(bytes)).toBe(true);
    answer = (sock) => sock.end('stream: Win.Test.EICAR_HDB-1 FOUND\0');
    expect(await scanner().scan(file)).toBe('Win.Test.EICAR_HDB-1');
  });

  it("clamd's size limit is ScanTooLarge, not an outage, however its answer arrives", async () => {
    // Read whole, then answered (as a slow clamd might).
    answer = (sock) => sock.end('INSTREAM size limit exceeded. ERROR\0');
    await expect(scanner().scan(file)).rejects.toBeInstanceOf(ScanTooLarge);
    // Answered while the file is still streaming: clamd stops reading and closes, so the
    // client's next write may break. Either way it is refused, never resolved.
    let early: Server | undefined;
    const earlySocket = join(t.dir, 'early.sock');
    try {
      early = createServer((sock) => {
        let got = 0;
        sock.on('error', () => {});
        sock.on('data', (d) => {
          got += d.length;
          if (got > 20_000 && !sock.destroyed) {
            sock.write('INSTREAM size limit exceeded. ERROR\0');
            sock.destroy();
          }
        });
      });
      await new Promise<void>((r) => early!.listen(earlySocket, r));
      const err = await createClamdScanner({ socket: earlySocket, timeoutMs: 5000 })
        .scan(file)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(Error);
      expect(err instanceof ScanTooLarge || err instanceof ScannerUnavailable).toBe(true);
    } finally {
      early?.close();
    }
  });

  it('says its limit to core, which decides before streaming', () => {
    expect(createClamdScanner({ socket, timeoutMs: 1000, maxBytes: 1234 }).maxBytes).toBe(1234);
    expect(createClamdScanner({ socket, timeoutMs: 1000 }).maxBytes).toBeUndefined();
  });

  it('anything but a verdict is ScannerUnavailable', async () => {
    for (const reply of ['hello\0', '', 'x'.repeat(10_000)]) {
      answer = (sock) => sock.end(reply);
      await expect(scanner().scan(file), JSON.stringify(reply.slice(0, 20))).rejects.toBeInstanceOf(
        ScannerUnavailable,
      );
    }
    // No answer at all: the timeout gives up.
    answer = () => {};
    await expect(scanner(200).scan(file)).rejects.toThrow(/no verdict in time/);
    // Nobody listening.
    await expect(
      createClamdScanner({ socket: join(t.dir, 'none.sock'), timeoutMs: 1000 }).scan(file),
    ).rejects.toBeInstanceOf(ScannerUnavailable);
  });
});
