import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../limits/rate.js';
import type { Router } from '../../router.js';
import { createAccountService } from '../service.js';
import type { AccountStore, UserRecord } from '../store.js';
import { createLoginThrottle } from '../throttle.js';
import { makeCredential, type ScramCredential } from './scram.js';
import { RFC5802, RFC7677 } from '../../../../test/helpers/scram-vectors.js';
import { createSaslService, type SaslContext, type SaslStep } from './service.js';

/**
 * The SASL layer against an in-memory account store, driven by a SCRAM client
 * written here with node:crypto alone (not the server's code), plus the RFC
 * vectors. The same layer over SQLite and PostgreSQL: test/e2e/scram.test.ts.
 */

function memoryStore() {
  const users = new Map<string, UserRecord>();
  const scram = new Map<string, ScramCredential[]>();
  const secrets = new Map<string, string>();
  const store: Partial<AccountStore> = {
    async createUser(u, opts) {
      if ([...users.values()].some((x) => x.username === u.username)) throw new Error('taken');
      users.set(u.id, { ...u });
      scram.set(u.id, [...(opts?.scram ?? [])]);
    },
    userById: async (id) => (users.has(id) ? { ...users.get(id)! } : undefined),
    userByUsername: async (n) => {
      const u = [...users.values()].find((x) => x.username === n);
      return u && { ...u };
    },
    async setPasswordHash(id, hash, list = []) {
      users.get(id)!.passwordHash = hash;
      scram.set(id, [...list]);
    },
    scramCredentials: async (id) => [...(scram.get(id) ?? [])],
    async upgradeScramCredentials(id, hash, list) {
      if (users.get(id)?.passwordHash !== hash) return false;
      scram.set(id, [...list]);
      return true;
    },
    async serverSecret(name, fresh) {
      if (!secrets.has(name)) secrets.set(name, fresh);
      return secrets.get(name)!;
    },
    async setDisabled(id, d) {
      users.get(id)!.disabled = d;
    },
    async deleteUser(id) {
      scram.delete(id);
      return users.delete(id);
    },
    deleteSessionsExcept: async () => [],
    sessionsOf: async () => [],
    noteRevocation: async () => {},
    createSession: async () => {},
  };
  return { store: store as AccountStore, users, scram };
}

/** An independent SCRAM client (RFC 5802 section 3), node:crypto only. */
function client(opts: {
  hash: 'sha1' | 'sha256';
  username: string;
  password: string;
  nonce?: string;
  gs2?: string;
  cbData?: Buffer;
}) {
  const nonce = opts.nonce ?? randomBytes(18).toString('base64');
  const gs2 = opts.gs2 ?? 'n,,';
  const bare = `n=${opts.username.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${nonce}`;
  let serverKey: Buffer | undefined;
  let authMessage = '';
  return {
    first: () => Buffer.from(gs2 + bare),
    final(serverFirst: Buffer, tweak: { nonce?: string; cb?: Buffer } = {}): Buffer {
      const sf = serverFirst.toString();
      const attrs = Object.fromEntries(sf.split(',').map((a) => [a[0], a.slice(2)]));
      const salted = pbkdf2Sync(
        opts.password,
        Buffer.from(attrs.s!, 'base64'),
        Number(attrs.i),
        opts.hash === 'sha1' ? 20 : 32,
        opts.hash,
      );
      const clientKey = createHmac(opts.hash, salted).update('Client Key').digest();
      const storedKey = createHash(opts.hash).update(clientKey).digest();
      serverKey = createHmac(opts.hash, salted).update('Server Key').digest();
      const cb = tweak.cb ?? Buffer.concat([Buffer.from(gs2), opts.cbData ?? Buffer.alloc(0)]);
      const withoutProof = `c=${cb.toString('base64')},r=${tweak.nonce ?? attrs.r}`;
      authMessage = `${bare},${sf},${withoutProof}`;
      const sig = createHmac(opts.hash, storedKey).update(authMessage).digest();
      const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]!));
      return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
    },
    verifies(serverFinal: Buffer | undefined): boolean {
      const v = createHmac(opts.hash, serverKey!).update(authMessage).digest('base64');
      return serverFinal?.toString() === `v=${v}`;
    },
  };
}

const PASSWORD = 'correct horse battery';
const TLS: SaslContext = { address: '198.51.100.7', tls: true };

function challenge(r: SaslStep): Buffer {
  if (!('challenge' in r)) throw new Error(`expected a challenge, got ${JSON.stringify(r)}`);
  return r.challenge;
}
const failure = (r: SaslStep) => ('failure' in r ? r.failure : undefined);

describe('SASL', () => {
  let mem: ReturnType<typeof memoryStore>;
  let setup: ReturnType<typeof build>;
  function build(serverNonce?: () => string) {
    const throttle = createLoginThrottle({
      freeFailures: 3,
      maxDelayPerAddress: 900,
      accountPerMinute: 1000,
      maxDelayPerAccount: 60,
      addressPerMinute: 1000,
    });
    const accounts = createAccountService({
      store: mem.store,
      hasher: {
        hash: async (p) => `h:${p}`,
        verify: async (h, p) => h === `h:${p}`,
      },
      throttle,
      router: { deliver() {} } as unknown as Router,
      policy: () => 'open',
      signups: createRateLimiter({ perSecond: 1000, burst: 1000 }),
      reserved: [],
      scramIterations: 4096,
    });
    const sasl = createSaslService({
      store: mem.store,
      accounts,
      throttle,
      scramIterations: 4096,
      ...(serverNonce ? { serverNonce } : {}),
    });
    return { throttle, accounts, sasl };
  }
  beforeEach(() => {
    mem = memoryStore();
    setup = build();
  });

  async function register(name = 'alice', password = PASSWORD) {
    const r = await setup.accounts.register({ username: name, password, address: '192.0.2.1' });
    return r.user;
  }

  async function scram(
    mech: string,
    c: ReturnType<typeof client>,
    ctx: SaslContext = TLS,
  ): Promise<SaslStep> {
    const ex = setup.sasl.start(mech, ctx);
    const r = await ex.step(c.first());
    if (!('challenge' in r)) return r;
    return ex.step(c.final(r.challenge));
  }

  for (const v of [RFC5802, RFC7677]) {
    it(`runs the ${v.mechanism} exchange of the RFC's test vector`, async () => {
      setup = build(() => v.serverNonce);
      mem.users.set('u1', {
        id: 'u1',
        username: 'user',
        passwordHash: 'h:pencil',
        createdAt: 1,
        disabled: false,
      });
      mem.scram.set('u1', [
        await makeCredential(v.mechanism, 'pencil', 4096, Buffer.from(v.salt, 'base64')),
      ]);
      const ex = setup.sasl.start(v.mechanism, TLS);
      expect(challenge(await ex.step(Buffer.from(v.clientFirst))).toString()).toBe(v.serverFirst);
      const done = await ex.step(Buffer.from(v.clientFinal));
      if (!('success' in done)) throw new Error(JSON.stringify(done));
      expect(done.success.serverFinal?.toString()).toBe(v.serverFinal);
      expect(done.success.user).toMatchObject({ id: 'u1', username: 'user' });
      expect(done.success.auth.scoped).toBeDefined();
      expect(done.success.user).not.toHaveProperty('passwordHash');
      expect(await setup.accounts.stillValidAuth(done.success.auth)).toBe(true);
    });
  }

  for (const [mech, hash] of [
    ['SCRAM-SHA-256', 'sha256'],
    ['SCRAM-SHA-1', 'sha1'],
  ] as const) {
    it(`${mech}: the credentials made at registration log in; the server proves itself`, async () => {
      const u = await register();
      const c = client({ hash, username: 'Alice', password: PASSWORD });
      const r = await scram(mech, c);
      if (!('success' in r)) throw new Error(JSON.stringify(r));
      expect(r.success.user.id).toBe(u.id);
      expect(c.verifies(r.success.serverFinal)).toBe(true);
    });
  }

  it('a wrong password fails with e=invalid-proof and counts in the throttle', async () => {
    await register();
    for (let i = 0; i < 3; i++) {
      const f = failure(
        await scram(
          'SCRAM-SHA-256',
          client({ hash: 'sha256', username: 'alice', password: 'nope' }),
        ),
      );
      expect(f).toMatchObject({ reason: 'not-authorized', scramError: 'invalid-proof' });
      expect(f?.serverFinal?.toString()).toBe('e=invalid-proof');
    }
    // Past the free failures, even the right password waits.
    const f = failure(
      await scram(
        'SCRAM-SHA-256',
        client({ hash: 'sha256', username: 'alice', password: PASSWORD }),
      ),
    );
    expect(f?.reason).toBe('temporary-auth-failure');
    expect(f?.retryAfter).toBeGreaterThan(0);
    // The same throttle as PLAIN and every other door's login.
    const p = await setup.sasl.start('PLAIN', TLS).step(Buffer.from(`\0alice\0${PASSWORD}`));
    expect(failure(p)?.reason).toBe('temporary-auth-failure');
  });

  it('a successful login clears the backoff; failures that guess nothing are refunded', async () => {
    await register();
    const c = () => client({ hash: 'sha256', username: 'alice', password: PASSWORD });
    // Abandoned after the server-first, malformed finals, binding mismatches: none counts.
    for (let i = 0; i < 5; i++) {
      const ex = setup.sasl.start('SCRAM-SHA-256', TLS);
      challenge(await ex.step(c().first()));
      ex.abort();
      const ex2 = setup.sasl.start('SCRAM-SHA-256', TLS);
      challenge(await ex2.step(c().first()));
      expect(failure(await ex2.step(Buffer.from('c=biws,r=x,p=!!!!')))?.reason).toBe(
        'malformed-request',
      );
    }
    expect('success' in (await scram('SCRAM-SHA-256', c()))).toBe(true);
  });

  it('unknown users get a stable fake salt per name, at the configured count, and fail like a wrong password', async () => {
    await register();
    const salt = async (name: string) => {
      const ex = setup.sasl.start('SCRAM-SHA-256', TLS);
      const sf = challenge(
        await ex.step(client({ hash: 'sha256', username: name, password: 'x' }).first()),
      );
      ex.abort();
      const a = Object.fromEntries(
        sf
          .toString()
          .split(',')
          .map((x) => [x[0], x.slice(2)]),
      );
      return { s: a.s, i: a.i };
    };
    const ghost = await salt('ghost');
    expect(ghost).toEqual(await salt('ghost'));
    expect(ghost.i).toBe('4096');
    expect(ghost.s).not.toBe((await salt('ghost2')).s);
    expect(Buffer.from(ghost.s!, 'base64').length).toBe((await salt('alice')).s && 16);
    const f = failure(
      await scram(
        'SCRAM-SHA-256',
        client({ hash: 'sha256', username: 'ghost', password: PASSWORD }),
      ),
    );
    expect(f).toMatchObject({ reason: 'not-authorized', scramError: 'invalid-proof' });
  });

  it('an account without SCRAM credentials yet answers like an unknown one, and gets them at its next password login', async () => {
    const u = await register();
    mem.scram.set(u.id, []);
    const c = () => client({ hash: 'sha256', username: 'alice', password: PASSWORD });
    expect(failure(await scram('SCRAM-SHA-256', c()))?.scramError).toBe('invalid-proof');
    // PLAIN goes through accounts.verify, which makes them.
    const p = await setup.sasl.start('PLAIN', TLS).step(Buffer.from(`\0alice\0${PASSWORD}`));
    expect('success' in p).toBe(true);
    expect((await mem.store.scramCredentials(u.id)).map((x) => x.mechanism).sort()).toEqual([
      'SCRAM-SHA-1',
      'SCRAM-SHA-256',
    ]);
    expect('success' in (await scram('SCRAM-SHA-256', c()))).toBe(true);
  });

  it('a disabled or deleted account fails exactly like a wrong password', async () => {
    const u = await register();
    await mem.store.setDisabled(u.id, true);
    const c = () => client({ hash: 'sha256', username: 'alice', password: PASSWORD });
    const wrong = failure(
      await scram('SCRAM-SHA-256', client({ hash: 'sha256', username: 'alice', password: 'no' })),
    );
    expect(failure(await scram('SCRAM-SHA-256', c()))).toEqual(wrong);
    expect(
      failure(await setup.sasl.start('PLAIN', TLS).step(Buffer.from(`\0alice\0${PASSWORD}`))),
    ).toEqual(failure(await setup.sasl.start('PLAIN', TLS).step(Buffer.from(`\0alice\0nope`))));
    await mem.store.setDisabled(u.id, false);
    // Deleted between the two messages (from another address: this one is throttled by now).
    const ex = setup.sasl.start('SCRAM-SHA-256', { ...TLS, address: '203.0.113.5' });
    const cl = c();
    const sf = challenge(await ex.step(cl.first()));
    await mem.store.deleteUser(u.id);
    expect(failure(await ex.step(cl.final(sf)))).toEqual(wrong);
  });

  it('a password changed between the two messages fails the old one', async () => {
    const u = await register();
    const ex = setup.sasl.start('SCRAM-SHA-256', TLS);
    const cl = client({ hash: 'sha256', username: 'alice', password: PASSWORD });
    const sf = challenge(await ex.step(cl.first()));
    await setup.accounts.adminSetPassword('alice', 'another password');
    expect(failure(await ex.step(cl.final(sf)))?.scramError).toBe('invalid-proof');
    expect(
      'success' in
        (await scram(
          'SCRAM-SHA-1',
          client({ hash: 'sha1', username: 'alice', password: 'another password' }),
        )),
    ).toBe(true);
    expect((await mem.store.userById(u.id))?.passwordHash).toBe('h:another password');
  });

  it('refuses a replayed client-final (the server nonce is new each time)', async () => {
    await register();
    const cl = client({
      hash: 'sha256',
      username: 'alice',
      password: PASSWORD,
      nonce: 'fixedclientnonce',
    });
    const ex1 = setup.sasl.start('SCRAM-SHA-256', TLS);
    const final1 = cl.final(challenge(await ex1.step(cl.first())));
    expect('success' in (await ex1.step(final1))).toBe(true);
    const ex2 = setup.sasl.start('SCRAM-SHA-256', TLS);
    challenge(await ex2.step(cl.first()));
    expect(failure(await ex2.step(final1))).toMatchObject({
      reason: 'malformed-request',
      scramError: 'other-error',
    });
    // A nonce changed by the client, with a proof made for it, is refused the same way.
    const ex3 = setup.sasl.start('SCRAM-SHA-256', TLS);
    const sf = challenge(await ex3.step(cl.first()));
    expect(failure(await ex3.step(cl.final(sf, { nonce: 'fixedclientnonceX' })))?.scramError).toBe(
      'other-error',
    );
    // And nothing steps past the end.
    expect(failure(await ex1.step(final1))?.text).toMatch(/over/);
  });

  it('refuses bad base64, bad gs2 headers and bad encodings', async () => {
    await register();
    const start = () => setup.sasl.start('SCRAM-SHA-256', TLS);
    for (const first of [
      '',
      'x,,n=alice,r=abcdefgh',
      'n,,n=alice',
      'n,a=bob,n=alice,r=abcdefgh',
      'n,,n=al=ice,r=abcdefgh',
    ]) {
      const f = failure(await start().step(Buffer.from(first)));
      expect(f?.reason).toMatch(/malformed-request|invalid-authzid/);
    }
    expect(failure(await start().step(Buffer.from([0x6e, 0x2c, 0x2c, 0xff])))?.scramError).toBe(
      'invalid-encoding',
    );
    expect(failure(await start().step(Buffer.alloc(9000, 0x61)))?.reason).toBe('malformed-request');
    const cl = client({ hash: 'sha256', username: 'alice', password: PASSWORD });
    for (const bad of ['c=biws,r=R,p=not base64', 'c=b!ws,r=R,p=AAAA', 'garbage', 'p=AAAA']) {
      const ex = start();
      const sf = challenge(await ex.step(cl.first()));
      const nonce = sf.toString().split(',')[0]!.slice(2);
      const f = failure(await ex.step(Buffer.from(bad.replace('r=R', `r=${nonce}`))));
      expect(f?.reason).toBe('malformed-request');
      expect(f?.serverFinal?.toString()).toMatch(/^e=(invalid-encoding|other-error)$/);
    }
    // An authzid naming the user is fine; a username with a different case too.
    const self = client({
      hash: 'sha256',
      username: 'alice',
      password: PASSWORD,
      gs2: 'n,a=ALICE,',
    });
    expect('success' in (await scram('SCRAM-SHA-256', self))).toBe(true);
  });

  describe('channel binding', () => {
    const exporter = randomBytes(32);
    const endPoint = randomBytes(32);
    const bound: SaslContext = {
      address: '198.51.100.8',
      tls: true,
      channelBinding: { 'tls-exporter': exporter, 'tls-server-end-point': endPoint },
    };

    it('offers -PLUS only with binding data over TLS, and PLAIN only over TLS', () => {
      expect(setup.sasl.mechanisms(bound)).toEqual([
        'SCRAM-SHA-256-PLUS',
        'SCRAM-SHA-1-PLUS',
        'SCRAM-SHA-256',
        'SCRAM-SHA-1',
        'PLAIN',
      ]);
      expect(setup.sasl.mechanisms(TLS)).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN']);
      expect(setup.sasl.mechanisms({ address: 'x', tls: false })).toEqual([
        'SCRAM-SHA-256',
        'SCRAM-SHA-1',
      ]);
      expect(setup.sasl.mechanisms({ address: 'x', tls: false, plainWithoutTls: true })).toContain(
        'PLAIN',
      );
    });

    for (const [type, data] of [
      ['tls-exporter', exporter],
      ['tls-server-end-point', endPoint],
    ] as const) {
      it(`SCRAM-SHA-256-PLUS with ${type} succeeds; other data fails`, async () => {
        await register();
        const ok = client({
          hash: 'sha256',
          username: 'alice',
          password: PASSWORD,
          gs2: `p=${type},,`,
          cbData: data,
        });
        const r = await scram('SCRAM-SHA-256-PLUS', ok, bound);
        if (!('success' in r)) throw new Error(JSON.stringify(r));
        expect(ok.verifies(r.success.serverFinal)).toBe(true);
        const other = client({
          hash: 'sha256',
          username: 'alice',
          password: PASSWORD,
          gs2: `p=${type},,`,
          cbData: randomBytes(32),
        });
        const f = failure(await scram('SCRAM-SHA-256-PLUS', other, bound));
        expect(f).toMatchObject({
          reason: 'not-authorized',
          scramError: 'channel-bindings-dont-match',
        });
      });
    }

    it('SCRAM-SHA-1-PLUS works too', async () => {
      await register();
      const ok = client({
        hash: 'sha1',
        username: 'alice',
        password: PASSWORD,
        gs2: 'p=tls-exporter,,',
        cbData: exporter,
      });
      expect('success' in (await scram('SCRAM-SHA-1-PLUS', ok, bound))).toBe(true);
    });

    it('detects a downgrade: "y" while the server offers -PLUS', async () => {
      await register();
      const y = client({ hash: 'sha256', username: 'alice', password: PASSWORD, gs2: 'y,,' });
      expect(failure(await scram('SCRAM-SHA-256', y, bound))).toMatchObject({
        reason: 'not-authorized',
        scramError: 'server-does-support-channel-binding',
      });
      // Without -PLUS on offer, "y" is honest and fine (c= repeats "y,,").
      const y2 = client({ hash: 'sha256', username: 'alice', password: PASSWORD, gs2: 'y,,' });
      expect('success' in (await scram('SCRAM-SHA-256', y2, TLS))).toBe(true);
    });

    it('refuses mismatched flags and types', async () => {
      await register();
      const mk = (gs2: string, cbData?: Buffer) =>
        client({
          hash: 'sha256',
          username: 'alice',
          password: PASSWORD,
          gs2,
          ...(cbData ? { cbData } : {}),
        });
      // -PLUS without p=, p= without -PLUS, an unknown type, -PLUS where nothing binds.
      expect(failure(await scram('SCRAM-SHA-256-PLUS', mk('n,,'), bound))?.reason).toBe(
        'malformed-request',
      );
      expect(
        failure(await scram('SCRAM-SHA-256', mk('p=tls-exporter,,', exporter), bound))?.scramError,
      ).toBe('channel-binding-not-supported');
      expect(
        failure(await scram('SCRAM-SHA-256-PLUS', mk('p=tls-unique,,'), bound))?.scramError,
      ).toBe('unsupported-channel-binding-type');
      for (const name of ['constructor', 'toString', 'hasOwnProperty'])
        expect(
          failure(await scram('SCRAM-SHA-256-PLUS', mk(`p=${name},,`), bound))?.scramError,
        ).toBe('unsupported-channel-binding-type');
      expect(
        failure(await scram('SCRAM-SHA-256-PLUS', mk('p=tls-exporter,,', exporter), TLS))?.reason,
      ).toBe('invalid-mechanism');
      // c= that does not repeat the gs2 header.
      const cl = mk('n,,');
      const ex = setup.sasl.start('SCRAM-SHA-256', TLS);
      const sf = challenge(await ex.step(cl.first()));
      expect(failure(await ex.step(cl.final(sf, { cb: Buffer.from('y,,') })))?.scramError).toBe(
        'channel-bindings-dont-match',
      );
    });
  });

  describe('PLAIN', () => {
    const plain = (msg: string, ctx: SaslContext = TLS) =>
      setup.sasl.start('PLAIN', ctx).step(Buffer.from(msg));

    it('logs in with an empty authzid or the same user', async () => {
      const u = await register();
      for (const m of [`\0alice\0${PASSWORD}`, `alice\0ALICE\0${PASSWORD}`]) {
        const r = await plain(m);
        if (!('success' in r)) throw new Error(JSON.stringify(r));
        expect(r.success.user.id).toBe(u.id);
        expect(r.success.serverFinal).toBeUndefined();
      }
    });

    it('refuses another authzid, a wrong password, bad input and no TLS', async () => {
      await register();
      await register('bob');
      expect(failure(await plain(`bob\0alice\0${PASSWORD}`))?.reason).toBe('invalid-authzid');
      expect(failure(await plain(`\0alice\0wrong password`))?.reason).toBe('not-authorized');
      expect(failure(await plain(`\0nobody\0${PASSWORD}`))?.reason).toBe('not-authorized');
      expect(failure(await plain(`\0bad name!\0${PASSWORD}`))?.reason).toBe('not-authorized');
      expect(failure(await plain(`\0alice\0${'x'.repeat(2000)}`))?.reason).toBe('not-authorized');
      expect(failure(await plain('alice'))?.reason).toBe('malformed-request');
      expect(
        failure(await plain(`\0alice\0${PASSWORD}`, { address: 'x', tls: false }))?.reason,
      ).toBe('encryption-required');
      expect(
        'success' in
          (await plain(`\0alice\0${PASSWORD}`, {
            address: 'x',
            tls: false,
            plainWithoutTls: true,
          })),
      ).toBe(true);
    });
  });

  it('refuses unknown mechanisms and never throws on random input', async () => {
    await register();
    // A door's over-long device name is cut, not refused.
    const long = { ...TLS, device: 'x'.repeat(500) };
    const p = await setup.sasl.start('PLAIN', long).step(Buffer.from(`\0alice\0${PASSWORD}`));
    expect('success' in p && p.success.auth.session.device).toBe('x'.repeat(64));
    for (const m of ['SCRAM-MD5', 'SCRAM-SHA-512', 'PLAIN-PLUS', ''])
      expect(failure(await setup.sasl.start(m, long).step(Buffer.alloc(0)))?.reason).toBe(
        'invalid-mechanism',
      );
    expect(failure(await setup.sasl.start('DIGEST-MD5', TLS).step(Buffer.alloc(0)))?.reason).toBe(
      'invalid-mechanism',
    );
    for (let i = 0; i < 300; i++) {
      for (const mech of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-1-PLUS']) {
        const ex = setup.sasl.start(mech, {
          ...TLS,
          channelBinding: { 'tls-exporter': randomBytes(32) },
        });
        const prefix = ['', 'n,,n=alice,r=', 'p=tls-exporter,,n=alice,r=abcdefgh'][i % 3]!;
        const r = await ex.step(Buffer.concat([Buffer.from(prefix), randomBytes(i % 50)]));
        if ('challenge' in r) {
          const again = await ex.step(
            Buffer.concat([Buffer.from(['c=biws,r=', ''][i % 2]!), randomBytes(i % 40)]),
          );
          expect('failure' in again).toBe(true);
        } else expect('failure' in r).toBe(true);
      }
    }
  });
});
