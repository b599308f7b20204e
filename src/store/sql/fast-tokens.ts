import type { Kysely, Selectable } from 'kysely';
import type { SessionRecord } from '../../core/accounts/store.js';
import type { FastTokenRecord, FastTokenStore } from '../../core/accounts/tokens.js';
import type { Database, FastTokensTable, SessionsTable } from './tables.js';

/** XEP-0484 FAST tokens (core/accounts/tokens.ts), on both databases. */

const toToken = (r: Selectable<FastTokensTable>): FastTokenRecord => ({
  id: r.id,
  sessionId: r.session_id,
  userId: r.user_id,
  clientHash: r.client_hash,
  mechanism: r.mechanism,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  usedAt: r.used_at === null ? null : Number(r.used_at),
  count: Number(r.count),
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

export function createSqlFastTokenStore(db: Kysely<Database>): FastTokenStore {
  return {
    async fastTokens(userId, clientHash) {
      const rows = await db
        .selectFrom('fast_tokens as t')
        .innerJoin('sessions as s', 's.id', 't.session_id')
        .select([
          't.id',
          't.session_id',
          't.user_id',
          't.client_hash',
          't.mechanism',
          't.created_at',
          't.expires_at',
          't.used_at',
          't.count',
          's.token_hash',
          's.device',
          's.created_at as s_created_at',
          's.last_seen_at',
          's.last_address',
        ])
        .where('t.user_id', '=', userId)
        .where('t.client_hash', '=', clientHash)
        .where('s.user_id', '=', userId)
        .orderBy('t.created_at', 'desc')
        .orderBy('t.id', 'desc')
        // Rotation keeps at most two per device; more devices per client are not made.
        .limit(10)
        .execute();
      return rows.map((r) => ({
        token: toToken(r),
        session: toSession({
          id: r.session_id,
          user_id: r.user_id,
          token_hash: r.token_hash,
          device: r.device,
          created_at: r.s_created_at,
          last_seen_at: r.last_seen_at,
          last_address: r.last_address,
        }),
      }));
    },

    async addFastToken(t, newSession) {
      await db.transaction().execute(async (tx) => {
        if (newSession)
          await tx
            .insertInto('sessions')
            .values({
              id: newSession.id,
              user_id: newSession.userId,
              token_hash: newSession.tokenHash,
              device: newSession.device,
              created_at: newSession.createdAt,
              last_seen_at: newSession.lastSeenAt,
              last_address: newSession.lastAddress,
            })
            .execute();
        await tx
          .deleteFrom('fast_tokens')
          .where('session_id', '=', t.sessionId)
          .where('used_at', 'is', null)
          .execute();
        await tx
          .insertInto('fast_tokens')
          .values({
            id: t.id,
            session_id: t.sessionId,
            user_id: t.userId,
            client_hash: t.clientHash,
            mechanism: t.mechanism,
            created_at: t.createdAt,
            expires_at: t.expiresAt,
            used_at: t.usedAt,
            count: t.count,
          })
          .execute();
      });
    },

    async useFastToken(id, count, at) {
      return db.transaction().execute(async (tx) => {
        let q = tx
          .updateTable('fast_tokens')
          .set(count === undefined ? { used_at: at } : { used_at: at, count })
          .where('id', '=', id);
        // The check and the write in one statement: two uses of one count cannot both pass.
        if (count !== undefined) q = q.where('count', '<', count);
        const r = await q.executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
        const row = await tx
          .selectFrom('fast_tokens')
          .select(['session_id', 'created_at'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        // XEP-0484: using a token voids those issued to the client before it.
        await tx
          .deleteFrom('fast_tokens')
          .where('session_id', '=', row.session_id)
          .where('id', '!=', id)
          .where('created_at', '<=', row.created_at)
          .execute();
        return true;
      });
    },

    async deleteFastToken(id) {
      return db.transaction().execute(async (tx) => {
        const row = await tx
          .selectFrom('fast_tokens')
          .select('session_id')
          .where('id', '=', id)
          .executeTakeFirst();
        if (!row) return 0;
        await tx.deleteFrom('fast_tokens').where('id', '=', id).execute();
        const left = await tx
          .selectFrom('fast_tokens')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('session_id', '=', row.session_id)
          .executeTakeFirstOrThrow();
        return Number(left.n);
      });
    },
  };
}
