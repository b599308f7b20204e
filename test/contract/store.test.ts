import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/core/accounts/service.js';
import type { SessionRecord, UserRecord } from '../../src/core/accounts/store.js';
import { ParleyError } from '../../src/core/errors.js';
import { newId } from '../../src/core/ids.js';
import type { Profile } from '../../src/core/profiles/store.js';
import type { Store } from '../../src/core/store.js';
import { openStore } from '../../src/store/open.js';
import { MIGRATION_NAMES } from '../../src/store/sql/migrations.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';

/**
 * The store contract: every method of AccountStore and ProfileStore, and
 * Store.check(), behaves the same on every backend (SQLite always, PostgreSQL
 * when PARLEY_TEST_PG is set). Each test uses names with a random tag so the
 * tests of one file can share a database without seeing each other's rows.
 */

/** A random tag of lowercase letters and digits, valid inside a username. */
function tag(): string {
  return randomBytes(6).toString('hex');
}

function userRecord(username: string, extra: Partial<UserRecord> = {}): UserRecord {
  return {
    id: newId(),
    username,
    passwordHash: `hash-of-${username}`,
    createdAt: Date.now(),
    disabled: false,
    ...extra,
  };
}

function sessionRecord(userId: string, extra: Partial<SessionRecord> = {}): SessionRecord {
  const t = Date.now();
  return {
    id: newId(t),
    userId,
    tokenHash: `th-${tag()}${tag()}`,
    device: 'laptop',
    createdAt: t,
    lastSeenAt: t,
    lastAddress: '192.0.2.1',
    ...extra,
  };
}

/** Resolves with the ParleyError a promise rejects with (and fails if it resolves or throws something else). */
async function parleyErrorOf(p: Promise<unknown>): Promise<ParleyError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ParleyError);
    return err as ParleyError;
  }
  throw new Error('expected a ParleyError, but the call succeeded');
}

function openOpts(m: { url: string; dataDir: string; pgSchema?: string }) {
  return {
    url: m.url,
    dataDir: m.dataDir,
    poolSize: 3,
    ...(m.pgSchema ? { schema: m.pgSchema } : {}),
  };
}

async function tableCount(
  store: Awaited<ReturnType<typeof openStore>>,
  name: string,
  schema: string | undefined,
): Promise<number> {
  if (store.kind === 'postgres') {
    const r = await sql<{
      n: number | string;
    }>`select count(*) as n from information_schema.tables where table_schema = ${schema} and table_name = ${name}`.execute(
      store.db,
    );
    return Number(r.rows[0]!.n);
  }
  const r = await sql<{
    n: number;
  }>`select count(*) as n from sqlite_master where type = 'table' and name = ${name}`.execute(
    store.db,
  );
  return Number(r.rows[0]!.n);
}

async function appliedMigrations(store: Awaited<ReturnType<typeof openStore>>): Promise<string[]> {
  const r = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
    store.db,
  );
  return r.rows.map((x) => x.name);
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`store contract (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      const t = await openTestStore(backend);
      store = t.store;
      dispose = t.dispose;
    });
    afterAll(async () => {
      await dispose?.();
    });

    async function newUser(
      username = `u${tag()}`,
      extra: Partial<UserRecord> = {},
    ): Promise<UserRecord> {
      const u = userRecord(username, extra);
      await store.accounts.createUser(u);
      return u;
    }

    it('reports its kind and passes check()', async () => {
      expect(store.kind).toBe(backend.name);
      await expect(store.check()).resolves.toBeUndefined();
    });

    describe('users', () => {
      it('createUser stores every field and an empty, searchable profile', async () => {
        const u = userRecord(`new${tag()}`, { createdAt: 1_700_000_000_123 });
        await store.accounts.createUser(u);

        expect(await store.accounts.userById(u.id)).toEqual(u);
        expect(await store.accounts.userByUsername(u.username)).toEqual(u);
        expect(await store.profiles.profile(u.id)).toEqual({
          userId: u.id,
          username: u.username,
          displayName: '',
          birthYear: null,
          city: '',
          country: '',
          about: '',
          searchable: true,
          avatar: null,
        } satisfies Profile);

        const d = userRecord(`dis${tag()}`, { disabled: true });
        await store.accounts.createUser(d);
        expect((await store.accounts.userById(d.id))?.disabled).toBe(true);
      });

      it('returns undefined for unknown ids and usernames', async () => {
        expect(await store.accounts.userById(newId())).toBeUndefined();
        expect(await store.accounts.userByUsername(`nobody${tag()}`)).toBeUndefined();
        expect(await store.profiles.profile(newId())).toBeUndefined();
        expect(await store.profiles.profileByUsername(`nobody${tag()}`)).toBeUndefined();
      });

      it('refuses a taken username with conflict and keeps the first user', async () => {
        const first = await newUser();
        const second = userRecord(first.username);
        const err = await parleyErrorOf(store.accounts.createUser(second));
        expect(err.condition).toBe('conflict');
        expect(err.field).toBe('username');
        expect(await store.accounts.userById(second.id)).toBeUndefined();
        expect(await store.profiles.profile(second.id)).toBeUndefined();
        expect(await store.accounts.userByUsername(first.username)).toEqual(first);
      });

      it('listUsers pages by username', async () => {
        const p = `lu${tag()}`;
        // Created out of order: the store must sort.
        const names = ['d', 'a', 'e', 'c', 'b'].map((s) => `${p}${s}`);
        for (const n of names) await newUser(n);
        const sorted = [...names].sort();

        // `after` a string just below every name of this test: nothing else shares the prefix.
        const page1 = await store.accounts.listUsers({ after: p, limit: 2 });
        expect(page1.map((u) => u.username)).toEqual(sorted.slice(0, 2));
        const page2 = await store.accounts.listUsers({ after: page1.at(-1)!.username, limit: 2 });
        expect(page2.map((u) => u.username)).toEqual(sorted.slice(2, 4));
        const page3 = await store.accounts.listUsers({ after: page2.at(-1)!.username, limit: 2 });
        expect(page3[0]?.username).toBe(sorted[4]);
        expect(page3[0]).toEqual(await store.accounts.userByUsername(sorted[4]!));

        const all = await store.accounts.listUsers({ limit: 1000 });
        const got = all.map((u) => u.username);
        expect(got).toEqual([...got].sort());
        expect(got).toEqual(expect.arrayContaining(names));
        expect(await store.accounts.listUsers({ limit: 1 })).toHaveLength(1);
      });

      it('setPasswordHash changes only that user', async () => {
        const a = await newUser();
        const b = await newUser();
        await store.accounts.setPasswordHash(a.id, 'argon2id$new');
        expect((await store.accounts.userById(a.id))?.passwordHash).toBe('argon2id$new');
        expect((await store.accounts.userById(b.id))?.passwordHash).toBe(b.passwordHash);
      });

      it('SCRAM credentials: written with the user, replaced with the password, upgraded only while the hash holds, deleted with the user', async () => {
        const cred = (mechanism: 'SCRAM-SHA-1' | 'SCRAM-SHA-256', iterations: number) => ({
          mechanism,
          salt: randomBytes(16),
          iterations,
          storedKey: randomBytes(mechanism === 'SCRAM-SHA-1' ? 20 : 32),
          serverKey: randomBytes(mechanism === 'SCRAM-SHA-1' ? 20 : 32),
        });
        const u = userRecord(`scram${tag()}`);
        const made = [cred('SCRAM-SHA-1', 4096), cred('SCRAM-SHA-256', 4096)];
        await store.accounts.createUser(u, { scram: made });
        expect(await store.accounts.scramCredentials(u.id)).toEqual(made);
        const other = await newUser();
        expect(await store.accounts.scramCredentials(other.id)).toEqual([]);

        const renewed = [cred('SCRAM-SHA-256', 9000)];
        expect(await store.accounts.upgradeScramCredentials(u.id, 'not-the-hash', renewed)).toBe(
          false,
        );
        expect(await store.accounts.scramCredentials(u.id)).toEqual(made);
        expect(await store.accounts.upgradeScramCredentials(u.id, u.passwordHash, renewed)).toBe(
          true,
        );
        expect(await store.accounts.scramCredentials(u.id)).toEqual(renewed);
        expect((await store.accounts.userById(u.id))?.passwordHash).toBe(u.passwordHash);

        const next = [cred('SCRAM-SHA-1', 5000), cred('SCRAM-SHA-256', 5000)];
        await store.accounts.setPasswordHash(u.id, 'argon2id$changed', next);
        expect(await store.accounts.scramCredentials(u.id)).toEqual(next);
        // Without credentials, none of the old password's survive.
        await store.accounts.setPasswordHash(u.id, 'argon2id$again');
        expect(await store.accounts.scramCredentials(u.id)).toEqual([]);

        await store.accounts.setPasswordHash(u.id, 'argon2id$again', next);
        await store.accounts.deleteUser(u.id);
        expect(await store.accounts.scramCredentials(u.id)).toEqual([]);
      });

      it('serverSecret keeps the first value stored under a name', async () => {
        const name = `secret${tag()}`;
        expect(await store.accounts.serverSecret(name, 'first')).toBe('first');
        expect(await store.accounts.serverSecret(name, 'second')).toBe('first');
        const both = await Promise.all([
          store.accounts.serverSecret(`${name}b`, 'x'),
          store.accounts.serverSecret(`${name}b`, 'y'),
        ]);
        expect(both[0]).toBe(both[1]);
      });

      it('setDisabled turns the flag on and off', async () => {
        const a = await newUser();
        const b = await newUser();
        await store.accounts.setDisabled(a.id, true);
        expect((await store.accounts.userById(a.id))?.disabled).toBe(true);
        expect((await store.accounts.userByUsername(a.username))?.disabled).toBe(true);
        expect((await store.accounts.userById(b.id))?.disabled).toBe(false);
        await store.accounts.setDisabled(a.id, false);
        expect((await store.accounts.userById(a.id))?.disabled).toBe(false);
      });

      it('deleteUser removes the user, profile and sessions, and returns false for unknown ids', async () => {
        const a = await newUser();
        const b = await newUser();
        await store.profiles.updateProfile(a.id, { displayName: 'Gone Soon', city: 'Oslo' });
        const s1 = sessionRecord(a.id);
        const s2 = sessionRecord(a.id);
        const sb = sessionRecord(b.id);
        for (const s of [s1, s2, sb]) await store.accounts.createSession(s);
        const code = `inv${tag()}`;
        await store.accounts.createInvite({
          codeHash: code,
          createdBy: a.id,
          usesLeft: 3,
          expiresAt: null,
          createdAt: Date.now(),
        });

        expect(await store.accounts.deleteUser(a.id)).toBe(true);

        expect(await store.accounts.userById(a.id)).toBeUndefined();
        expect(await store.accounts.userByUsername(a.username)).toBeUndefined();
        expect(await store.profiles.profile(a.id)).toBeUndefined();
        expect(await store.profiles.profileByUsername(a.username)).toBeUndefined();
        expect(await store.accounts.sessionsOf(a.id)).toEqual([]);
        expect(await store.accounts.sessionByTokenHash(s1.tokenHash)).toBeUndefined();
        expect(await store.accounts.sessionByTokenHash(s2.tokenHash)).toBeUndefined();
        // The invite outlives its creator, anonymously.
        expect(await store.accounts.invite(code)).toMatchObject({
          codeHash: code,
          createdBy: null,
          usesLeft: 3,
        });
        // Someone else's data is untouched.
        expect(await store.accounts.userById(b.id)).toEqual(b);
        expect(await store.accounts.sessionByTokenHash(sb.tokenHash)).toEqual(sb);

        expect(await store.accounts.deleteUser(a.id)).toBe(false);
        expect(await store.accounts.deleteUser(newId())).toBe(false);
        // The name is free again.
        await newUser(a.username);
      });
    });

    describe('revocations', () => {
      it('noteRevocation is read back by recentRevocations, up to the limit', async () => {
        const a = { id: newId(), userId: newId(), sessionIds: [newId(), newId()] };
        const b = { id: newId(), userId: newId(), sessionIds: [newId()] };
        await store.accounts.noteRevocation(a);
        await store.accounts.noteRevocation(b);
        const recent = await store.accounts.recentRevocations(60_000, 1000);
        const mine = recent.filter((r) => r.id === a.id || r.id === b.id);
        expect(mine).toHaveLength(2);
        expect(mine).toContainEqual(a);
        expect(mine).toContainEqual(b);
        expect(await store.accounts.recentRevocations(60_000, 1)).toHaveLength(1);
      });
    });

    describe('invites', () => {
      it('createInvite and invite() round-trip; unknown codes are undefined', async () => {
        const owner = await newUser();
        const a = {
          codeHash: `inv${tag()}`,
          createdBy: owner.id,
          usesLeft: 5,
          expiresAt: 1_900_000_000_000,
          createdAt: 1_700_000_000_000,
        };
        const b = {
          codeHash: `inv${tag()}`,
          createdBy: null,
          usesLeft: 1,
          expiresAt: null,
          createdAt: 1_700_000_000_001,
        };
        await store.accounts.createInvite(a);
        await store.accounts.createInvite(b);
        expect(await store.accounts.invite(a.codeHash)).toEqual(a);
        expect(await store.accounts.invite(b.codeHash)).toEqual(b);
        expect(await store.accounts.invite(`nope${tag()}`)).toBeUndefined();
      });

      it('each registration takes one use; a used-up code gives invalid-invite and leaves no user behind', async () => {
        const code = `inv${tag()}`;
        await store.accounts.createInvite({
          codeHash: code,
          createdBy: null,
          usesLeft: 2,
          expiresAt: null,
          createdAt: Date.now(),
        });

        const u1 = userRecord(`i${tag()}`);
        await store.accounts.createUser(u1, { inviteCodeHash: code });
        expect((await store.accounts.invite(code))?.usesLeft).toBe(1);
        const u2 = userRecord(`i${tag()}`);
        await store.accounts.createUser(u2, { inviteCodeHash: code });
        expect((await store.accounts.invite(code))?.usesLeft).toBe(0);
        expect(await store.accounts.userById(u1.id)).toEqual(u1);
        expect(await store.accounts.userById(u2.id)).toEqual(u2);

        const u3 = userRecord(`i${tag()}`);
        const err = await parleyErrorOf(store.accounts.createUser(u3, { inviteCodeHash: code }));
        expect(err.condition).toBe('invalid-invite');
        expect(await store.accounts.userById(u3.id)).toBeUndefined();
        expect(await store.accounts.userByUsername(u3.username)).toBeUndefined();
        expect(await store.profiles.profile(u3.id)).toBeUndefined();
        expect((await store.accounts.invite(code))?.usesLeft).toBe(0);
      });

      it('an unknown or expired code gives invalid-invite and leaves no user behind', async () => {
        const unknown = userRecord(`i${tag()}`);
        expect(
          (
            await parleyErrorOf(
              store.accounts.createUser(unknown, { inviteCodeHash: `nope${tag()}` }),
            )
          ).condition,
        ).toBe('invalid-invite');
        expect(await store.accounts.userByUsername(unknown.username)).toBeUndefined();

        const code = `inv${tag()}`;
        await store.accounts.createInvite({
          codeHash: code,
          createdBy: null,
          usesLeft: 5,
          expiresAt: 2_000_000,
          createdAt: 1_000_000,
        });
        // At the expiry instant the code no longer works.
        const late = userRecord(`i${tag()}`);
        expect(
          (
            await parleyErrorOf(
              store.accounts.createUser(late, { inviteCodeHash: code, now: 2_000_000 }),
            )
          ).condition,
        ).toBe('invalid-invite');
        expect(await store.accounts.userById(late.id)).toBeUndefined();
        expect(await store.profiles.profile(late.id)).toBeUndefined();
        // Without `now`, the wall clock is far past it too.
        const late2 = userRecord(`i${tag()}`);
        expect(
          (await parleyErrorOf(store.accounts.createUser(late2, { inviteCodeHash: code })))
            .condition,
        ).toBe('invalid-invite');
        expect(await store.accounts.userById(late2.id)).toBeUndefined();
        expect((await store.accounts.invite(code))?.usesLeft).toBe(5);

        // Just before expiry it works and takes one use.
        const early = userRecord(`i${tag()}`);
        await store.accounts.createUser(early, { inviteCodeHash: code, now: 1_999_999 });
        expect(await store.accounts.userById(early.id)).toEqual(early);
        expect((await store.accounts.invite(code))?.usesLeft).toBe(4);
      });

      it('concurrent registrations with a one-use invite: exactly one wins', async () => {
        const code = `inv${tag()}`;
        await store.accounts.createInvite({
          codeHash: code,
          createdBy: null,
          usesLeft: 1,
          expiresAt: null,
          createdAt: Date.now(),
        });
        const users = Array.from({ length: 6 }, () => userRecord(`race${tag()}`));
        const results = await Promise.allSettled(
          users.map((u) => store.accounts.createUser(u, { inviteCodeHash: code })),
        );
        const won = users.filter((_, i) => results[i]!.status === 'fulfilled');
        expect(won).toHaveLength(1);
        for (const r of results)
          if (r.status === 'rejected')
            expect((r.reason as ParleyError).condition).toBe('invalid-invite');
        for (const u of users)
          expect(await store.accounts.userById(u.id)).toEqual(won.includes(u) ? u : undefined);
        expect((await store.accounts.invite(code))?.usesLeft).toBe(0);
      });

      it('a registration that fails on a taken name does not use up the invite', async () => {
        const taken = await newUser();
        const code = `inv${tag()}`;
        await store.accounts.createInvite({
          codeHash: code,
          createdBy: null,
          usesLeft: 1,
          expiresAt: null,
          createdAt: Date.now(),
        });
        const clash = userRecord(taken.username);
        expect(
          (await parleyErrorOf(store.accounts.createUser(clash, { inviteCodeHash: code })))
            .condition,
        ).toBe('conflict');
        expect((await store.accounts.invite(code))?.usesLeft).toBe(1);
      });
    });

    describe('sessions', () => {
      it('createSession, sessionByTokenHash and sessionsOf round-trip', async () => {
        const u = await newUser();
        const s1 = sessionRecord(u.id, {
          createdAt: 1_700_000_000_000,
          lastSeenAt: 1_700_000_000_000,
          device: 'phone',
        });
        const s2 = sessionRecord(u.id, {
          createdAt: 1_700_000_000_500,
          lastSeenAt: 1_700_000_000_600,
          device: 'tablet',
        });
        await store.accounts.createSession(s2);
        await store.accounts.createSession(s1);
        expect(await store.accounts.sessionByTokenHash(s1.tokenHash)).toEqual(s1);
        expect(await store.accounts.sessionByTokenHash(s2.tokenHash)).toEqual(s2);
        expect(await store.accounts.sessionByTokenHash(`th-unknown-${tag()}`)).toBeUndefined();
        expect(await store.accounts.sessionsOf(u.id)).toEqual([s1, s2]); // by creation time
        expect(await store.accounts.sessionsOf(newId())).toEqual([]);
      });

      it('touchSession updates last seen time and address only', async () => {
        const u = await newUser();
        const s = sessionRecord(u.id, {
          createdAt: 1_000,
          lastSeenAt: 1_000,
          lastAddress: '192.0.2.1',
        });
        const other = sessionRecord(u.id, { createdAt: 1_001, lastSeenAt: 1_001 });
        await store.accounts.createSession(s);
        await store.accounts.createSession(other);
        await store.accounts.touchSession(s.id, 1_800_000_000_000, '2001:db8::7');
        expect(await store.accounts.sessionByTokenHash(s.tokenHash)).toEqual({
          ...s,
          lastSeenAt: 1_800_000_000_000,
          lastAddress: '2001:db8::7',
        });
        expect(await store.accounts.sessionByTokenHash(other.tokenHash)).toEqual(other);
      });

      it('deleteSession deletes only a session of that user', async () => {
        const owner = await newUser();
        const stranger = await newUser();
        const s = sessionRecord(owner.id);
        await store.accounts.createSession(s);

        expect(await store.accounts.deleteSession(stranger.id, s.id)).toBe(false);
        expect(await store.accounts.sessionByTokenHash(s.tokenHash)).toEqual(s);

        expect(await store.accounts.deleteSession(owner.id, s.id)).toBe(true);
        expect(await store.accounts.sessionByTokenHash(s.tokenHash)).toBeUndefined();
        expect(await store.accounts.deleteSession(owner.id, s.id)).toBe(false);
        expect(await store.accounts.deleteSession(owner.id, newId())).toBe(false);
      });

      it('deleteSessionsExcept returns the ids it deleted and spares `keep` and other users', async () => {
        const u = await newUser();
        const other = await newUser();
        const [a, b, c] = [sessionRecord(u.id), sessionRecord(u.id), sessionRecord(u.id)];
        const o = sessionRecord(other.id);
        for (const s of [a!, b!, c!, o]) await store.accounts.createSession(s);

        const deleted = await store.accounts.deleteSessionsExcept(u.id, b!.id);
        expect([...deleted].sort()).toEqual([a!.id, c!.id].sort());
        expect((await store.accounts.sessionsOf(u.id)).map((s) => s.id)).toEqual([b!.id]);
        expect(await store.accounts.sessionByTokenHash(o.tokenHash)).toEqual(o);

        expect(await store.accounts.deleteSessionsExcept(u.id, b!.id)).toEqual([]);
        expect(await store.accounts.deleteSessionsExcept(u.id, null)).toEqual([b!.id]);
        expect(await store.accounts.sessionsOf(u.id)).toEqual([]);
        expect(await store.accounts.deleteSessionsExcept(u.id, null)).toEqual([]);
        expect(await store.accounts.sessionsOf(other.id)).toEqual([o]);
      });
    });

    describe('profiles', () => {
      it('updateProfile applies a patch, keeps what it does not name, and is readable by username', async () => {
        const u = await newUser();
        const p1 = await store.profiles.updateProfile(u.id, {
          displayName: 'Zoë Ångström',
          birthYear: 1984,
          city: 'Reykjavík',
          country: 'IS',
          about: 'likes 🧊',
          searchable: false,
        });
        const expected: Profile = {
          userId: u.id,
          username: u.username,
          displayName: 'Zoë Ångström',
          birthYear: 1984,
          city: 'Reykjavík',
          country: 'IS',
          about: 'likes 🧊',
          searchable: false,
          avatar: null,
        };
        expect(p1).toEqual(expected);
        expect(await store.profiles.profile(u.id)).toEqual(expected);
        expect(await store.profiles.profileByUsername(u.username)).toEqual(expected);

        const p2 = await store.profiles.updateProfile(u.id, {
          about: 'changed',
          birthYear: null,
          searchable: true,
        });
        expect(p2).toEqual({ ...expected, about: 'changed', birthYear: null, searchable: true });
        expect(await store.profiles.updateProfile(u.id, {})).toEqual(p2);
      });

      it('updateProfile of an unknown user returns undefined', async () => {
        expect(
          await store.profiles.updateProfile(newId(), { displayName: 'Ghost' }),
        ).toBeUndefined();
      });
    });

    describe('directory search', () => {
      // One set of profiles per backend, all under one random username prefix;
      // every query names that prefix so other tests' users never show up.
      const p = `d${tag()}`;
      const people: Record<string, Profile> = {};
      const names = (list: Profile[]) => list.map((x) => x.username.slice(p.length));
      const search = (
        q: Omit<Parameters<Store['profiles']['search']>[0], 'excludeUserIds' | 'limit'> & {
          excludeUserIds?: string[];
          limit?: number;
        },
      ) => store.profiles.search({ usernamePrefix: p, excludeUserIds: [], limit: 100, ...q });

      beforeAll(async () => {
        const rows: [
          string,
          { displayName: string; city: string; birthYear: number | null; searchable?: boolean },
        ][] = [
          ['anna', { displayName: 'Anna Karenina', city: 'Paris', birthYear: 1990 }],
          ['bob', { displayName: 'Bob 100% Real', city: 'paris', birthYear: 1985 }],
          ['carl', { displayName: 'Carl_Gustav', city: 'Berlin', birthYear: 2000 }],
          [
            'dora',
            { displayName: 'Dora Hidden', city: 'Paris', birthYear: 1990, searchable: false },
          ],
          ['erik', { displayName: 'Erik x1005', city: 'PARIS', birthYear: null }],
          ['fay', { displayName: 'Fay \\ Backslash', city: 'Parisville', birthYear: 1995 }],
          ['gus', { displayName: 'Gunnar Ångström', city: 'Reykjavík', birthYear: null }],
        ];
        for (const [short, patch] of rows) {
          const u = await newUser(`${p}${short}`);
          people[short] = (await store.profiles.updateProfile(u.id, patch))!;
        }
      });

      it('returns only searchable profiles, ordered by username, filtered by username prefix', async () => {
        expect(names(await search({}))).toEqual(['anna', 'bob', 'carl', 'erik', 'fay', 'gus']);
        expect(await search({ usernamePrefix: `${p}an` })).toEqual([people.anna]);
        expect(await search({ usernamePrefix: `${p}z` })).toEqual([]);
      });

      it('treats % and _ in a username prefix literally', async () => {
        const q = `x${tag()}`;
        await newUser(`${q}_one`);
        await newUser(`${q}aone`);
        expect(
          (
            await store.profiles.search({ usernamePrefix: `${q}_`, excludeUserIds: [], limit: 10 })
          ).map((x) => x.username),
        ).toEqual([`${q}_one`]);
        expect(
          await store.profiles.search({ usernamePrefix: `${q}%`, excludeUserIds: [], limit: 10 }),
        ).toEqual([]);
      });

      it('matches a display-name substring case-insensitively', async () => {
        expect(names(await search({ nameContains: 'karen' }))).toEqual(['anna']);
        expect(names(await search({ nameContains: 'KAREN' }))).toEqual(['anna']);
        expect(names(await search({ nameContains: 'a' }))).toEqual([
          'anna',
          'bob',
          'carl',
          'fay',
          'gus',
        ]);
        expect(names(await search({ nameContains: 'ÅNGSTRÖM' }))).toEqual(['gus']);
        expect(await search({ nameContains: 'nobody-has-this' })).toEqual([]);
      });

      it('treats %, _ and \\ in a display-name search literally', async () => {
        expect(names(await search({ nameContains: '%' }))).toEqual(['bob']);
        expect(names(await search({ nameContains: '100%' }))).toEqual(['bob']); // not "100 then anything" (erik's x1005)
        expect(names(await search({ nameContains: '_' }))).toEqual(['carl']);
        expect(await search({ nameContains: '1_0' })).toEqual([]); // a wildcard would match "100"
        expect(await search({ nameContains: 'a%a' })).toEqual([]);
        expect(names(await search({ nameContains: '\\' }))).toEqual(['fay']);
      });

      it('matches the city exactly, ignoring case', async () => {
        expect(names(await search({ city: 'paris' }))).toEqual(['anna', 'bob', 'erik']);
        expect(names(await search({ city: 'PaRiS' }))).toEqual(['anna', 'bob', 'erik']);
        expect(names(await search({ city: 'berlin' }))).toEqual(['carl']);
        expect(names(await search({ city: 'REYKJAVÍK' }))).toEqual(['gus']);
        expect(await search({ city: 'par' })).toEqual([]);
      });

      it('filters by birth-year range, inclusive, leaving out unknown years', async () => {
        expect(names(await search({ birthYearMin: 1986, birthYearMax: 1995 }))).toEqual([
          'anna',
          'fay',
        ]);
        expect(names(await search({ birthYearMin: 1990 }))).toEqual(['anna', 'carl', 'fay']);
        expect(names(await search({ birthYearMax: 1990 }))).toEqual(['anna', 'bob']);
        expect(await search({ birthYearMin: 2001 })).toEqual([]);
      });

      it('combines filters', async () => {
        expect(names(await search({ city: 'paris', birthYearMax: 1989 }))).toEqual(['bob']);
        expect(names(await search({ city: 'paris', nameContains: 'r' }))).toEqual([
          'anna',
          'bob',
          'erik',
        ]);
      });

      it('pages with `after` and `limit`', async () => {
        const page1 = await search({ limit: 2 });
        expect(names(page1)).toEqual(['anna', 'bob']);
        const page2 = await search({ limit: 2, after: page1.at(-1)!.username });
        expect(names(page2)).toEqual(['carl', 'erik']);
        const page3 = await search({ limit: 2, after: page2.at(-1)!.username });
        expect(names(page3)).toEqual(['fay', 'gus']);
        expect(await search({ limit: 2, after: page3.at(-1)!.username })).toEqual([]);
        expect(page3).toEqual([people.fay, people.gus]);
        // `after` works together with the other filters.
        expect(names(await search({ city: 'paris', after: `${p}anna` }))).toEqual(['bob', 'erik']);
      });

      it('leaves out excludeUserIds', async () => {
        expect(
          names(await search({ excludeUserIds: [people.anna!.userId, people.carl!.userId] })),
        ).toEqual(['bob', 'erik', 'fay', 'gus']);
        expect(
          names(await search({ excludeUserIds: [people.bob!.userId], city: 'paris' })),
        ).toEqual(['anna', 'erik']);
      });

      it('never returns a non-searchable profile, whatever the query', async () => {
        const dora = people.dora!;
        for (const q of [
          {},
          { nameContains: 'dora' },
          { city: 'paris' },
          { birthYearMin: 1990, birthYearMax: 1990 },
          { usernamePrefix: dora.username },
        ]) {
          expect((await search(q)).map((x) => x.userId)).not.toContain(dora.userId);
        }
        // It is still a profile, just not in the directory.
        expect(await store.profiles.profileByUsername(dora.username)).toEqual(dora);

        await store.profiles.updateProfile(dora.userId, { searchable: true });
        expect(names(await search({ nameContains: 'dora' }))).toEqual(['dora']);
        await store.profiles.updateProfile(dora.userId, { searchable: false });
        expect(await search({ nameContains: 'dora' })).toEqual([]);
      });
    });

    describe('migrations', () => {
      it('reopening an existing database runs migrations again harmlessly and keeps the data', async () => {
        const m = backend.make();
        try {
          const first = await openStore(openOpts(m));
          const u = userRecord(`keep${tag()}`);
          try {
            await first.accounts.createUser(u);
            await first.profiles.updateProfile(u.id, { displayName: 'Kept' });
            await first.accounts.createSession(
              sessionRecord(u.id, { tokenHash: `th-keep-${u.id}` }),
            );
          } finally {
            await first.close();
          }

          const again = await openStore(openOpts(m));
          try {
            expect(await again.accounts.userById(u.id)).toEqual(u);
            expect((await again.profiles.profile(u.id))?.displayName).toBe('Kept');
            expect((await again.accounts.sessionByTokenHash(`th-keep-${u.id}`))?.userId).toBe(u.id);
            expect(await appliedMigrations(again)).toEqual([...MIGRATION_NAMES]);
            expect(await tableCount(again, 'users', m.pgSchema)).toBe(1);
          } finally {
            await again.close();
          }
        } finally {
          await m.cleanup();
        }
      });

      it('a migration missing before the last one applied (numbers merged out of order) runs at the next start', async () => {
        const m = backend.make();
        try {
          const first = await openStore(openOpts(m));
          try {
            // 0016 as if it arrived after 0018 had run (the lead's 0017 will): Kysely
            // would refuse to start unless unordered migrations are allowed.
            await sql`delete from kysely_migration where name = '0016_occupancy_and_resources'`.execute(
              first.db,
            );
          } finally {
            await first.close();
          }
          const again = await openStore(openOpts(m));
          try {
            expect(await appliedMigrations(again)).toEqual([...MIGRATION_NAMES]);
            // And 0018 runs again harmlessly.
            await sql`delete from kysely_migration where name = '0018_scram_credentials'`.execute(
              again.db,
            );
          } finally {
            await again.close();
          }
          const third = await openStore(openOpts(m));
          try {
            expect(await appliedMigrations(third)).toEqual([...MIGRATION_NAMES]);
            expect(MIGRATION_NAMES).toContain('0018_scram_credentials');
          } finally {
            await third.close();
          }
        } finally {
          await m.cleanup();
        }
      });

      it('0014 hashes the invite codes already stored, and they still work', async () => {
        const m = backend.make();
        try {
          const first = await openStore(openOpts(m));
          const code = `plain${tag()}`;
          try {
            // The database as it was before 0014: codes kept as given.
            await sql`alter table invites rename column code_hash to code`.execute(first.db);
            await sql`delete from kysely_migration where name >= '0014_invite_code_hashes'`.execute(
              first.db,
            );
            await sql`insert into invites (code, created_by, uses_left, expires_at, created_at)
              values (${code}, null, 2, null, 1)`.execute(first.db);
          } finally {
            await first.close();
          }
          const again = await openStore(openOpts(m));
          try {
            const stored = await sql<{
              code_hash: string;
            }>`select code_hash from invites`.execute(again.db);
            expect(stored.rows.map((r) => r.code_hash)).toEqual([hashToken(code)]);
            const u = userRecord(`inv${tag()}`);
            await again.accounts.createUser(u, { inviteCodeHash: hashToken(code) });
            expect((await again.accounts.invite(hashToken(code)))?.usesLeft).toBe(1);
          } finally {
            await again.close();
          }
        } finally {
          await m.cleanup();
        }
      });

      if (backend.name === 'postgres') {
        it('two stores opening the same fresh schema at once both succeed and migrate it once', async () => {
          const m = backend.make();
          try {
            const results = await Promise.allSettled([
              openStore(openOpts(m)),
              openStore(openOpts(m)),
            ]);
            const opened = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
            try {
              expect(
                results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')),
              ).toEqual(['ok', 'ok']);
              const [a, b] = opened as [
                Awaited<ReturnType<typeof openStore>>,
                Awaited<ReturnType<typeof openStore>>,
              ];
              for (const t of [
                'users',
                'profiles',
                'sessions',
                'invites',
                'contacts',
                'blocks',
                'kysely_migration',
              ])
                expect(await tableCount(a, t, m.pgSchema)).toBe(1);
              expect(await appliedMigrations(a)).toEqual([...MIGRATION_NAMES]);
              // Both work on the same tables.
              const u = userRecord(`both${tag()}`);
              await a.accounts.createUser(u);
              expect(await b.accounts.userById(u.id)).toEqual(u);
              await expect(b.check()).resolves.toBeUndefined();
            } finally {
              for (const s of opened) await s.close();
            }
          } finally {
            await m.cleanup();
          }
        });

        it('a fresh schema migrates even when another schema of the database already has the migration tables', async () => {
          // The suite's own store (another schema) is migrated and open right now.
          const m = backend.make();
          try {
            const s = await openStore(openOpts(m));
            try {
              expect(await tableCount(s, 'kysely_migration', m.pgSchema)).toBe(1);
              expect(await tableCount(s, 'users', m.pgSchema)).toBe(1);
            } finally {
              await s.close();
            }
          } finally {
            await m.cleanup();
          }
        });
      }
    });
  });
}
