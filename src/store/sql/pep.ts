import { type Kysely, sql } from 'kysely';
import type { PepAccess, PepNode, PepStore } from '../../core/pep/store.js';
import type { Database, PepNodesTable } from './tables.js';

const toNode = (r: PepNodesTable): PepNode => ({
  userId: r.user_id,
  node: r.node,
  access: r.access as PepAccess,
  itemId: r.item_id,
  payload: r.payload,
  updatedAt: Number(r.updated_at),
});

const COLUMNS = ['user_id', 'node', 'access', 'item_id', 'payload', 'updated_at'] as const;

export function createSqlPepStore(db: Kysely<Database>): PepStore {
  return {
    async node(userId, node) {
      const r = await db
        .selectFrom('pep_nodes')
        .select(COLUMNS)
        .where('user_id', '=', userId)
        .where('node', '=', node)
        .executeTakeFirst();
      return r ? toNode(r) : undefined;
    },
    async nodes(userId, limit) {
      const rows = await db
        .selectFrom('pep_nodes')
        .select(COLUMNS)
        .where('user_id', '=', userId)
        .orderBy('node')
        .limit(limit)
        .execute();
      return rows.map(toNode);
    },
    async put(n, maxNodes) {
      // One statement: a new node is written only while the account has fewer than maxNodes.
      const r = await sql`
        insert into pep_nodes (user_id, node, access, item_id, payload, updated_at)
        select ${n.userId}, ${n.node}, ${n.access}, ${n.itemId}, ${n.payload}, ${n.updatedAt}
        where exists (select 1 from pep_nodes where user_id = ${n.userId} and node = ${n.node})
           or (select count(*) from pep_nodes where user_id = ${n.userId}) < ${maxNodes}
        on conflict (user_id, node) do update set access = excluded.access,
          item_id = excluded.item_id, payload = excluded.payload, updated_at = excluded.updated_at`.execute(
        db,
      );
      return Number(r.numAffectedRows ?? 0) > 0;
    },
    async remove(userId, node) {
      const r = await db
        .deleteFrom('pep_nodes')
        .where('user_id', '=', userId)
        .where('node', '=', node)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
