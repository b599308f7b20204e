import { createHmac } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AccountService, AuthContext } from '../../src/core/accounts/service.js';
import { createLoginThrottle } from '../../src/core/accounts/throttle.js';
import {
  createFastTokenService,
  type FastCheck,
  FAST_SESSION_PREFIX,
  type FastTokenService,
  MAX_FAST_DEVICES,
  ROTATE_AFTER_MS,
} from '../../src/core/accounts/tokens.js';
import type { Store } from '../../src/core/store.js';
import type { Database } from '../../src/store/sql/tables.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';
import { storeUsers } from '../helpers/store-fixtures.js';

/**
 * XEP-0484 FAST tokens over the account store, on every backend: a token
 * proves itself by HMAC and logs in as its device (a sessions row), only with
 * its mechanism and client; a replayed count, an expired or a voided token is
 * refused; rotation keeps the older token until the newer is used; the token
 * is nowhere in the database; revoking the device (alone, with all others, by
 * deleting the account) ends its tokens; devices per account are bounded.
 */
const NONE = 'HT-SHA-256-NONE' as const;
const proof = (token: string, label = 'Initiator', cb = Buffer.alloc(0)) =>
  createHmac('sha256', token).update(label).update(cb).digest();

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`FAST tokens contract (${backend.name})`, () => {
    let store: Store & { db: Kysely<Database> };
    let dispose: () => Promise<void>;
    let clock = Date.now();
    let fast: FastTokenService;
    beforeAll(async () => {
      ({ store, dispose } = await openTestStore(backend));
      // Revoking a device as accounts.revokeSession does (without the bus).
      const accounts = {
        revokeSession: async (userId: string, id: string) => {
          await store.accounts.deleteSession(userId, id);
        },
      } as unknown as AccountService;
      fast = createFastTokenService({
        store: store.accounts,
        accounts,
        throttle: createLoginThrottle({
          freeFailures: 1000,
          maxDelayPerAddress: 1,
          accountPerMinute: 100000,
          maxDelayPerAccount: 1,
          addressPerMinute: 100000,
        }),
        lifetimeDays: 14,
        now: () => clock,
      });
    });
    afterAll(() => dispose());

    const scoped = async (prefix: string): Promise<AuthContext> => {
      const [u] = await storeUsers(store, [prefix]);
      const user = (await store.accounts.userById(u!.id))!;
      const { passwordHash: _h, ...rest } = user;
      return {
        user: rest,
        session: {
          id: `scoped-${u!.id}`,
          userId: u!.id,
          tokenHash: '',
          device: 'XMPP',
          createdAt: clock,
          lastSeenAt: clock,
          lastAddress: '::1',
        },
        scoped: { passwordStamp: 'x' },
      };
    };
    const check = (auth: AuthContext, token: string, more: Partial<FastCheck> = {}) =>
      fast.check({
        username: auth.user.username,
        clientId: 'client-1',
        mechanism: NONE,
        initiator: proof(token),
        cbData: Buffer.alloc(0),
        invalidate: false,
        address: '::1',
        ...more,
      });
    const issue = (auth: AuthContext, clientId = 'client-1') =>
      fast.issue(auth, { clientId, mechanism: NONE, device: 'Phone', address: '::1' });

    it('logs in as its device, only with its mechanism, client and proof; never stored', async () => {
      const a = await scoped('fa');
      const { token, expiresAt, auth } = await issue(a);
      expect(expiresAt).toBe(clock + 14 * 24 * 3600 * 1000);
      expect(auth.scoped).toBeUndefined();
      expect(auth.session.tokenHash.startsWith(FAST_SESSION_PREFIX)).toBe(true);
      const devices = await store.accounts.sessionsOf(a.user.id);
      expect(devices.map((d) => [d.id, d.device])).toEqual([[auth.session.id, 'Phone']]);

      const ok = await check(a, token);
      expect(ok.ok).toBe(true);
      if (!ok.ok) return;
      expect(ok.auth.session.id).toBe(auth.session.id);
      expect(ok.responder.equals(proof(token, 'Responder'))).toBe(true);
      expect(ok.rotate).toBe(false);

      expect((await check(a, token, { mechanism: 'HT-SHA-256-ENDP' })).ok).toBe(false);
      expect((await check(a, token, { clientId: 'client-2' })).ok).toBe(false);
      expect((await check(a, `${token}x`)).ok).toBe(false);
      expect((await check(a, token, { initiator: Buffer.alloc(3) })).ok).toBe(false);
      expect((await check({ ...a, user: { ...a.user, username: 'nobody-here' } }, token)).ok).toBe(
        false,
      );

      // No column of any row holds the token or its secret part.
      const { rows } = await sql<Record<string, unknown>>`select * from fast_tokens`.execute(
        store.db,
      );
      expect(rows.length).toBeGreaterThan(0);
      const secret = token.slice('secret-token:fast-'.length);
      for (const r of rows) expect(JSON.stringify(r)).not.toContain(secret);
    });

    it('refuses a count not above the last one (a replay)', async () => {
      const a = await scoped('fc');
      const { token } = await issue(a);
      expect((await check(a, token, { count: 5 })).ok).toBe(true);
      const again = await check(a, token, { count: 5 });
      expect(again.ok).toBe(false);
      expect((await check(a, token, { count: 4 })).ok).toBe(false);
      expect((await check(a, token, { count: 6 })).ok).toBe(true);
    });

    it('rotates: the old token works until the new one is used; unused ones are voided', async () => {
      const a = await scoped('fr');
      const first = await issue(a);
      expect((await check(a, first.token)).ok).toBe(true);
      clock += ROTATE_AFTER_MS;
      const due = await check(a, first.token);
      expect(due.ok && due.rotate).toBe(true);
      const second = await issue(due.ok ? due.auth : a);
      expect(second.auth.session.id).toBe(first.auth.session.id);
      // Lost on the way: the first still logs in, and a third voids the unused second.
      expect((await check(a, first.token)).ok).toBe(true);
      const third = await issue(a);
      expect((await check(a, second.token)).ok).toBe(false);
      expect((await check(a, third.token)).ok).toBe(true);
      expect((await check(a, first.token)).ok).toBe(false);
      expect((await store.accounts.sessionsOf(a.user.id)).length).toBe(1);
    });

    it('an expired token is credentials-expired, and its device goes', async () => {
      const a = await scoped('fe');
      const { token } = await issue(a);
      clock += 15 * 24 * 3600 * 1000;
      const r = await check(a, token);
      expect(r.ok ? 'ok' : r.reason).toBe('credentials-expired');
      expect(await store.accounts.sessionsOf(a.user.id)).toEqual([]);
      expect((await check(a, token)).ok).toBe(false);
    });

    it('invalidate: the token works once more, then never; the device leaves the list', async () => {
      const a = await scoped('fi');
      const { token } = await issue(a);
      const r = await check(a, token, { invalidate: true });
      expect(r.ok).toBe(true);
      expect(r.ok && r.auth.scoped).toBeTruthy();
      expect((await check(a, token)).ok).toBe(false);
      expect(await store.accounts.sessionsOf(a.user.id)).toEqual([]);
    });

    it('ends with its device: signed out alone, with the others, or with the account', async () => {
      const a = await scoped('fv');
      const one = await issue(a, 'c1');
      const two = await issue(a, 'c2');
      const three = await issue(a, 'c3');
      expect(await store.accounts.deleteSession(a.user.id, one.auth.session.id)).toBe(true);
      expect((await check(a, one.token, { clientId: 'c1' })).ok).toBe(false);
      expect((await check(a, two.token, { clientId: 'c2' })).ok).toBe(true);
      await store.accounts.deleteSessionsExcept(a.user.id, three.auth.session.id);
      expect((await check(a, two.token, { clientId: 'c2' })).ok).toBe(false);
      expect((await check(a, three.token, { clientId: 'c3' })).ok).toBe(true);
      await store.accounts.deleteUser(a.user.id);
      expect((await check(a, three.token, { clientId: 'c3' })).ok).toBe(false);
      expect(await store.accounts.fastTokens(a.user.id, 'x')).toEqual([]);
    });

    it('keeps at most MAX_FAST_DEVICES devices, the least recently seen dropped', async () => {
      const a = await scoped('fb');
      const first = await issue(a, 'd0');
      for (let i = 1; i <= MAX_FAST_DEVICES; i++) {
        clock += 1;
        await issue(a, `d${i}`);
      }
      const devices = await store.accounts.sessionsOf(a.user.id);
      expect(devices.length).toBe(MAX_FAST_DEVICES);
      expect(devices.map((d) => d.id)).not.toContain(first.auth.session.id);
      expect((await check(a, first.token, { clientId: 'd0' })).ok).toBe(false);
    });
  });
}
