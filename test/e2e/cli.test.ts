import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sql } from 'kysely';
import { hashToken } from '../../src/core/accounts/service.js';
import { createCertificates } from '../../src/doors/tls/certificates.js';
import { selfSignedCertificate } from '../../src/doors/tls/self-signed.js';
import { openStore } from '../../src/store/open.js';
import { startLocalS3 } from '../helpers/s3.js';
import pg from 'pg';
import {
  describeOn,
  dropSchema,
  everyStoreBackend,
  freshSchema,
  PG_URL,
  tempDir,
} from '../helpers/backends.js';
import { runCli } from '../helpers/cli.js';
import { startNode } from '../helpers/server.js';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`parley user / invite (${backend.name})`, () => {
    const db = backend.make();
    const env: NodeJS.ProcessEnv = {
      PARLEY_DATA_DIR: db.dataDir,
      PARLEY_DATABASE_URL: db.url,
      PARLEY_LOG_LEVEL: 'silent',
    };
    let node: Awaited<ReturnType<typeof startNode>>;
    const cli = (argv: string[], stdin?: string) =>
      runCli(argv, { env, ...(stdin !== undefined ? { stdin } : {}) });

    beforeAll(async () => {
      if (db.pgSchema) env.PARLEY_DATABASE_SCHEMA = db.pgSchema;
      node = await startNode({ db });
    });
    afterAll(async () => {
      await node?.stop();
      await db.cleanup();
    });

    it('adds a user who can then log in over REST; refuses bad names and short passwords', async () => {
      const r = await cli(['user', 'add', 'Carol'], 'sunshine-42\n');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/created carol/);
      const login = await node.client().login('carol', 'sunshine-42');
      expect(login.user.username).toBe('carol');

      expect((await cli(['user', 'add', 'root'], 'sunshine-42\n')).stderr).toMatch(/reserved/);
      expect((await cli(['user', 'add', 'dave'], 'short\n')).stderr).toMatch(/at least 8/);
      expect((await cli(['user', 'add'])).code).toBe(2);
      for (const stdin of ['', '\n']) {
        const none = await cli(['user', 'add', 'dave'], stdin);
        expect(none.code).toBe(2);
        expect(none.stderr).toMatch(/no password given/);
      }
      expect((await cli(['user', 'passwd', 'carol'], '')).stderr).toMatch(/no password given/);
    });

    it('lists, changes passwords, disables, enables and deletes', async () => {
      await cli(['user', 'add', 'erin'], 'first-password\n');
      expect((await cli(['user', 'list'])).stdout).toMatch(/^erin\t/m);

      const c = node.client();
      await c.login('erin', 'first-password');
      expect((await cli(['user', 'passwd', 'erin'], 'second-password\n')).code).toBe(0);
      await expect(c.me()).rejects.toMatchObject({ condition: 'not-authenticated' });
      await expect(node.client().login('erin', 'first-password')).rejects.toMatchObject({
        condition: 'invalid-credentials',
      });

      expect((await cli(['user', 'disable', 'erin'])).code).toBe(0);
      await expect(node.client().login('erin', 'second-password')).rejects.toMatchObject({
        condition: 'account-disabled',
      });
      expect((await cli(['user', 'list'])).stdout).toMatch(/^erin\t.*\tdisabled$/m);
      expect((await cli(['user', 'enable', 'erin'])).code).toBe(0);
      await node.client().login('erin', 'second-password');

      expect((await cli(['user', 'delete', 'erin'])).code).toBe(2); // needs --yes
      expect((await cli(['user', 'delete', 'erin', '--yes'])).code).toBe(0);
      await expect(node.client().login('erin', 'second-password')).rejects.toMatchObject({
        condition: 'invalid-credentials',
      });
      expect((await cli(['user', 'disable', 'nobody-here'])).stderr).toMatch(/no user named/);
    });

    it('invite codes let people register on an invite-only server, once per use', async () => {
      const invEnv = { ...env, PARLEY_REGISTRATION_POLICY: 'invite' };
      const inviteOnly = await startNode({ db, config: { registration: { policy: 'invite' } } });
      try {
        await expect(inviteOnly.client().register('frank', 'password123')).rejects.toMatchObject({
          condition: 'invalid-invite',
        });
        const r = await runCli(['invite', 'create', '--uses', '1', '--expires', '1h'], {
          env: invEnv,
        });
        expect(r.code).toBe(0);
        const code = r.stdout.trim();
        expect(code.length).toBeGreaterThan(10);
        // Only its hash is stored; the list names it by an id, never by the code.
        const raw = await openStore({
          url: db.url,
          dataDir: db.dataDir,
          poolSize: 1,
          ...(db.pgSchema ? { schema: db.pgSchema } : {}),
        });
        try {
          const rows = await sql<{ c: string }>`select code_hash as c from invites`.execute(raw.db);
          expect(rows.rows.map((x) => x.c)).toContain(hashToken(code));
          expect(JSON.stringify(rows.rows)).not.toContain(code);
        } finally {
          await raw.close();
        }
        const list = await runCli(['invite', 'list'], { env: invEnv });
        expect(list.code).toBe(0);
        expect(list.stdout).toContain(`${hashToken(code).slice(0, 8)}\t1 use left\texpires `);
        expect(list.stdout).not.toContain(code);
        const ok = await inviteOnly.client().register('frank', 'password123', { invite: code });
        expect(ok.user.username).toBe('frank');
        await expect(
          inviteOnly.client().register('grace', 'password123', { invite: code }),
        ).rejects.toMatchObject({ condition: 'invalid-invite' });
        expect(
          (await runCli(['invite', 'create', '--expires', 'soon'], { env: invEnv })).code,
        ).toBe(2);
      } finally {
        await inviteOnly.stop();
      }
    });
  });
}

describe('parley doctor', () => {
  it('checks the S3 bucket and clamd when they are configured', async () => {
    const t = tempDir();
    const s3 = await startLocalS3();
    try {
      const env = {
        PARLEY_DATA_DIR: t.dir,
        PARLEY_SERVER_PORT: '0',
        PARLEY_FILES_S3_ENDPOINT: s3.url,
        PARLEY_FILES_S3_ACCESS_KEY: 'S3RVER',
        PARLEY_FILES_S3_SECRET_KEY: 'S3RVER',
        PARLEY_FILES_S3_PATH_STYLE: 'true',
      };
      const ok = await runCli(['doctor'], { env: { ...env, PARLEY_FILES_S3_BUCKET: 'parley' } });
      expect(ok.stdout).toMatch(/✔ files: S3 bucket "parley" at http:\/\/127\.0\.0\.1:\d+ answers/);
      const none = await runCli(['doctor'], {
        env: {
          ...env,
          PARLEY_FILES_S3_BUCKET: 'nosuch',
          PARLEY_FILES_CLAMAV_SOCKET: join(t.dir, 'no.sock'),
        },
      });
      expect(none.stdout).toMatch(/✘ files: S3 bucket "nosuch" .*: no bucket "nosuch"/);
      expect(none.stdout).toMatch(/✘ files: clamd at .*no\.sock: .*uploads would all be refused/);
      expect(none.code).toBe(1);
    } finally {
      await s3.stop();
      t.cleanup();
    }
  });

  it('passes on the embedded defaults in a writable folder', async () => {
    const t = tempDir();
    try {
      const r = await runCli(['doctor'], {
        env: { PARLEY_DATA_DIR: t.dir, PARLEY_SERVER_PORT: '0' },
      });
      expect(r.stdout).toMatch(/✔ database: sqlite/);
      expect(r.stdout).toMatch(/pending/);
      expect(r.stdout).toMatch(
        /✔ doors: native \(WebSocket, REST and the web client on 0\.0\.0\.0:0/,
      );
      expect(r.stdout).toMatch(/✔ doors: irc \(plain 0\.0\.0\.0:0, TLS 0\.0\.0\.0:0/);
      expect(r.stdout).toMatch(
        /✔ doors: xmpp for localhost \(.*WebSocket \/xmpp-websocket on 0\.0\.0\.0:0/,
      );
      expect(r.stdout).toMatch(/All good/);
      expect(r.code).toBe(0);
    } finally {
      t.cleanup();
    }
  });

  it('says which door’s port is taken, and that a door switched off is off', async () => {
    const t = tempDir();
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const taken = (busy.address() as { port: number }).port;
    try {
      const r = await runCli(['doctor'], {
        env: {
          PARLEY_DATA_DIR: t.dir,
          PARLEY_SERVER_HOST: '127.0.0.1',
          PARLEY_SERVER_PORT: '0',
          PARLEY_IRC_PORT: String(taken),
          PARLEY_IRC_TLS_PORT: '-1',
          PARLEY_XMPP_PORT: '-1',
          PARLEY_XMPP_TLS_PORT: '-1',
          PARLEY_XMPP_WEBSOCKET: 'false',
        },
      });
      expect(r.stdout).toMatch(
        new RegExp(`✘ port: 127\\.0\\.0\\.1:${taken} is already in use.*change irc\\.port`),
      );
      expect(r.stdout).toMatch(/doors: xmpp off/);
      expect(r.code).not.toBe(0);
    } finally {
      busy.close();
      t.cleanup();
    }
  });

  it('reports the TLS certificate: to be made, generated, configured, or wrong', async () => {
    const t = tempDir();
    try {
      const env = { PARLEY_DATA_DIR: t.dir, PARLEY_SERVER_PORT: '0' };
      const none = await runCli(['doctor'], { env });
      expect(none.stdout).toMatch(
        /✔ tls: no certificate configured; a self-signed one for localhost is made in .*self-signed\.crt/,
      );

      const certs = await createCertificates({
        tls: { cert: '', key: '', self_signed_hosts: ['localhost'] },
        dataDir: t.dir,
        logger: { info() {}, warn() {}, error() {} },
      });
      const made = await runCli(['doctor'], { env });
      expect(made.stdout).toContain(`✔ tls: self-signed certificate`);
      expect(made.stdout).toContain(`key matches, SHA-256 ${certs.fingerprint}, valid until`);

      const one = selfSignedCertificate({ names: ['chat.example'], days: 10 });
      const other = selfSignedCertificate({ names: ['chat.example'], days: 10 });
      writeFileSync(join(t.dir, 'c.pem'), one.cert);
      writeFileSync(join(t.dir, 'k.pem'), one.key);
      writeFileSync(join(t.dir, 'wrong.pem'), other.key);
      const files = { PARLEY_TLS_CERT: join(t.dir, 'c.pem'), PARLEY_TLS_KEY: join(t.dir, 'k.pem') };
      const soon = await runCli(['doctor'], { env: { ...env, ...files } });
      expect(soon.stdout).toMatch(
        /⚠ tls: certificate .*c\.pem for DNS:chat\.example, key matches.*expires in 9 day/,
      );
      expect(soon.code).toBe(0);

      const wrong = await runCli(['doctor'], {
        env: { ...env, ...files, PARLEY_TLS_KEY: join(t.dir, 'wrong.pem') },
      });
      expect(wrong.stdout).toMatch(/✘ tls: .*the key does not belong to the certificate/);
      expect(wrong.code).toBe(1);
      const half = await runCli(['doctor'], {
        env: { ...env, PARLEY_TLS_CERT: files.PARLEY_TLS_CERT },
      });
      expect(half.stdout).toMatch(/✘ tls: set both tls\.cert and tls\.key/);
      const missing = await runCli(['doctor'], {
        env: { ...env, ...files, PARLEY_TLS_CERT: join(t.dir, 'nope.pem') },
      });
      expect(missing.stdout).toMatch(
        /✘ tls: cannot read the TLS certificate .*nope\.pem \(ENOENT\)/,
      );
    } finally {
      t.cleanup();
    }
  });

  it('warns about a key that moved, naming the new one', async () => {
    const t = tempDir();
    try {
      const r = await runCli(['doctor'], {
        env: { PARLEY_DATA_DIR: t.dir, PARLEY_SERVER_PORT: '0', PARLEY_LIMITS_FRAME_BURST: '50' },
      });
      expect(r.stdout).toMatch(
        /⚠ PARLEY_LIMITS_FRAME_BURST is deprecated; it still works for now: use native\.frame_burst instead/,
      );
      expect(r.stdout).toMatch(/read the 1 warning\(s\)/);
      expect(r.code).toBe(0);
    } finally {
      t.cleanup();
    }
  });

  it('warns about a trusted-proxy setting that lets clients pick their address', async () => {
    const t = tempDir();
    try {
      const env = { PARLEY_DATA_DIR: t.dir, PARLEY_SERVER_PORT: '0' };
      const ok = await runCli(['doctor'], {
        env: { ...env, PARLEY_SERVER_TRUSTED_PROXIES: '127.0.0.1,10.0.0.0/8' },
      });
      expect(ok.stdout).toMatch(/✔ proxies: .*127\.0\.0\.1, 10\.0\.0\.0\/8/);
      expect(ok.stdout).toMatch(/All good/);
      const broad = await runCli(['doctor'], {
        env: { ...env, PARLEY_SERVER_TRUSTED_PROXIES: '0.0.0.0/0,::/0' },
      });
      expect(broad.stdout).toMatch(/⚠ server\.trusted_proxies entry "0\.0\.0\.0\/0" is very broad/);
      expect(broad.stdout).toMatch(/⚠ server\.trusted_proxies entry "::\/0" is very broad/);
      expect(broad.stdout).toMatch(/read the 2 warning\(s\)/);
      expect(broad.code).toBe(0);
      const legacy = await runCli(['doctor'], {
        env: { ...env, PARLEY_SERVER_TRUST_PROXY: 'true' },
      });
      expect(legacy.stdout).toMatch(
        /⚠ server\.trust_proxy is deprecated; it now trusts proxies on this machine only/,
      );
      const bad = await runCli(['doctor'], {
        env: { ...env, PARLEY_SERVER_TRUSTED_PROXIES: 'proxy.internal' },
      });
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(
        /PARLEY_SERVER_TRUSTED_PROXIES: got .*IP addresses or CIDR ranges/,
      );
    } finally {
      t.cleanup();
    }
  });

  it.skipIf(!PG_URL)('looks at a PostgreSQL schema without creating it, and says so', async () => {
    const schema = freshSchema();
    const env = {
      PARLEY_DATABASE_URL: PG_URL,
      PARLEY_DATABASE_SCHEMA: schema,
      PARLEY_SERVER_PORT: '0',
    };
    try {
      const r = await runCli(['doctor'], { env });
      expect(r.stdout).toMatch(
        new RegExp(`database: schema "${schema}" does not exist yet; \`parley serve\` creates it`),
      );
      expect(r.code).toBe(0);
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        const found = await c.query(
          'select 1 from information_schema.schemata where schema_name = $1',
          [schema],
        );
        expect(found.rowCount).toBe(0);
      } finally {
        await c.end();
      }
    } finally {
      await dropSchema(schema);
    }
  });

  it('names a bad key and value in plain words', async () => {
    const r = await runCli(['doctor'], {
      env: { PARLEY_SERVER_PORT: 'http', PARLEY_REGISTRATION_POLICY: 'maybe' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/PARLEY_SERVER_PORT: got "http", expected a whole number/);
    expect(r.stdout).toMatch(/PARLEY_REGISTRATION_POLICY/);
  });

  it('says when the port is taken and the database or bus cannot be reached', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    const t = tempDir();
    try {
      const r = await runCli(['doctor'], {
        env: {
          PARLEY_DATA_DIR: t.dir,
          PARLEY_SERVER_HOST: '127.0.0.1',
          PARLEY_SERVER_PORT: String(port),
          PARLEY_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
          PARLEY_BUS_URL: 'nats://127.0.0.1:1',
        },
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/✘ port: 127\.0\.0\.1:\d+ is already in use/);
      expect(r.stdout).toMatch(/✘ database: cannot use postgres/);
      expect(r.stdout).toMatch(/✘ bus: cannot reach NATS/);
      expect(r.stdout).toMatch(/3 problem\(s\) found/);
    } finally {
      busy.close();
      t.cleanup();
    }
  });
});

describe('parley serve', () => {
  let t: ReturnType<typeof tempDir>;
  beforeAll(() => {
    t = tempDir();
  });
  afterAll(() => t.cleanup());

  it('names the database it cannot reach (without its password) and points to parley doctor', async () => {
    // It waits for the database (fault-postgres.test.ts); here only for about a second.
    const r = await runCli(['serve'], {
      env: {
        PARLEY_DATA_DIR: t.dir,
        PARLEY_SERVER_PORT: '0',
        PARLEY_SERVER_HOST: '127.0.0.1',
        PARLEY_DATABASE_URL: 'postgres://parley:s3cret@127.0.0.1:1/parley',
        PARLEY_DATABASE_START_TIMEOUT_SECONDS: '1',
      },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /cannot open the postgres database at postgres:\/\/parley:\*\*\*@127\.0\.0\.1:1\/parley: .*ECONNREFUSED/,
    );
    expect(r.stderr).toMatch(/waited 1 s: database\.start_timeout_seconds/);
    expect(r.stderr).toMatch(/run parley doctor/);
    expect(r.stderr).not.toMatch(/s3cret/);
  });

  it('starts on the defaults, and on SIGTERM closes clients with 1001, exits 0 and leaves the database whole', async () => {
    await runCli(['user', 'add', 'henry'], {
      stdin: 'password123\n',
      env: { PARLEY_DATA_DIR: t.dir },
    });
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '--eval',
        "const { main } = await import('./src/cli/index.ts'); process.exitCode = await main(process.argv.slice(1));",
        '--',
        'serve',
      ],
      {
        env: {
          ...process.env,
          PARLEY_DATA_DIR: t.dir,
          PARLEY_SERVER_PORT: '0',
          PARLEY_SERVER_HOST: '127.0.0.1',
          PARLEY_LOG_LEVEL: 'info',
          // A key that moved to [native]: still read, with one warning in the log.
          PARLEY_LIMITS_HEARTBEAT_SECONDS: '15',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
      child.stdout.on('data', () => {
        const m = /Parley is running: http:\/\/[^:]+:(\d+)\//.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    expect(out.match(/PARLEY_LIMITS_HEARTBEAT_SECONDS is deprecated/g)).toHaveLength(1);
    expect(out).toMatch(/use native\.heartbeat_seconds instead/);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/parley_connections/);
    // Runtime metrics carry the prefix once.
    expect(metrics).toMatch(/^parley_process_cpu_user_seconds_total /m);
    expect(metrics).toMatch(/^parley_nodejs_heap_size_used_bytes /m);
    expect(metrics).not.toMatch(/parley_process_process_|parley_process_nodejs_/);

    const login = (await (
      await fetch(`http://127.0.0.1:${port}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'henry', password: 'password123' }),
      })
    ).json()) as { token: string };
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws`, {
      headers: { authorization: `Bearer ${login.token}` },
    });
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    await new Promise((r) => ws.on('message', r)); // hello
    child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await exited).toBe(0);
    expect(out).toMatch(/"msg":"stopped"/);
    expect(out).toMatch(/"doors":\["native","irc","xmpp"\]/);

    const store = await openStore({ url: '', dataDir: t.dir, poolSize: 1 });
    try {
      expect((await store.accounts.userByUsername('henry'))?.username).toBe('henry');
    } finally {
      await store.close();
    }
    expect(join(t.dir, 'parley.db')).toBeTruthy();
  });
});
