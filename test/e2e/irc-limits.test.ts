import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { ircPort, RawIrc } from '../helpers/irc.js';
import { startSingle } from '../helpers/server.js';

/**
 * The IRC door's clocks and its send bound, which the door's sweep and each
 * connection's line queue keep (no timer or write per connection): a client that
 * never registers, one that never answers PING, and one that never reads are
 * all cut off.
 */
for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC door limits (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    let port: number;
    const open: { close(): void }[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, {
        irc: {
          registration_timeout_seconds: 1,
          ping_seconds: 5,
          send_queue_bytes: 16384,
          lines_per_second: 100_000,
          line_burst: 100_000,
          // About 4 KB per MOTD: an answer far bigger than its command.
          motd: Array.from({ length: 20 }, (_, i) => `${i} ${'m'.repeat(180)}`).join('\n'),
        },
      });
      port = ircPort(node);
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
    });

    it('a client that never finishes registering gets ERROR and is closed', async () => {
      const c = await RawIrc.open(port);
      open.push(c);
      c.send('NICK slowpoke');
      const error = await c.command('ERROR');
      expect(error.params[0]).toMatch(/Registration timed out/);
      await c.whenClosed();
    });

    it('a guest that answers PING stays; one that never answers is cut off', async () => {
      // RawIrc answers PING by itself.
      const polite = await RawIrc.open(port);
      open.push(polite);
      polite.send('NICK polite');
      polite.send('USER p 0 * :P');
      await polite.command('376');
      const mute = await rawGuest(port, 'mute');
      open.push({ close: () => mute.socket.destroy() });
      await mute.sawLine((l) => l.startsWith('PING '));
      await mute.sawLine((l) => l.startsWith('ERROR ') && l.includes('Ping timeout'));
      await mute.closed;
      expect(polite.closed).toBe(false);
      expect(polite.lines.some((l) => l.command === 'PING')).toBe(true);
    }, 30_000);

    it('a client that never reads is cut off once its queue passes send_queue_bytes', async () => {
      const c = await rawGuest(port, 'deaf');
      open.push({ close: () => c.socket.destroy() });
      await c.sawLine((l) => l.includes(' 376 '));
      c.socket.pause();
      // 12,000 MOTDs are 50 MB of answers: more than the kernel's buffers (tens of MB on
      // loopback) and the 16 KiB bound hold, unread. The server cuts the client off,
      // and the guest ends with its connection.
      c.socket.write('MOTD\r\n'.repeat(12_000));
      const users = node.parley.core.users;
      while ((await users.holder('deaf')) !== undefined) await new Promise((r) => setImmediate(r));
    }, 60_000);
  });
}

/** A guest on a raw socket that never answers PING; lines are seen only while reading. */
async function rawGuest(port: number, nick: string) {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  socket.on('error', () => {});
  let buf = '';
  const waiters: { match: (l: string) => boolean; resolve: () => void }[] = [];
  const seen: string[] = [];
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      seen.push(line);
      for (const w of [...waiters])
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
    }
  });
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  socket.write(`NICK ${nick}\r\nUSER ${nick} 0 * :${nick}\r\n`);
  return {
    socket,
    closed,
    sawLine(match: (l: string) => boolean): Promise<void> {
      if (seen.some(match)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}
