import { afterAll, expect, it } from 'vitest';
import { ParleyClient } from '../../src/sdk/client.js';
import { nodeWebSocket } from '../../src/sdk/node.js';
import type { RoomMessage, RoomMessageResult } from '../../src/sdk/room-types.js';
import { describeOn, everyStoreBackend, tempDir } from '../helpers/backends.js';
import { type ServeProcess, spawnServe } from '../helpers/presence.js';
import { uname } from '../helpers/server.js';

/**
 * Acknowledged means durable, for rooms: `parley serve` runs as a child
 * process, a member fires a batch of room sends over a WebSocket and REST at
 * once, and the process is SIGKILLed the moment a send in the middle of the
 * batch is acknowledged (others still in flight). After a restart on the same
 * database every acknowledged message is in the room's history and timeline
 * with the id and roomSeq it was acknowledged with, the timeline is gapless,
 * nothing is there twice, and resending a client id answers with the stored
 * message.
 */

const PASSWORD = 'correct horse battery';
const N = 40;
const KILL_AT = 20;

const client = (url: string, token?: string) =>
  new ParleyClient({ baseUrl: url, webSocket: nodeWebSocket, ...(token ? { token } : {}) });

for (const backend of everyStoreBackend()) {
  describeOn(backend)(
    `a room send acknowledged just before SIGKILL survives it (${backend.name})`,
    () => {
      const db = backend.make();
      const data = tempDir();
      let run: ServeProcess | undefined;
      afterAll(async () => {
        await run?.crash();
        await db.cleanup();
        data.cleanup();
      });

      const env: Record<string, string> = {
        PARLEY_DATABASE_URL: db.url,
        ...(db.pgSchema ? { PARLEY_DATABASE_SCHEMA: db.pgSchema } : {}),
        PARLEY_DATA_DIR: db.pgSchema ? data.dir : db.dataDir,
        PARLEY_SERVER_NODE_ID: 'killed',
        PARLEY_MESSAGES_PER_SECOND: '100000',
        PARLEY_MESSAGES_BURST: '100000',
        PARLEY_LIMITS_REQUESTS_PER_MINUTE_PER_ADDRESS: '1000000',
        PARLEY_NATIVE_FRAMES_PER_SECOND: '100000',
        PARLEY_NATIVE_FRAME_BURST: '100000',
      };

      it('every acknowledged room message is in history and rooms.events after the restart', async () => {
        run = await spawnServe(env);
        const owner = await client(run.url).register(uname('ko'), PASSWORD);
        const talker = await client(run.url).register(uname('kt'), PASSWORD);
        const room = `killed${process.pid % 1000}`;
        await client(run.url, owner.token).rooms.create(room);
        const rest = client(run.url, talker.token);
        await rest.rooms.join(room);
        const ws = await rest.connect();

        const acked: { clientId: string; text: string; result: RoomMessageResult }[] = [];
        const killed = run;
        const sends = Array.from({ length: N }, (_, i) => {
          const clientId = `kill-${i}`;
          const text = `message ${i}`;
          const p =
            i % 2 ? ws.sendToRoom(room, text, clientId) : rest.rooms.send(room, text, clientId);
          return p.then(
            (result) => {
              acked.push({ clientId, text, result });
              if (acked.length === KILL_AT) void killed.crash();
            },
            () => undefined, // cut off by the kill: neither promised nor refused
          );
        });
        await Promise.all(sends);
        await killed.exited;
        ws.close();
        expect(acked.length).toBeGreaterThanOrEqual(KILL_AT);

        run = await spawnServe(env);
        const after = client(run.url, talker.token);
        const history: RoomMessage[] = [];
        for (let from = 0; ;) {
          const page = await after.rooms.history(room, { after: from, limit: 100 });
          history.push(...page.messages);
          if (!page.more) break;
          from = page.messages.at(-1)!.seq;
        }
        const events = (await after.rooms.events(room, 0, 500)).events;
        const head = (await after.rooms.get(room)).room.head;
        // Gapless timeline, each message once.
        expect(events.map((e) => e.data.roomSeq)).toEqual(
          Array.from({ length: head }, (_, i) => i + 1),
        );
        const ids = history.map((m) => m.id);
        expect(new Set(ids).size).toBe(ids.length);
        const posted = events.filter((e) => e.name === 'room.message' && e.data.change === 'new');
        expect(posted.map((e) => (e.data.message as RoomMessage).id)).toEqual(ids);

        for (const a of acked) {
          const inHistory = history.find((m) => m.id === a.result.message.id);
          expect(inHistory, a.clientId).toMatchObject({
            text: a.text,
            clientId: a.clientId,
            seq: a.result.roomSeq,
          });
          const ev = events.find((e) => e.data.roomSeq === a.result.roomSeq);
          expect(ev, a.clientId).toMatchObject({
            name: 'room.message',
            data: { change: 'new', message: { id: a.result.message.id, text: a.text } },
          });
          const again = await after.rooms.send(room, a.text, a.clientId);
          expect(again).toMatchObject({
            duplicate: true,
            roomSeq: a.result.roomSeq,
            message: { id: a.result.message.id },
          });
        }
        // Resending did not add anything.
        expect((await after.rooms.get(room)).room.head).toBe(head);
      });
    },
  );
}
