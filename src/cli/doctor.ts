import { existsSync } from 'node:fs';
import { access, constants, mkdir } from 'node:fs/promises';
import { sql } from 'kysely';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createNatsBus } from '../bus/nats.js';
import { missingFromBucket } from '../blobs/migrate.js';
import { createS3BlobStore, probeBucket } from '../blobs/s3.js';
import { s3OptionsFrom } from '../blobs/s3-client.js';
import { pingClamd } from '../media/clamd.js';
import { ConfigError, configWarnings } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { describeStore, openStore } from '../store/open.js';
import { proxyWarnings, trustedProxies } from '../doors/http/proxies.js';
import { readPair, selfSignedPaths } from '../doors/tls/certificates.js';
import { pendingMigrations } from '../store/sql/migrations.js';
import type { Args } from './args.js';
import { cliConfig, configPath } from './config-path.js';
import { type CliIO, say } from './io.js';

/** `warn`: works, but is risky; printed, and does not change the exit code. */
type Check = { ok: boolean; text: string; warn?: boolean };

async function checkDatabase(config: Config): Promise<Check[]> {
  const { kind, where } = describeStore({ url: config.database.url, dataDir: config.data.dir });
  const out: Check[] = [];
  const schema = config.database.schema;
  // What the check itself creates is said, so nobody wonders where it came from.
  let created = '';
  if (kind === 'sqlite' && where !== ':memory:') {
    try {
      const made = await mkdir(dirname(where), { recursive: true, mode: 0o700 });
      if (made) created = `created the folder ${made}`;
      if (!existsSync(where))
        created = `${created ? `${created} and ` : 'created '}an empty database file there; the server adds the tables at start`;
      await access(dirname(where), constants.W_OK);
    } catch (err) {
      return [
        {
          ok: false,
          text: `database: cannot write to ${dirname(where)} (${(err as NodeJS.ErrnoException).code}); set data.dir to a writable folder`,
        },
      ];
    }
  }
  try {
    const store = await openStore({
      url: config.database.url,
      dataDir: config.data.dir,
      poolSize: 1,
      migrate: false,
      createSchema: false,
      ...(schema ? { schema } : {}),
    });
    try {
      await store.check();
      out.push({
        ok: true,
        text: `database: ${kind} at ${where} answers${created ? ` (${created})` : ''}`,
      });
      if (kind === 'postgres' && schema) {
        const found =
          await sql`select 1 from information_schema.schemata where schema_name = ${schema}`.execute(
            store.db,
          );
        if (!found.rows.length) {
          // Nothing to read migrations from (and search_path would reach no table at all).
          out.push({
            ok: true,
            text: `database: schema "${schema}" does not exist yet; \`parley serve\` creates it and its tables (doctor changes nothing)`,
          });
          return out;
        }
        out.push({ ok: true, text: `database: schema "${schema}" exists` });
      }
      const pending = await pendingMigrations(store.db as never);
      out.push({
        ok: true,
        text: pending.length
          ? `database: ${pending.length} migration(s) pending (${pending.join(', ')}); they are applied when the server starts`
          : 'database: schema is up to date',
      });
    } finally {
      await store.close();
    }
  } catch (err) {
    out.push({
      ok: false,
      text: `database: cannot use ${kind} at ${where}: ${(err as Error).message}`,
    });
  }
  return out;
}

async function checkBus(config: Config): Promise<Check> {
  if (!config.bus.url)
    return {
      ok: true,
      text: 'bus: in-process (one node; set bus.url = "nats://..." to run several)',
    };
  try {
    const bus = await createNatsBus({ url: config.bus.url, name: 'parley-doctor' });
    await bus.check();
    await bus.close();
    return { ok: true, text: `bus: NATS at ${config.bus.url} answers` };
  } catch (err) {
    return { ok: false, text: `bus: ${(err as Error).message}` };
  }
}

/** Where file bytes go, and the virus scanner when one is configured. */
async function checkFiles(config: Config): Promise<Check[]> {
  const f = config.files;
  const out: Check[] = [];
  if (f.s3_bucket) {
    const where = `S3 bucket "${f.s3_bucket}" at ${f.s3_endpoint || `AWS ${f.s3_region}`}`;
    const why = await probeBucket(s3OptionsFrom(f));
    out.push(
      why
        ? { ok: false, text: `files: ${where}: ${why}; check files.s3.*` }
        : { ok: true, text: `files: ${where} answers` },
    );
    if (!why) {
      // Files still on disk that the bucket lacks: switched to S3 before copying them.
      const root = join(resolve(config.data.dir), 'files');
      const s3 = createS3BlobStore(s3OptionsFrom(f));
      const left = await missingFromBucket(root, s3)
        .catch(() => ({ checked: 0, missing: 0 }))
        .finally(() => s3.close());
      if (left.missing)
        out.push({
          ok: true,
          warn: true,
          text: `files: ${left.missing} of the ${left.checked} files checked under ${join(root, 'blobs')} are not in the bucket: if they were this server's before it used S3, copy them with parley files migrate (docs/operations.md)`,
        });
    }
  } else out.push({ ok: true, text: 'files: on the local disk under data.dir/files' });
  if (f.clamav_socket || f.clamav_host) {
    const where = f.clamav_socket || `${f.clamav_host}:${f.clamav_port}`;
    const why = await pingClamd({
      ...(f.clamav_socket ? { socket: f.clamav_socket } : { host: f.clamav_host }),
      port: f.clamav_port,
      timeoutMs: 5000,
    });
    out.push(
      why
        ? {
            ok: false,
            text: `files: clamd at ${where}: ${why}; uploads would all be refused (files.clamav.*)`,
          }
        : {
            ok: true,
            text: `files: clamd at ${where} answers; uploads are scanned up to ${f.clamav_max_bytes} bytes (its StreamMaxLength must be as much), bigger ones ${f.clamav_larger_files === 'refuse' ? 'refused' : 'stored unscanned'}`,
          },
    );
  }
  return out;
}

/** Whether `host:port` can be listened on; `key` names the setting to change. */
function checkPort(host: string, port: number, key: string): Promise<Check> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'EADDRINUSE'
          ? 'is already in use (is Parley or another program running there?)'
          : err.code === 'EACCES'
            ? 'needs privileges (ports below 1024 need root or CAP_NET_BIND_SERVICE)'
            : `cannot be used (${err.code})`;
      resolve({ ok: false, text: `port: ${host}:${port} ${why}; change ${key}` });
    });
    srv.listen({ host, port }, () =>
      srv.close(() => resolve({ ok: true, text: `port: ${host}:${port} is free (${key})` })),
    );
  });
}

/** Every port the doors would listen on (0 takes a free one, -1 is off: neither is checked). */
async function checkPorts(config: Config): Promise<Check[]> {
  const host = config.server.host;
  const wanted: [string, number, string][] = [
    [host, config.server.port, 'server.port'],
    [config.irc.host || host, config.irc.port, 'irc.port'],
    [config.irc.host || host, config.irc.tls_port, 'irc.tls_port'],
    [config.xmpp.host || host, config.xmpp.port, 'xmpp.port'],
    [config.xmpp.host || host, config.xmpp.tls_port, 'xmpp.tls_port'],
  ];
  const out: Check[] = [];
  for (const [h, p, key] of wanted)
    if (p > 0 || key === 'server.port') out.push(await checkPort(h, p, key));
  return out;
}

function checkProxies(config: Config): Check[] {
  const warnings = proxyWarnings(config.server);
  if (warnings.length) return warnings.map((text) => ({ ok: true, warn: true, text }));
  const list = trustedProxies(config.server);
  return [
    {
      ok: true,
      text: list.length
        ? `proxies: client addresses are taken from X-Forwarded-For sent by ${list.join(', ')}`
        : 'proxies: none trusted; client addresses are the TCP peers (set server.trusted_proxies behind a reverse proxy)',
    },
  ];
}

/** The doors `parley serve` would open, and where (the port itself is checked below). */
function checkDoors(config: Config): Check[] {
  const { host, port } = config.server;
  const where = (h: string, p: number) => (p < 0 ? 'off' : `${h || host}:${p}`);
  const irc = config.irc;
  const xmpp = config.xmpp;
  return [
    {
      ok: true,
      text: `doors: native (WebSocket, REST and the web client on ${host}:${port}; settings in [native])`,
    },
    {
      ok: true,
      text:
        irc.port < 0 && irc.tls_port < 0 && !irc.websocket
          ? 'doors: irc off ([irc] port and tls_port are -1, websocket false)'
          : `doors: irc (plain ${where(irc.host, irc.port)}, TLS ${where(irc.host, irc.tls_port)}, ` +
            `WebSocket ${irc.websocket ? `/irc on ${host}:${port}` : 'off'}; guests ${irc.guests ? 'on' : 'off'}; settings in [irc])`,
    },
    {
      ok: true,
      text:
        xmpp.port < 0 && xmpp.tls_port < 0 && !xmpp.websocket
          ? 'doors: xmpp off ([xmpp] port and tls_port are -1, websocket false)'
          : `doors: xmpp for ${xmpp.domain} (STARTTLS ${where(xmpp.host, xmpp.port)}, direct TLS ` +
            `${where(xmpp.host, xmpp.tls_port)}, WebSocket ${xmpp.websocket ? `${xmpp.websocket_path} on ${host}:${port}` : 'off'}; settings in [xmpp])`,
    },
  ];
}

/** The TLS certificate of the IRC and XMPP doors: readable, the key its own, not expired. */
async function checkTls(config: Config): Promise<Check> {
  const { cert, key } = config.tls;
  if ((cert === '') !== (key === ''))
    return { ok: false, text: 'tls: set both tls.cert and tls.key (PEM files), or neither' };
  const paths = cert ? { certPath: cert, keyPath: key } : selfSignedPaths(config.data.dir);
  if (!cert && !existsSync(paths.certPath))
    return {
      ok: true,
      text: `tls: no certificate configured; a self-signed one for ${config.tls.self_signed_hosts.join(', ')} is made in ${paths.certPath} when a TLS door first starts`,
    };
  try {
    const { x509 } = await readPair(paths.certPath, paths.keyPath);
    const left = Date.parse(x509.validTo) - Date.now();
    const days = Math.floor(left / 86_400_000);
    const what = `tls: ${cert ? '' : 'self-signed '}certificate ${paths.certPath} for ${x509.subjectAltName ?? x509.subject}, key matches, SHA-256 ${x509.fingerprint256}`;
    if (left <= 0) return { ok: false, text: `${what}: EXPIRED on ${x509.validTo}` };
    if (days < 30)
      return {
        ok: true,
        warn: true,
        text: `${what}: expires in ${days} day(s) (${x509.validTo})${cert ? '; renew it and send SIGHUP' : '; a new one is made at the next start or SIGHUP'}`,
      };
    return { ok: true, text: `${what}, valid until ${x509.validTo}` };
  } catch (err) {
    return {
      ok: !cert,
      ...(cert ? {} : { warn: true }),
      text: `tls: ${(err as Error).message}${cert ? '' : ' (a new self-signed certificate replaces it at start)'}`,
    };
  }
}

/** Checks what `parley serve` needs and says what is wrong in plain words. Exit code 1 when anything is. */
export async function doctor(args: Args, io: CliIO): Promise<number> {
  const path = configPath(args, io);
  let config: Config;
  try {
    config = cliConfig(args, io);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    say(io, `✘ config: ${path ?? 'defaults + environment'} has problems:`);
    for (const p of err.problems) say(io, `    ${p}`);
    return 1;
  }
  const checks: Check[] = [
    { ok: true, text: `config: ${path ?? 'built-in defaults'} + PARLEY_* environment is valid` },
  ];
  checks.push(
    ...configWarnings(config).map((text) => ({ ok: true, warn: true, text })),
    ...checkDoors(config),
    ...checkProxies(config),
    await checkTls(config),
    ...(await checkDatabase(config)),
    await checkBus(config),
    ...(await checkFiles(config)),
    ...(await checkPorts(config)),
  );
  for (const c of checks) say(io, `${c.warn ? '⚠' : c.ok ? '✔' : '✘'} ${c.text}`);
  const bad = checks.filter((c) => !c.ok).length;
  const warned = checks.filter((c) => c.warn).length;
  say(
    io,
    bad
      ? `${bad} problem(s) found.`
      : warned
        ? `\`parley serve\` should start, but read the ${warned} warning(s) above.`
        : 'All good: `parley serve` should start.',
  );
  return bad ? 1 : 0;
}
