import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { RawIrc } from '../helpers/irc.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * The IRC door's TLS port (the shared, self-signed certificate) and SASL beyond
 * PLAIN: SCRAM-SHA-256 on the plain port, SCRAM-SHA-256-PLUS bound to the TLS
 * connection (tls-exporter) on the TLS port, and a wrong password refused with 904.
 * The SCRAM client here is written with node:crypto alone.
 */
const PASSWORD = 'correct horse battery';

function tlsPortOf(node: Awaited<ReturnType<typeof startSingle>>): number {
  const door = node.parley.doors.find((d) => d.name === 'irc') as unknown as {
    tlsPort(): number | undefined;
  };
  return door.tlsPort()!;
}

function openTls(port: number): Promise<{ irc: RawIrc; socket: TLSSocket }> {
  return new Promise((resolve, reject) => {
    // The certificate is self-signed: these tests check the binding, not the trust.
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () =>
      resolve({ irc: new RawIrc(s), socket: s }),
    );
    s.once('error', reject);
  });
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** Runs SCRAM-SHA-256(-PLUS) over AUTHENTICATE; resolves with the numeric that ended it. */
async function scram(
  c: RawIrc,
  username: string,
  password: string,
  binding?: Buffer,
): Promise<string> {
  const mech = binding ? 'SCRAM-SHA-256-PLUS' : 'SCRAM-SHA-256';
  const gs2 = binding ? 'p=tls-exporter,,' : 'n,,';
  c.send(`AUTHENTICATE ${mech}`);
  await c.wait((l) => l.command === 'AUTHENTICATE' && l.params[0] === '+', 'go ahead');
  const bare = `n=${username},r=${randomBytes(18).toString('base64')}`;
  const mark = c.lines.length;
  c.send(`AUTHENTICATE ${b64(gs2 + bare)}`);
  const challenge = await c.wait(
    (l) => (l.command === 'AUTHENTICATE' && l.params[0] !== '+') || l.command === '904',
    'server-first',
    mark,
  );
  if (challenge.command === '904') return '904';
  const sf = Buffer.from(challenge.params[0]!, 'base64').toString();
  const a = Object.fromEntries(sf.split(',').map((x) => [x[0], x.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(a.s!, 'base64'), Number(a.i), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const cbind = b64(Buffer.concat([Buffer.from(gs2), binding ?? Buffer.alloc(0)]));
  const withoutProof = `c=${cbind},r=${a.r}`;
  const sig = createHmac('sha256', storedKey).update(`${bare},${sf},${withoutProof}`).digest();
  const proof = Buffer.from(clientKey.map((x, i) => x ^ sig[i]!)).toString('base64');
  const mark2 = c.lines.length;
  c.send(`AUTHENTICATE ${b64(`${withoutProof},p=${proof}`)}`);
  const final = await c.wait(
    (l) => l.command === 'AUTHENTICATE' || l.command === '904',
    'server-final',
    mark2,
  );
  if (final.command === '904') return '904';
  // The server signature proves the server knew the credentials too.
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  const want = createHmac('sha256', serverKey)
    .update(`${bare},${sf},${withoutProof}`)
    .digest('base64');
  expect(Buffer.from(final.params[0]!, 'base64').toString()).toBe(`v=${want}`);
  c.send('AUTHENTICATE +');
  const end = await c.wait((l) => l.command === '903' || l.command === '904', 'the end', mark2);
  return end.command;
}

async function register(c: RawIrc, nick: string): Promise<void> {
  c.send(`NICK ${nick}`);
  c.send('USER u 0 * :U');
  c.send('CAP END');
  await c.command('001');
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`IRC SASL and TLS (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    const open: RawIrc[] = [];
    beforeAll(async () => {
      node = await startSingle(backend, { irc: { port: 0, tls_port: 0 } });
    });
    afterAll(async () => {
      for (const c of open) c.close();
      await node.dispose();
    });

    it('SCRAM-SHA-256 on the plain port logs in; a wrong password is 904', async () => {
      const name = uname('scr');
      await node.client().register(name, PASSWORD);
      const door = node.parley.doors.find((d) => d.name === 'irc') as unknown as {
        port(): number;
      };
      const c = await RawIrc.open(door.port());
      open.push(c);
      c.send('CAP LS 302');
      const ls = await c.command('CAP');
      expect(ls.params[2]).toMatch(/sasl=[^ ]*SCRAM-SHA-256/);
      expect(ls.params[2]).not.toMatch(/PLUS/);
      c.send('CAP REQ :sasl');
      await c.wait((l) => l.command === 'CAP' && l.params[1] === 'ACK', 'ACK');
      expect(await scram(c, name, 'not the password')).toBe('904');
      expect(await scram(c, name, PASSWORD)).toBe('903');
      await register(c, name);
    });

    it('on the TLS port, SCRAM-SHA-256-PLUS binds to the connection (tls-exporter)', async () => {
      const name = uname('plus');
      await node.client().register(name, PASSWORD);
      const { irc: c, socket } = await openTls(tlsPortOf(node));
      open.push(c);
      expect(socket.getProtocol()).toBe('TLSv1.3');
      c.send('CAP LS 302');
      const ls = await c.command('CAP');
      expect(ls.params[2]).toMatch(/SCRAM-SHA-256-PLUS/);
      c.send('CAP REQ :sasl');
      await c.wait((l) => l.command === 'CAP' && l.params[1] === 'ACK', 'ACK');
      // A binding that is not this connection's is refused.
      expect(await scram(c, name, PASSWORD, randomBytes(32))).toBe('904');
      const binding = socket.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
      expect(await scram(c, name, PASSWORD, binding)).toBe('903');
      await register(c, name);
      c.send('PING :tls');
      await c.wait((l) => l.command === 'PONG' && l.params[1] === 'tls', 'PONG over TLS');
    });
  });
}
