import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import { describeOn, everyStoreBackend, NATS_URL, needs } from '../helpers/backends.js';
import { runCli } from '../helpers/cli.js';
import { startNode, uname } from '../helpers/server.js';

/**
 * Operator commands run in another process than the server (here: another
 * Parley instance on the same database) and reach open connections within
 * about a second, with or without a shared bus (docs/operations.md).
 */
// Every setup, those this run cannot reach skipped and counted (describeOn).
const setups = everyStoreBackend().flatMap((backend) => [
  { backend, bus: 'local' as const, skip: backend.skip },
  ...(backend.name === 'postgres'
    ? [{ backend, bus: 'nats' as const, skip: needs(true, true) }]
    : []),
]);

/** Sends messages one after another until the connection ends; returns every refusal's condition. */
async function sendUntilClosed(conn: ParleyConnection, to: string): Promise<string[]> {
  const refusals: string[] = [];
  const closed = conn.closed.then(() => 'closed' as const);
  for (;;) {
    // A request written as the socket closes gets no reply: stop at the close.
    const sent = conn.request('messages.send', { to, clientId: newId(), text: 'still here' }).then(
      () => 'ok' as const,
      (err: { condition: string }) => refusals.push(err.condition),
    );
    if ((await Promise.race([sent, closed])) === 'closed') return refusals;
  }
}

for (const { backend, bus, skip } of setups) {
  describeOn({ skip })(
    `operator commands reach open connections (${backend.name}, ${bus} bus)`,
    () => {
      // Made in beforeAll, not here: a skipped suite's body still runs to list its tests.
      let db: ReturnType<typeof backend.make>;
      const prefix = `t${newId().slice(-10)}`;
      const env: NodeJS.ProcessEnv = {
        PARLEY_LOG_LEVEL: 'silent',
        ...(bus === 'nats' ? { PARLEY_BUS_URL: NATS_URL, PARLEY_BUS_SUBJECT_PREFIX: prefix } : {}),
      };
      let node: Awaited<ReturnType<typeof startNode>>;
      let friend: string;

      beforeAll(async () => {
        db = backend.make();
        env.PARLEY_DATA_DIR = db.dataDir;
        env.PARLEY_DATABASE_URL = db.url;
        if (db.pgSchema) env.PARLEY_DATABASE_SCHEMA = db.pgSchema;
        node = await startNode({
          db,
          ...(bus === 'nats' ? { busUrl: NATS_URL } : {}),
          config: {
            // The connection must be closed by the news, not by this recheck.
            // A busy socket keeps sending while the CLI starts (seconds on a loaded
            // machine): the frame rate limit must not be what ends it (4008).
            native: {
              session_recheck_seconds: 3600,
              frames_per_second: 100_000,
              frame_burst: 100_000,
            },
            messages: { per_second: 100_000, burst: 100_000 },
            bus: { subject_prefix: prefix },
          },
        });
        friend = uname('friend');
        await node.client().register(friend, 'password123');
      });
      afterAll(async () => {
        await node?.stop();
        await db?.cleanup();
      });

      for (const [command, busy] of [
        ['disable', true],
        ['delete', true],
        ['delete', false],
      ] as const) {
        it(`user ${command}: the open ${busy ? 'busy' : 'idle'} WebSocket closes with 4002, nothing fails with 500, the token is refused`, async () => {
          const name = uname(command.slice(0, 3));
          const c = node.client();
          await c.register(name, 'password123');
          const conn = await c.connect();
          const revoked = conn.next('session.revoked');
          revoked.catch(() => {}); // awaited below only where it must come
          const sending = busy ? sendUntilClosed(conn, friend) : Promise.resolve([]);

          const argv = ['user', command, name, ...(command === 'delete' ? ['--yes'] : [])];
          expect((await runCli(argv, { env })).code).toBe(0);

          expect((await conn.closed).code).toBe(4002);
          // After a deletion a send may fail first and end the connection before the
          // news arrives; a 4002 close may come without the event (docs/protocol.md).
          if (command === 'disable' || !busy) expect((await revoked).sessionIds).toHaveLength(1);
          const refusals = await sending;
          expect(refusals.filter((r) => r !== 'not-authenticated' && r !== 'unavailable')).toEqual(
            [],
          );
          await expect(c.me()).rejects.toMatchObject({
            condition: 'not-authenticated',
            status: 401,
          });
        });
      }
    },
  );
}
