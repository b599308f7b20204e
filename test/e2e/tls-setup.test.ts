import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { selfSignedPaths } from '../../src/doors/tls/certificates.js';
import { selfSignedCertificate } from '../../src/doors/tls/self-signed.js';
import { describeOn, everyStoreBackend, tempDir } from '../helpers/backends.js';
import { spawnServe } from '../helpers/presence.js';
import { startNode } from '../helpers/server.js';

/**
 * The shared TLS certificate as a server holds it: made on first use (a server
 * without a TLS door makes none), the same object for every door, reloaded by
 * `parley.reload()`, which `parley serve` runs on SIGHUP.
 */

const sqlite = everyStoreBackend()[0]!;

describeOn(sqlite)('TLS certificate setup', () => {
  it('is made on first use into the data directory, once, and reloaded from configured files', async () => {
    const t = tempDir();
    try {
      const node = await startNode({ db: { url: '', dataDir: t.dir } });
      try {
        const a = await node.parley.certificates();
        expect(a.info().certPath).toBe(selfSignedPaths(t.dir).certPath);
        expect(await node.parley.certificates()).toBe(a);
        await node.parley.reload();
        expect((await node.parley.certificates()).fingerprint).toBe(a.fingerprint);
      } finally {
        await node.stop();
      }

      const one = selfSignedCertificate({ names: ['localhost'], days: 30 });
      const cert = join(t.dir, 'cert.pem');
      const key = join(t.dir, 'key.pem');
      writeFileSync(cert, one.cert);
      writeFileSync(key, one.key);
      const withFiles = await startNode({
        db: { url: '', dataDir: t.dir },
        config: { tls: { cert, key } },
      });
      try {
        const certs = await withFiles.parley.certificates();
        const before = certs.fingerprint;
        expect(certs.info().source).toBe('files');
        const two = selfSignedCertificate({ names: ['localhost'], days: 30 });
        writeFileSync(cert, two.cert);
        writeFileSync(key, two.key);
        await withFiles.parley.reload();
        expect(certs.fingerprint).not.toBe(before);
      } finally {
        await withFiles.stop();
      }
    } finally {
      t.cleanup();
    }
  });

  it('parley serve reloads on SIGHUP and keeps running', async () => {
    const t = tempDir();
    const serve = await spawnServe({ PARLEY_DATA_DIR: t.dir });
    try {
      let out = '';
      serve.child.stdout.on('data', (c) => (out += c));
      serve.child.stderr.on('data', (c) => (out += c));
      serve.child.kill('SIGHUP');
      for (let i = 0; i < 2000 && !out.includes('signal received: reloading'); i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(out).toContain('signal received: reloading');
      expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
      expect(serve.child.exitCode).toBe(null);
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(null);
    } finally {
      await serve.crash();
      t.cleanup();
    }
  });
});
