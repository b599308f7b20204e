import type { Kysely } from 'kysely';
import type {
  Choice,
  NodePresence,
  PresenceStore,
  SessionPresence,
  Show,
} from '../../core/presence/store.js';
import type { Database } from './tables.js';

export function createSqlPresenceStore(db: Kysely<Database>): PresenceStore {
  return {
    async heartbeat(nodeId, at) {
      const r = await db
        .updateTable('nodes')
        .set({ heartbeat_at: at })
        .where('id', '=', nodeId)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) return true;
      await db
        .insertInto('nodes')
        .values({ id: nodeId, heartbeat_at: at })
        .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: at }))
        .execute();
      return false;
    },

    async removeNode(nodeId) {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('presence').where('node_id', '=', nodeId).execute();
        await tx.deleteFrom('nodes').where('id', '=', nodeId).execute();
      });
    },

    async setNodePresence(userId, nodeId, p) {
      if (p === null) {
        await db
          .deleteFrom('presence')
          .where('user_id', '=', userId)
          .where('node_id', '=', nodeId)
          .execute();
        return;
      }
      const row = {
        user_id: userId,
        node_id: nodeId,
        show: p.show,
        status: p.status,
        since: p.since,
        resources: JSON.stringify(p.resources),
      };
      await db
        .insertInto('presence')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['user_id', 'node_id']).doUpdateSet({
            show: p.show,
            status: p.status,
            since: p.since,
            resources: row.resources,
          }),
        )
        .execute();
    },

    async presenceOf(userIds, aliveSince) {
      if (userIds.length === 0) return [];
      const out: NodePresence[] = [];
      // Chunked so a large contact list stays under every engine's parameter limit.
      for (let i = 0; i < userIds.length; i += 500) {
        const rows = await db
          .selectFrom('presence')
          .innerJoin('nodes', 'nodes.id', 'presence.node_id')
          .select([
            'presence.user_id',
            'presence.node_id',
            'presence.show',
            'presence.status',
            'presence.since',
          ])
          .where('presence.user_id', 'in', userIds.slice(i, i + 500))
          .where('nodes.heartbeat_at', '>=', aliveSince)
          .execute();
        for (const r of rows)
          out.push({
            userId: r.user_id,
            nodeId: r.node_id,
            show: r.show as Show,
            status: r.status,
            since: Number(r.since),
          });
      }
      return out;
    },

    async resourcesOf(userId, aliveSince) {
      const rows = await db
        .selectFrom('presence')
        .innerJoin('nodes', 'nodes.id', 'presence.node_id')
        .select('presence.resources')
        .where('presence.user_id', '=', userId)
        .where('nodes.heartbeat_at', '>=', aliveSince)
        .orderBy('presence.node_id')
        .execute();
      return rows.flatMap((r) => JSON.parse(r.resources) as SessionPresence[]);
    },

    async sweepDeadNodes(aliveSince) {
      return db.transaction().execute(async (tx) => {
        const dead = (
          await tx.selectFrom('nodes').select('id').where('heartbeat_at', '<', aliveSince).execute()
        ).map((r) => r.id);
        // Rows of a node that never wrote a heartbeat (or was removed) are dead too.
        const orphans = await tx
          .selectFrom('presence')
          .leftJoin('nodes', 'nodes.id', 'presence.node_id')
          .select(['presence.user_id', 'presence.node_id'])
          .where((eb) =>
            eb.or([
              eb('nodes.id', 'is', null),
              ...(dead.length ? [eb('presence.node_id', 'in', dead)] : []),
            ]),
          )
          .execute();
        const nodes = [...new Set(orphans.map((r) => r.node_id))];
        if (nodes.length) await tx.deleteFrom('presence').where('node_id', 'in', nodes).execute();
        if (dead.length) await tx.deleteFrom('nodes').where('id', 'in', dead).execute();
        return [...new Set(orphans.map((r) => r.user_id))];
      });
    },

    async watchersOf(userId) {
      const rows = await db
        .selectFrom('contacts')
        .select('contacts.owner_id')
        .where('contacts.contact_id', '=', userId)
        .where('contacts.sub_to', '=', 1)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('blocks')
                .select('blocks.owner_id')
                .where('blocks.owner_id', '=', userId)
                .whereRef('blocks.blocked_id', '=', 'contacts.owner_id'),
            ),
          ),
        )
        .execute();
      return rows.map((r) => r.owner_id);
    },

    async watchedBy(userId) {
      const rows = await db
        .selectFrom('contacts')
        .innerJoin('users', 'users.id', 'contacts.contact_id')
        .select(['contacts.contact_id', 'users.username'])
        .where('contacts.owner_id', '=', userId)
        .where('contacts.sub_to', '=', 1)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('blocks')
                .select('blocks.owner_id')
                .whereRef('blocks.owner_id', '=', 'contacts.contact_id')
                .where('blocks.blocked_id', '=', userId),
            ),
          ),
        )
        .orderBy('users.username')
        .execute();
      return rows.map((r) => ({ userId: r.contact_id, username: r.username }));
    },

    async setLastSeen(userId, at) {
      await db
        .insertInto('user_presence')
        .values({ user_id: userId, last_seen_at: at, show_last_seen: 1, send_receipts: 1 })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ last_seen_at: at }))
        .execute();
    },

    async choicesOf(userIds) {
      const out = new Map<string, Choice>();
      for (let i = 0; i < userIds.length; i += 500) {
        const rows = await db
          .selectFrom('user_presence')
          .select(['user_id', 'chosen_show', 'chosen_status', 'chosen_at'])
          .where('user_id', 'in', userIds.slice(i, i + 500))
          .where('chosen_at', '>', 0)
          .execute();
        for (const r of rows)
          out.set(r.user_id, {
            show: r.chosen_show as Choice['show'],
            status: r.chosen_status,
            at: Number(r.chosen_at),
          });
      }
      return out;
    },

    async setChoice(userId, c) {
      const chosen = { chosen_show: c.show, chosen_status: c.status, chosen_at: c.at };
      await db
        .insertInto('user_presence')
        .values({
          user_id: userId,
          last_seen_at: null,
          show_last_seen: 1,
          send_receipts: 1,
          ...chosen,
        })
        .onConflict((oc) => oc.column('user_id').doUpdateSet(chosen))
        .execute();
    },

    async showLastSeen(userId) {
      const r = await db
        .selectFrom('user_presence')
        .select('show_last_seen')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return r === undefined || Number(r.show_last_seen) === 1;
    },

    async setShowLastSeen(userId, show) {
      await db
        .insertInto('user_presence')
        .values({
          user_id: userId,
          last_seen_at: null,
          show_last_seen: show ? 1 : 0,
          send_receipts: 1,
        })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ show_last_seen: show ? 1 : 0 }))
        .execute();
    },

    async lastSeen(userIds) {
      const out = new Map<string, number>();
      for (let i = 0; i < userIds.length; i += 500) {
        const rows = await db
          .selectFrom('user_presence')
          .select(['user_id', 'last_seen_at'])
          .where('user_id', 'in', userIds.slice(i, i + 500))
          .where('show_last_seen', '=', 1)
          .where('last_seen_at', 'is not', null)
          .execute();
        for (const r of rows) out.set(r.user_id, Number(r.last_seen_at));
      }
      return out;
    },
  };
}
