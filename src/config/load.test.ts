import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError, configWarnings, defaultConfig, loadConfig } from './load.js';
import { MOVED_KEYS, SCHEMA } from './schema.js';

const example = readFileSync(new URL('../../parley.example.toml', import.meta.url), 'utf8');

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('the commented example documents every key and holds exactly the defaults', () => {
    const parsed = parse(example) as Record<string, Record<string, unknown>>;
    // A sub-table ([files.s3]) documents the keys named with its prefix (files.s3_endpoint).
    const keysOf = (t: Record<string, unknown>) =>
      Object.entries(t).flatMap(([k, v]) =>
        typeof v === 'object' && v !== null && !Array.isArray(v)
          ? Object.keys(v).map((sk) => `${k}_${sk}`)
          : [k],
      );
    for (const [section, fields] of Object.entries(SCHEMA)) {
      expect(keysOf(parsed[section] ?? {}).sort(), `[${section}]`).toEqual(
        Object.keys(fields).sort(),
      );
    }
    expect(buildConfig(parsed)).toEqual(defaultConfig());
  });

  it('names an unknown key, and lists what is allowed', () => {
    const p = problems(() => buildConfig({ server: { prot: 80 } }));
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('server.prot');
    expect(p[0]).toContain('port');
  });

  it('reads [files.s3] and [files.clamav] sub-tables and their PARLEY_FILES_S3_* variables', () => {
    const c = buildConfig(
      {
        files: {
          s3: { bucket: 'parley', access_key: 'ak', path_style: true },
          clamav: { port: 3311 },
        },
      },
      { PARLEY_FILES_S3_SECRET_KEY: 'sk', PARLEY_FILES_CLAMAV_SOCKET: '/run/clamd.ctl' },
    );
    expect(c.files).toMatchObject({
      s3_bucket: 'parley',
      s3_access_key: 'ak',
      s3_secret_key: 'sk',
      s3_path_style: true,
      clamav_port: 3311,
      clamav_socket: '/run/clamd.ctl',
    });
    expect(
      problems(() => buildConfig({ files: { s3: { bucket: 'parley', secret: 'x' } } })),
    ).toEqual([
      'unknown key files.s3.secret (known keys in [files.s3]: bucket, endpoint, region, access_key, secret_key, path_style)',
      'files.s3.bucket is set ("parley"): files.s3.access_key and files.s3.secret_key are needed too',
    ]);
  });

  it('names an unknown section', () => {
    expect(problems(() => buildConfig({ sever: {} }))[0]).toContain('[sever]');
  });

  it('refuses bad values with what is allowed, and reports all problems at once', () => {
    const p = problems(() =>
      buildConfig({
        server: { port: 70000 },
        registration: { policy: 'sometimes' },
        database: { url: 'mysql://x' },
      }),
    );
    expect(p).toHaveLength(3);
    expect(p.join('\n')).toMatch(
      /server\.port: got 70000, expected a whole number from 0 to 65535/,
    );
    expect(p.join('\n')).toMatch(
      /registration\.policy: got "sometimes", expected one of "open", "invite", "closed"/,
    );
    expect(p.join('\n')).toMatch(/database\.url/);
  });

  it('takes PARLEY_<SECTION>_<KEY> from the environment over the file', () => {
    const c = buildConfig(
      { server: { port: 1000 } },
      {
        PARLEY_SERVER_PORT: '2000',
        PARLEY_NATIVE_MAX_FRAME_BYTES: '4096',
        PARLEY_METRICS_ENABLED: 'false',
        PARLEY_REGISTRATION_RESERVED_USERNAMES: 'boss, chief',
      },
    );
    expect(c.server.port).toBe(2000);
    expect(c.native.max_frame_bytes).toBe(4096);
    expect(c.metrics.enabled).toBe(false);
    expect(c.registration.reserved_usernames).toEqual(['boss', 'chief']);
  });

  it('refuses a bad or unknown environment variable by name, and ignores PARLEY_TEST_* and PARLEY_CONFIG', () => {
    expect(problems(() => buildConfig({}, { PARLEY_SERVER_PORT: 'eighty' }))[0]).toContain(
      'PARLEY_SERVER_PORT',
    );
    expect(problems(() => buildConfig({}, { PARLEY_SERVER_PROT: '1' }))[0]).toContain(
      'PARLEY_SERVER_PROT',
    );
    expect(() => buildConfig({}, { PARLEY_TEST_PG: 'x', PARLEY_CONFIG: 'y' })).not.toThrow();
  });

  describe('keys that moved to [native]', () => {
    it('moved every WebSocket key of [limits], and the example documents none of the old names', () => {
      expect(Object.keys(MOVED_KEYS).sort()).toEqual(
        [
          'auth_timeout_seconds',
          'bad_frames_before_close',
          'frame_burst',
          'frames_per_second',
          'heartbeat_seconds',
          'max_frame_bytes',
          'send_queue_bytes',
          'session_recheck_seconds',
        ].map((k) => `limits.${k}`),
      );
      const parsed = parse(example) as Record<string, Record<string, unknown>>;
      for (const old of Object.keys(MOVED_KEYS))
        expect(Object.keys(parsed.limits ?? {})).not.toContain(old.split('.')[1]);
    });

    it('an old key still works, with one warning naming the new key', () => {
      const c = buildConfig({ limits: { heartbeat_seconds: 5, max_body_bytes: 2048 } });
      expect(c.native.heartbeat_seconds).toBe(5);
      expect(c.limits.max_body_bytes).toBe(2048);
      expect(configWarnings(c)).toEqual([
        'limits.heartbeat_seconds is deprecated; it still works for now: use native.heartbeat_seconds instead',
      ]);
      expect(configWarnings(defaultConfig())).toEqual([]);
    });

    it('an old environment variable still works, and names itself in the warning', () => {
      const c = buildConfig({}, { PARLEY_LIMITS_FRAME_BURST: '7' });
      expect(c.native.frame_burst).toBe(7);
      expect(configWarnings(c)).toEqual([
        'PARLEY_LIMITS_FRAME_BURST is deprecated; it still works for now: use native.frame_burst instead',
      ]);
    });

    it('the new key wins wherever it is set, and the old one is called ignored', () => {
      const fromFile = buildConfig({ limits: { frame_burst: 7 }, native: { frame_burst: 9 } });
      expect(fromFile.native.frame_burst).toBe(9);
      expect(configWarnings(fromFile)).toEqual([
        'limits.frame_burst is deprecated and ignored because native.frame_burst is set; remove it',
      ]);
      // The new key in the file beats the old one in the environment too.
      const mixed = buildConfig({ native: { frame_burst: 9 } }, { PARLEY_LIMITS_FRAME_BURST: '7' });
      expect(mixed.native.frame_burst).toBe(9);
      expect(configWarnings(mixed)[0]).toMatch(
        /PARLEY_LIMITS_FRAME_BURST is deprecated and ignored/,
      );
      const fromEnv = buildConfig(
        { limits: { frame_burst: 7 } },
        { PARLEY_NATIVE_FRAME_BURST: '9' },
      );
      expect(fromEnv.native.frame_burst).toBe(9);
    });

    it("an old key is checked against the new key's limits, under its old name", () => {
      const p = problems(() => buildConfig({ limits: { send_queue_bytes: 1 } }));
      expect(p).toEqual([
        'limits.send_queue_bytes: got 1, expected a whole number from 16384 to 268435456',
      ]);
    });
  });

  it('checks settings that depend on each other', () => {
    expect(
      problems(() =>
        buildConfig({ presence: { node_heartbeat_seconds: 10, node_timeout_seconds: 15 } }),
      )[0],
    ).toMatch(/presence\.node_timeout_seconds \(15\) must be at least twice/);
  });

  it('says when the file is missing or not TOML', () => {
    expect(problems(() => loadConfig('/nonexistent/parley.toml', {}))[0]).toContain(
      'cannot read config file',
    );
    const bad = new URL('../../package.json', import.meta.url).pathname;
    expect(problems(() => loadConfig(bad, {}))[0]).toContain('not valid TOML');
  });
});
