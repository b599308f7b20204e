import type { Kysely } from 'kysely';
import type { OccupancyStore, OccupantRow } from '../../core/occupancy/store.js';
import type { Database } from './tables.js';

export function createSqlOccupancyStore(db: Kysely<Database>): OccupancyStore {
  const toRow = (r: {
    room_id: string;
    user_id: string;
    node_id: string;
    connection_id: string;
    resource: string;
    since: number | string;
  }): OccupantRow => ({
    roomId: r.room_id,
    userId: r.user_id,
    nodeId: r.node_id,
    connectionId: r.connection_id,
    resource: r.resource,
    since: Number(r.since),
  });

  return {
    async enter(o) {
      await db
        .insertInto('room_occupants')
        .values({
          room_id: o.roomId,
          node_id: o.nodeId,
          connection_id: o.connectionId,
          user_id: o.userId,
          resource: o.resource,
          since: o.since,
        })
        .onConflict((oc) =>
          oc.columns(['room_id', 'node_id', 'connection_id']).doUpdateSet({ resource: o.resource }),
        )
        .execute();
    },

    async leave(roomId, nodeId, connectionId) {
      const r = await db
        .deleteFrom('room_occupants')
        .where('room_id', '=', roomId)
        .where('node_id', '=', nodeId)
        .where('connection_id', '=', connectionId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async leaveAll(nodeId, connectionId) {
      const rows = await db
        .deleteFrom('room_occupants')
        .where('node_id', '=', nodeId)
        .where('connection_id', '=', connectionId)
        .returning('room_id')
        .execute();
      return rows.map((r) => r.room_id);
    },

    async occupants(roomId, aliveSince) {
      const rows = await db
        .selectFrom('room_occupants as o')
        .innerJoin('nodes', 'nodes.id', 'o.node_id')
        .select(['o.room_id', 'o.user_id', 'o.node_id', 'o.connection_id', 'o.resource', 'o.since'])
        .where('o.room_id', '=', roomId)
        .where('nodes.heartbeat_at', '>=', aliveSince)
        .orderBy('o.since')
        .orderBy('o.connection_id')
        .execute();
      return rows.map(toRow);
    },

    async sessionsIn(roomId, userId, aliveSince) {
      const r = await db
        .selectFrom('room_occupants as o')
        .innerJoin('nodes', 'nodes.id', 'o.node_id')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('o.room_id', '=', roomId)
        .where('o.user_id', '=', userId)
        .where('nodes.heartbeat_at', '>=', aliveSince)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async sweep(aliveSince) {
      // One delete that returns what it took: two nodes sweeping at once never both report a row.
      const rows = await db
        .deleteFrom('room_occupants')
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('nodes')
                .select('nodes.id')
                .whereRef('nodes.id', '=', 'room_occupants.node_id')
                .where('nodes.heartbeat_at', '>=', aliveSince),
            ),
          ),
        )
        .returning(['room_id', 'user_id'])
        .execute();
      const seen = new Set<string>();
      const out: { roomId: string; userId: string }[] = [];
      for (const r of rows) {
        const k = `${r.room_id} ${r.user_id}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ roomId: r.room_id, userId: r.user_id });
      }
      return out;
    },

    async removeNode(nodeId) {
      await db.deleteFrom('room_occupants').where('node_id', '=', nodeId).execute();
    },
  };
}
