import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelBindings, endPointHash } from './bindings.js';
import {
  CertificateError,
  type Certificates,
  checkPair,
  createCertificates,
  selfSignedPaths,
} from './certificates.js';
import { selfSignedCertificate } from './self-signed.js';

/** Collects what would be logged. */
function recorder() {
  const lines: { level: string; msg: string; obj: Record<string, unknown> }[] = [];
  const log = (level: string) => (obj: object, msg: string) =>
    lines.push({ level, msg, obj: obj as Record<string, unknown> });
  return { lines, logger: { info: log('info'), warn: log('warn'), error: log('error') } };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-tls-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const selfSigned = (hosts: string[] = ['localhost']) => ({
  cert: '',
  key: '',
  self_signed_hosts: hosts,
});

/** A TLS server on 127.0.0.1 using `certs`, kept current with attach(). */
async function serve(certs: Certificates) {
  const server = createServer({ ...certs.pem(), minVersion: 'TLSv1.2' }, (s) => {
    s.on('error', () => {});
    s.end(
      JSON.stringify(channelBindings(s), (_k, v) =>
        v?.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v,
      ),
    );
  });
  const detach = certs.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    async close() {
      detach();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Connects trusting exactly `ca`; answers the certificate seen and what the server said. */
function fetchFrom(
  port: number,
  ca: string,
  opts: { maxVersion?: 'TLSv1.2' | 'TLSv1.3' } = {},
): Promise<{
  fingerprint: string;
  said: Record<string, string>;
  exporter: string;
  endPoint: string;
}> {
  return new Promise((resolve, reject) => {
    const s: TLSSocket = connect(
      { host: '127.0.0.1', port, servername: 'localhost', ca, ...opts },
      () => {
        const peer = s.getPeerCertificate();
        const exporter =
          s.getProtocol() === 'TLSv1.3'
            ? s
                .exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0))
                .toString('hex')
            : '';
        const endPoint = createHash(endPointHash(peer.raw)).update(peer.raw).digest('hex');
        let data = '';
        s.on('data', (c) => (data += c));
        s.on('end', () =>
          resolve({ fingerprint: peer.fingerprint256, said: JSON.parse(data), exporter, endPoint }),
        );
      },
    );
    s.on('error', reject);
  });
}

describe('self-signed certificate', () => {
  it('is a valid v3 server certificate for the names given, signed by its own key', () => {
    const { cert, key } = selfSignedCertificate({
      names: ['chat.example', 'localhost', '192.0.2.1', '2001:db8::1'],
      days: 10,
      now: Date.parse('2030-01-01T00:00:00Z'),
    });
    const x = new X509Certificate(cert);
    expect(x.subject).toContain('CN=chat.example');
    expect(x.subjectAltName).toBe(
      'DNS:chat.example, DNS:localhost, IP Address:192.0.2.1, IP Address:2001:DB8:0:0:0:0:0:1',
    );
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x.ca).toBe(false);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(x.validTo).toISOString()).toBe('2030-01-11T00:00:00.000Z');
    // After 2049 the dates are GeneralizedTime.
    const late = new X509Certificate(
      selfSignedCertificate({ names: ['x'], days: 1, now: Date.parse('2060-05-05T00:00:00Z') })
        .cert,
    );
    expect(new Date(late.validFrom).getUTCFullYear()).toBe(2060);
  });
});

describe('createCertificates', () => {
  it('generates a self-signed certificate at first start, logs its fingerprint, and reuses it after', async () => {
    const a = recorder();
    const first = await createCertificates({ tls: selfSigned(), dataDir: dir, logger: a.logger });
    const { certPath, keyPath } = selfSignedPaths(dir);
    expect(statSync(keyPath).mode & 0o077).toBe(0);
    expect(first.info()).toMatchObject({ source: 'self-signed', names: 'DNS:localhost' });
    const said = a.lines.find((l) => /generated a self-signed/.test(l.msg));
    expect(said?.obj.sha256).toBe(first.fingerprint);
    expect(first.fingerprint).toBe(new X509Certificate(readFileSync(certPath)).fingerprint256);

    const b = recorder();
    const again = await createCertificates({ tls: selfSigned(), dataDir: dir, logger: b.logger });
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(b.lines.some((l) => /generated/.test(l.msg))).toBe(false);
    expect(b.lines.find((l) => /using the self-signed/.test(l.msg))?.obj.sha256).toBe(
      first.fingerprint,
    );

    // Other names, or an end within 30 days: made again.
    const other = await createCertificates({
      tls: selfSigned(['localhost', 'chat.example']),
      dataDir: dir,
      logger: recorder().logger,
    });
    expect(other.fingerprint).not.toBe(first.fingerprint);
    const later = await createCertificates({
      tls: selfSigned(['localhost', 'chat.example']),
      dataDir: dir,
      logger: recorder().logger,
      now: () => Date.now() + 800 * 86_400_000,
    });
    expect(later.fingerprint).not.toBe(other.fingerprint);
  });

  it('serves a real TLS connection, with channel-binding data both ends agree on', async () => {
    const certs = await createCertificates({
      tls: selfSigned(),
      dataDir: dir,
      logger: recorder().logger,
    });
    const srv = await serve(certs);
    try {
      const got = await fetchFrom(srv.port, certs.pem().cert);
      expect(got.fingerprint).toBe(certs.fingerprint);
      expect(got.said['tls-exporter']).toBe(got.exporter);
      expect(got.exporter).toHaveLength(64);
      expect(got.said['tls-server-end-point']).toBe(got.endPoint);
      // TLS 1.2 has no tls-exporter binding (RFC 9266), only the end point.
      const old = await fetchFrom(srv.port, certs.pem().cert, { maxVersion: 'TLSv1.2' });
      expect(old.said['tls-exporter']).toBeUndefined();
      expect(old.said['tls-server-end-point']).toBe(old.endPoint);
      // A client that does not trust it refuses it.
      const stranger = selfSignedCertificate({ names: ['localhost'], days: 1 }).cert;
      await expect(fetchFrom(srv.port, stranger)).rejects.toThrow();
    } finally {
      await srv.close();
    }
  });

  describe('with files', () => {
    const write = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };

    it('loads them, and reload() picks up a change without dropping open connections', async () => {
      const one = selfSignedCertificate({ names: ['localhost'], days: 30 });
      const two = selfSignedCertificate({ names: ['localhost'], days: 30 });
      const tls = {
        cert: write('c.pem', one.cert),
        key: write('k.pem', one.key),
        self_signed_hosts: [],
      };
      const log = recorder();
      const certs = await createCertificates({ tls, dataDir: dir, logger: log.logger });
      expect(certs.info().source).toBe('files');
      const before = certs.fingerprint;
      const changed: string[] = [];
      certs.onReload((c) => changed.push(c.fingerprint));
      const srv = await serve(certs);
      try {
        // An open connection made with the first certificate.
        const open = connect({
          host: '127.0.0.1',
          port: srv.port,
          ca: one.cert,
          servername: 'localhost',
        });
        await new Promise((r) => open.once('secureConnect', r));

        write('c.pem', two.cert);
        write('k.pem', two.key);
        await certs.reload();
        expect(certs.fingerprint).not.toBe(before);
        expect(changed).toEqual([certs.fingerprint]);
        expect((await fetchFrom(srv.port, two.cert)).fingerprint).toBe(certs.fingerprint);
        expect(open.destroyed).toBe(false);
        open.destroy();

        // Nothing changed: nothing to tell.
        await certs.reload();
        expect(changed).toHaveLength(1);
      } finally {
        await srv.close();
      }
    });

    it('a bad new file keeps the old certificate and logs an error', async () => {
      const one = selfSignedCertificate({ names: ['localhost'], days: 30 });
      const tls = {
        cert: write('c.pem', one.cert),
        key: write('k.pem', one.key),
        self_signed_hosts: [],
      };
      const log = recorder();
      const certs = await createCertificates({ tls, dataDir: dir, logger: log.logger });
      const before = certs.fingerprint;
      const srv = await serve(certs);
      try {
        for (const [c, k] of [
          ['not a certificate', one.key],
          [one.cert, 'not a key'],
          [one.cert, selfSignedCertificate({ names: ['x'], days: 1 }).key], // another key
          ['', ''],
        ] as const) {
          write('c.pem', c);
          write('k.pem', k);
          await certs.reload();
          expect(certs.fingerprint).toBe(before);
          expect(log.lines.at(-1)).toMatchObject({
            level: 'error',
            msg: expect.stringMatching(/keeping the current/),
          });
        }
        rmSync(tls.key);
        await certs.reload();
        expect(String(log.lines.at(-1)?.obj.err)).toMatch(/cannot read the TLS key/);
        expect((await fetchFrom(srv.port, one.cert)).fingerprint).toBe(before);
      } finally {
        await srv.close();
      }
    });

    it('refuses a key that is not the certificate’s, a missing file and half a configuration at start', async () => {
      const one = selfSignedCertificate({ names: ['localhost'], days: 30 });
      const other = selfSignedCertificate({ names: ['localhost'], days: 30 });
      const start = (cert: string, key: string) =>
        createCertificates({
          tls: { cert, key, self_signed_hosts: [] },
          dataDir: dir,
          logger: recorder().logger,
        });
      await expect(start(write('c.pem', one.cert), write('k.pem', other.key))).rejects.toThrow(
        /the key does not belong to the certificate/,
      );
      await expect(start(join(dir, 'missing.pem'), write('k2.pem', one.key))).rejects.toThrow(
        /cannot read the TLS certificate .*missing\.pem \(ENOENT\)/,
      );
      await expect(start(write('c3.pem', one.cert), '')).rejects.toBeInstanceOf(CertificateError);
      expect(() => checkPair(one.cert, other.key, 'x')).toThrow(CertificateError);
      const enc = createPrivateKey(one.key).export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'secret',
      }) as string;
      expect(() => checkPair(one.cert, enc, 'x')).toThrow(/encrypted/);
    });
  });
});
