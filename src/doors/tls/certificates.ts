import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createSecureContext, type SecureContext, type Server } from 'node:tls';
import { selfSignedCertificate } from './self-signed.js';

/**
 * The TLS certificate every door with TLS uses (IRC 6697, XMPP STARTTLS and 5223):
 * the operator's files (`[tls] cert`, `key`, PEM) or, with none configured, a
 * self-signed one generated into `<data.dir>/tls/` at first start and reused after
 * (made again when it expires within 30 days or no longer names `self_signed_hosts`).
 * `reload()` (SIGHUP) reads the files again; a bad new pair keeps the old one and
 * logs an error. Listeners stay current through `attach(server)` (setSecureContext:
 * connections already open keep theirs) or by asking `context()` per connection
 * (STARTTLS).
 */
export interface TlsSettings {
  /** PEM certificate (chain) file; '' with `key` '' means self-signed. */
  cert: string;
  key: string;
  /** Names (and IP addresses) the generated certificate is for. */
  self_signed_hosts: readonly string[];
}

export interface CertificateInfo {
  source: 'files' | 'self-signed';
  certPath: string;
  keyPath: string;
  subject: string;
  /** subjectAltName as Node prints it ("DNS:localhost, IP Address:127.0.0.1"). */
  names: string;
  validFrom: Date;
  validTo: Date;
  /** SHA-256 of the certificate, colon-separated hex (what clients show to pin). */
  fingerprint: string;
}

export interface Certificates {
  /** The current context (for a STARTTLS upgrade: new TLSSocket(sock, { secureContext })). */
  context(): SecureContext;
  /** The current PEM pair, for tls.createServer or server.setSecureContext. */
  pem(): { cert: string; key: string };
  readonly fingerprint: string;
  info(): CertificateInfo;
  /** Reads the files again; on any problem keeps the current pair and logs an error. */
  reload(): Promise<void>;
  /** Called after each reload that changed the pair; returns a function that unsubscribes. */
  onReload(fn: (c: Certificates) => void): () => void;
  /** Keeps a tls.Server on the current pair: setSecureContext at every reload. */
  attach(server: Server): () => void;
}

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A certificate and key that belong together, checked. */
export interface Pair {
  cert: string;
  key: string;
  x509: X509Certificate;
  context: SecureContext;
}

/** Days a generated certificate is valid (the most some clients accept for a leaf). */
export const SELF_SIGNED_DAYS = 825;
/** A generated certificate this close to expiry is made again at start or reload. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

export class CertificateError extends Error {
  override readonly name = 'CertificateError';
}

/** Checks a PEM pair: both parse, the key is the certificate's. Throws CertificateError. */
export function checkPair(cert: string, key: string, what: string): Pair {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new CertificateError(
      `${what}: the certificate is not a PEM certificate (${(err as Error).message})`,
    );
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    const m = (err as Error).message;
    throw new CertificateError(
      // OpenSSL asks for a passphrase it has no way to get ("interrupted or cancelled").
      /passphrase|encrypted|interrupted or cancelled/i.test(m) || /ENCRYPTED/.test(key)
        ? `${what}: the key is encrypted; give an unencrypted PEM key (readable only by Parley)`
        : `${what}: the key is not a PEM private key (${m})`,
    );
  }
  if (!x509.checkPrivateKey(privateKey))
    throw new CertificateError(`${what}: the key does not belong to the certificate`);
  let context: SecureContext;
  try {
    context = createSecureContext({ cert, key });
  } catch (err) {
    throw new CertificateError(`${what}: TLS refuses the pair (${(err as Error).message})`);
  }
  return { cert, key, x509, context };
}

export function selfSignedPaths(dataDir: string): { certPath: string; keyPath: string } {
  const dir = join(dataDir, 'tls');
  return { certPath: join(dir, 'self-signed.crt'), keyPath: join(dir, 'self-signed.key') };
}

/** Reads and checks a PEM pair from files. Throws CertificateError naming the problem. */
export async function readPair(certPath: string, keyPath: string): Promise<Pair> {
  const read = async (p: string, what: string) => {
    try {
      return await readFile(p, 'utf8');
    } catch (err) {
      throw new CertificateError(
        `cannot read the TLS ${what} ${p} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
  };
  const [cert, key] = [await read(certPath, 'certificate'), await read(keyPath, 'key')];
  return checkPair(cert, key, certPath);
}

/** Whether a generated certificate still serves: not near its end, and names every host. */
function stillGood(x: X509Certificate, hosts: readonly string[], now: number): boolean {
  if (Date.parse(x.validTo) - now < RENEW_BEFORE_MS || Date.parse(x.validFrom) > now) return false;
  // A wildcard is checked by a name under it.
  const probe = (h: string) => (h.startsWith('*.') ? `parley-check${h.slice(1)}` : h);
  return hosts.every((h) => (isIP(h) ? x.checkIP(h) : x.checkHost(probe(h))) !== undefined);
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, path);
}

export async function createCertificates(deps: {
  tls: TlsSettings;
  dataDir: string;
  logger: Logger;
  now?: () => number;
}): Promise<Certificates> {
  const now = deps.now ?? Date.now;
  const { cert: certFile, key: keyFile, self_signed_hosts: hosts } = deps.tls;
  if ((certFile === '') !== (keyFile === ''))
    throw new CertificateError(
      'tls.cert and tls.key go together: set both (PEM files), or neither for a self-signed certificate',
    );
  const source: CertificateInfo['source'] = certFile ? 'files' : 'self-signed';
  const paths =
    source === 'files' ? { certPath: certFile, keyPath: keyFile } : selfSignedPaths(deps.dataDir);
  const listeners = new Set<(c: Certificates) => void>();

  /** The pair to use now: the files, or the generated pair (made when missing or stale). */
  async function load(): Promise<{ pair: Pair; generated: boolean }> {
    if (source === 'files')
      return { pair: await readPair(paths.certPath, paths.keyPath), generated: false };
    try {
      const pair = await readPair(paths.certPath, paths.keyPath);
      if (stillGood(pair.x509, hosts, now())) return { pair, generated: false };
    } catch (err) {
      // Missing at first start; anything else is said, then replaced.
      if (!/ENOENT/.test((err as Error).message))
        deps.logger.warn({ err }, 'the self-signed TLS certificate is unusable; making a new one');
    }
    const made = selfSignedCertificate({ names: hosts, days: SELF_SIGNED_DAYS, now: now() });
    await mkdir(join(deps.dataDir, 'tls'), { recursive: true, mode: 0o700 });
    await writeAtomically(paths.keyPath, made.key, 0o600);
    await writeAtomically(paths.certPath, made.cert, 0o644);
    return { pair: checkPair(made.cert, made.key, paths.certPath), generated: true };
  }

  const describe = (p: Pair): CertificateInfo => ({
    source,
    ...paths,
    subject: p.x509.subject.replace(/\n/g, ', '),
    names: p.x509.subjectAltName ?? '',
    validFrom: new Date(p.x509.validFrom),
    validTo: new Date(p.x509.validTo),
    fingerprint: p.x509.fingerprint256,
  });

  function announce(p: Pair, generated: boolean, what: string): void {
    const info = describe(p);
    const fields = {
      cert: info.certPath,
      names: info.names,
      validTo: info.validTo.toISOString(),
      sha256: info.fingerprint,
    };
    if (generated)
      deps.logger.info(
        fields,
        `${what}: generated a self-signed TLS certificate (clients will ask to trust it: compare the SHA-256 fingerprint; set [tls] cert and key to use your own)`,
      );
    else
      deps.logger.info(
        fields,
        source === 'files'
          ? `${what}: TLS certificate loaded`
          : `${what}: using the self-signed TLS certificate`,
      );
    if (info.validTo.getTime() <= now())
      deps.logger.warn(fields, 'the TLS certificate has expired: clients will refuse it');
  }

  let current = await load().then(({ pair, generated }) => {
    announce(pair, generated, 'tls');
    return pair;
  });

  const certificates: Certificates = {
    context: () => current.context,
    pem: () => ({ cert: current.cert, key: current.key }),
    get fingerprint() {
      return current.x509.fingerprint256;
    },
    info: () => describe(current),
    async reload() {
      let next: { pair: Pair; generated: boolean };
      try {
        next = await load();
      } catch (err) {
        deps.logger.error(
          { err, cert: paths.certPath, key: paths.keyPath },
          'TLS reload failed: keeping the current certificate',
        );
        return;
      }
      if (next.pair.cert === current.cert && next.pair.key === current.key) {
        deps.logger.info(
          { sha256: current.x509.fingerprint256 },
          'tls reload: the certificate is unchanged',
        );
        return;
      }
      current = next.pair;
      announce(current, next.generated, 'tls reload');
      for (const fn of listeners) {
        try {
          fn(certificates);
        } catch (err) {
          deps.logger.error({ err }, 'a TLS reload listener failed');
        }
      }
    },
    onReload(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    attach(server) {
      return certificates.onReload((c) => server.setSecureContext(c.pem()));
    },
  };
  return certificates;
}
