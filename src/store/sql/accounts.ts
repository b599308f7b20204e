import { type Kysely, type Selectable, sql } from 'kysely';
import type {
  AccountStore,
  InviteRecord,
  SessionRecord,
  UserRecord,
} from '../../core/accounts/store.js';
import type { ScramCredential, ScramMechanism } from '../../core/accounts/sasl/scram.js';
import { ParleyError } from '../../core/errors.js';
import { compiled } from './compiled.js';
import { createSqlFastTokenStore } from './fast-tokens.js';
import { isUniqueViolation } from './errors.js';
import type {
  Database,
  InvitesTable,
  ScramCredentialsTable,
  SessionsTable,
  UsersTable,
} from './tables.js';

const toUser = (r: Selectable<UsersTable>): UserRecord => ({
  id: r.id,
  username: r.username,
  passwordHash: r.password_hash,
  createdAt: Number(r.created_at),
  disabled: Number(r.disabled) === 1,
  ...(Number(r.guest) === 1 ? { guest: true } : {}),
});

const toSession = (r: Selectable<SessionsTable>): SessionRecord => ({
  id: r.id,
  userId: r.user_id,
  tokenHash: r.token_hash,
  device: r.device,
  createdAt: Number(r.created_at),
  lastSeenAt: Number(r.last_seen_at),
  lastAddress: r.last_address,
});

const toInvite = (r: Selectable<InvitesTable>): InviteRecord => ({
  codeHash: r.code_hash,
  createdBy: r.created_by,
  usesLeft: Number(r.uses_left),
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  createdAt: Number(r.created_at),
});

const toScram = (r: Selectable<ScramCredentialsTable>): ScramCredential => ({
  mechanism: r.mechanism as ScramMechanism,
  salt: Buffer.from(r.salt, 'base64'),
  iterations: Number(r.iterations),
  storedKey: Buffer.from(r.stored_key, 'base64'),
  serverKey: Buffer.from(r.server_key, 'base64'),
});

const scramRows = (userId: string, list: readonly ScramCredential[]) =>
  list.map((c) => ({
    user_id: userId,
    mechanism: c.mechanism,
    salt: c.salt.toString('base64'),
    iterations: c.iterations,
    stored_key: c.storedKey.toString('base64'),
    server_key: c.serverKey.toString('base64'),
  }));

/** Revocation records are kept this long; nodes look back far less (core/accounts/revocation.ts). */
const KEEP_REVOCATIONS_MS = 3_600_000;

export function createSqlAccountStore(
  db: Kysely<Database>,
  kind: 'sqlite' | 'postgres',
): AccountStore {
  const fast = createSqlFastTokenStore(db);
  // One clock for the CLI and every node, wherever they run.
  const dbNow =
    kind === 'postgres'
      ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
      : sql<number>`cast((julianday('now') - 2440587.5) * 86400000 as integer)`;
  // Looked up on every message and presence change: built once (see compiled.ts).
  const byId = compiled((p: { id: string }) =>
    db.selectFrom('users').selectAll().where('id', '=', p.id),
  );
  const byName = compiled((p: { username: string }) =>
    db.selectFrom('users').selectAll().where('username', '=', p.username),
  );
  return {
    ...fast,
    async createGuest(user, expiresAt) {
      await this.createUser(user, { guestExpiresAt: expiresAt });
    },

    async touchGuest(userId, expiresAt) {
      await db
        .updateTable('guests')
        .set({ expires_at: expiresAt })
        .where('user_id', '=', userId)
        .execute();
    },

    async expiredGuests(now, limit) {
      const rows = await db
        .selectFrom('guests')
        .select('user_id')
        .where('expires_at', '<', now)
        .limit(limit)
        .execute();
      return rows.map((r) => r.user_id);
    },

    async createUser(user, opts = {}) {
      const now = opts.now ?? Date.now();
      try {
        await db.transaction().execute(async (tx) => {
          if (opts.inviteCodeHash !== undefined) {
            const res = await tx
              .updateTable('invites')
              .set((eb) => ({ uses_left: eb('uses_left', '-', 1) }))
              .where('code_hash', '=', opts.inviteCodeHash)
              .where('uses_left', '>', 0)
              .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
              .executeTakeFirst();
            if (Number(res.numUpdatedRows) !== 1)
              throw new ParleyError(
                'invalid-invite',
                'the invite code is unknown, used up or expired',
                { field: 'invite' },
              );
          }
          await tx
            .insertInto('users')
            .values({
              id: user.id,
              username: user.username,
              password_hash: user.passwordHash,
              created_at: user.createdAt,
              disabled: user.disabled ? 1 : 0,
              guest: opts.guestExpiresAt === undefined ? 0 : 1,
            })
            .execute();
          if (opts.scram?.length)
            await tx
              .insertInto('scram_credentials')
              .values(scramRows(user.id, opts.scram))
              .execute();
          await tx
            .insertInto('profiles')
            .values({
              user_id: user.id,
              display_name: '',
              display_name_lower: '',
              birth_year: null,
              city: '',
              city_lower: '',
              country: '',
              about: '',
              // A guest is not in the people directory.
              searchable: opts.guestExpiresAt === undefined ? 1 : 0,
            })
            .execute();
          if (opts.guestExpiresAt !== undefined)
            await tx
              .insertInto('guests')
              .values({ user_id: user.id, expires_at: opts.guestExpiresAt })
              .execute();
        });
      } catch (err) {
        if (isUniqueViolation(err))
          throw new ParleyError('conflict', `the username "${user.username}" is taken`, {
            field: 'username',
          });
        throw err;
      }
    },

    async userById(id) {
      const [r] = await byId(db, { id });
      return r && toUser(r);
    },

    async usernames(ids) {
      const out = new Map<string, string>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .selectFrom('users')
          .select(['id', 'username'])
          .where('id', 'in', ids.slice(i, i + 500))
          .execute();
        for (const r of rows) out.set(r.id, r.username);
      }
      return out;
    },

    async userByUsername(username) {
      const [r] = await byName(db, { username });
      return r && toUser(r);
    },

    async listUsers({ after, limit }) {
      let q = db.selectFrom('users').selectAll().orderBy('username').limit(limit);
      if (after !== undefined) q = q.where('username', '>', after);
      return (await q.execute()).map(toUser);
    },

    async setPasswordHash(userId, hash, scram = []) {
      await db.transaction().execute(async (tx) => {
        // The user's row first: upgradeScramCredentials waits for it (or this waits for that).
        await tx
          .updateTable('users')
          .set({ password_hash: hash })
          .where('id', '=', userId)
          .execute();
        await tx.deleteFrom('scram_credentials').where('user_id', '=', userId).execute();
        if (scram.length)
          await tx.insertInto('scram_credentials').values(scramRows(userId, scram)).execute();
      });
    },

    async scramCredentials(userId) {
      const rows = await db
        .selectFrom('scram_credentials')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('mechanism')
        .execute();
      return rows.map(toScram);
    },

    async upgradeScramCredentials(userId, passwordHash, scram) {
      return db.transaction().execute(async (tx) => {
        // Locks the user's row (PostgreSQL; SQLite has one writer) while the hash is
        // the one the credentials were made from: a password change committed before
        // this makes it match nothing, one started after waits for this commit.
        const r = await tx
          .updateTable('users')
          .set({ password_hash: passwordHash })
          .where('id', '=', userId)
          .where('password_hash', '=', passwordHash)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
        await tx.deleteFrom('scram_credentials').where('user_id', '=', userId).execute();
        if (scram.length)
          await tx.insertInto('scram_credentials').values(scramRows(userId, scram)).execute();
        return true;
      });
    },

    async serverSecret(name, fresh) {
      await db
        .insertInto('server_secrets')
        .values({ name, value: fresh })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const r = await db
        .selectFrom('server_secrets')
        .select('value')
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      return r.value;
    },

    async setDisabled(userId, disabled) {
      await db
        .updateTable('users')
        .set({ disabled: disabled ? 1 : 0 })
        .where('id', '=', userId)
        .execute();
    },

    async deleteUser(userId) {
      return db.transaction().execute(async (tx) => {
        // The user's log lock, as every writer of user_log and conversations takes it
        // (DEVELOPING.md invariant 13): a send still running waits or is waited for,
        // instead of deadlocking against these deletes.
        if (kind === 'postgres')
          await sql`select pg_advisory_xact_lock(hashtextextended(${'user:' + userId}, 0))`.execute(
            tx,
          );
        // Explicit deletes, not only ON DELETE CASCADE: SQLite enforces it only with
        // foreign_keys on, and personal data must go whatever the pragma says.
        await tx.deleteFrom('fast_tokens').where('user_id', '=', userId).execute();
        await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
        await tx.deleteFrom('scram_credentials').where('user_id', '=', userId).execute();
        await tx.deleteFrom('profiles').where('user_id', '=', userId).execute();
        await tx
          .deleteFrom('contacts')
          .where((eb) => eb.or([eb('owner_id', '=', userId), eb('contact_id', '=', userId)]))
          .execute();
        await tx.deleteFrom('presence').where('user_id', '=', userId).execute();
        // Their own log and reactions go; messages stay in the other person's history.
        await tx.deleteFrom('user_log').where('user_id', '=', userId).execute();
        await tx.deleteFrom('markers').where('user_id', '=', userId).execute();
        await tx
          .deleteFrom('conversations')
          .where((eb) => eb.or([eb('user_id', '=', userId), eb('other_id', '=', userId)]))
          .execute();
        await tx.deleteFrom('filters').where('user_id', '=', userId).execute();
        await tx.deleteFrom('avatars').where('user_id', '=', userId).execute();
        await tx.deleteFrom('reactions').where('user_id', '=', userId).execute();
        await tx.deleteFrom('user_presence').where('user_id', '=', userId).execute();
        await tx
          .deleteFrom('blocks')
          .where((eb) => eb.or([eb('owner_id', '=', userId), eb('blocked_id', '=', userId)]))
          .execute();
        await tx
          .updateTable('invites')
          .set({ created_by: null })
          .where('created_by', '=', userId)
          .execute();
        const r = await tx.deleteFrom('users').where('id', '=', userId).executeTakeFirst();
        return Number(r.numDeletedRows) === 1;
      });
    },

    async createSession(s) {
      await db
        .insertInto('sessions')
        .values({
          id: s.id,
          user_id: s.userId,
          token_hash: s.tokenHash,
          device: s.device,
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          last_address: s.lastAddress,
        })
        .execute();
    },

    async sessionByTokenHash(tokenHash) {
      const r = await db
        .selectFrom('sessions')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return r && toSession(r);
    },

    async sessionsOf(userId) {
      const rows = await db
        .selectFrom('sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .execute();
      return rows.map(toSession);
    },

    async touchSession(sessionId, at, address) {
      await db
        .updateTable('sessions')
        .set({ last_seen_at: at, last_address: address })
        .where('id', '=', sessionId)
        .execute();
    },

    async deleteSession(userId, sessionId) {
      return db.transaction().execute(async (tx) => {
        // A device's FAST tokens go with it (explicitly: SQLite's cascade needs the pragma).
        await tx
          .deleteFrom('fast_tokens')
          .where('session_id', '=', sessionId)
          .where('user_id', '=', userId)
          .execute();
        const r = await tx
          .deleteFrom('sessions')
          .where('id', '=', sessionId)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        return Number(r.numDeletedRows) === 1;
      });
    },

    async deleteSessionsExcept(userId, keep) {
      return db.transaction().execute(async (tx) => {
        let q = tx.selectFrom('sessions').select('id').where('user_id', '=', userId);
        if (keep !== null) q = q.where('id', '!=', keep);
        const ids = (await q.execute()).map((r) => r.id);
        if (ids.length) {
          await tx.deleteFrom('fast_tokens').where('session_id', 'in', ids).execute();
          await tx.deleteFrom('sessions').where('id', 'in', ids).execute();
        }
        return ids;
      });
    },

    async noteRevocation(r) {
      await db
        .insertInto('session_revocations')
        .values({
          id: r.id,
          user_id: r.userId,
          session_ids: JSON.stringify(r.sessionIds),
          at: dbNow,
        })
        .execute();
      await db
        .deleteFrom('session_revocations')
        .where('at', '<', sql<number>`${dbNow} - ${KEEP_REVOCATIONS_MS}`)
        .execute();
    },

    async recentRevocations(withinMs, limit) {
      const rows = await db
        .selectFrom('session_revocations')
        .select(['id', 'user_id', 'session_ids'])
        .where('at', '>', sql<number>`${dbNow} - ${withinMs}`)
        .orderBy('at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        userId: r.user_id,
        sessionIds: JSON.parse(r.session_ids) as string[],
      }));
    },

    async createInvite(i: InviteRecord) {
      await db
        .insertInto('invites')
        .values({
          code_hash: i.codeHash,
          created_by: i.createdBy,
          uses_left: i.usesLeft,
          expires_at: i.expiresAt,
          created_at: i.createdAt,
        })
        .execute();
    },

    async invite(codeHash) {
      const r = await db
        .selectFrom('invites')
        .selectAll()
        .where('code_hash', '=', codeHash)
        .executeTakeFirst();
      return r && toInvite(r);
    },

    async listInvites(limit) {
      const rows = await db
        .selectFrom('invites')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('code_hash')
        .limit(limit)
        .execute();
      return rows.map(toInvite);
    },
  };
}
