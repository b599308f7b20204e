import { afterAll, expect, it } from 'vitest';
import { ParleyClient } from '../../src/sdk/client.js';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import { ParleyApiError } from '../../src/sdk/errors.js';
import { nodeWebSocket } from '../../src/sdk/node.js';
import type { Message, MessageResult, ServerEvent } from '../../src/sdk/types.js';
import { describeOn, everyStoreBackend, tempDir } from '../helpers/backends.js';
import { type ServeProcess, spawnServe } from '../helpers/presence.js';
import { uname } from '../helpers/server.js';

/**
 * Acknowledged means durable (DESIGN.md rule 3), proved the hard way: `parley
 * serve` runs as a child process, A fires a batch of sends at B over two
 * WebSockets and REST at once, and the process is killed with SIGKILL the
 * moment a chosen acknowledgement arrives (the last one, one in the middle
 * with others still in flight, the very first). After a restart on the same
 * database every acknowledged message is in the history and in B's log with
 * the id, conversation seq and log position it was acknowledged with; the
 * numbers are gapless, nothing is there twice, and resending any client id
 * answers with the stored message instead of a second copy.
 */

const PASSWORD = 'correct horse battery';
const N = 50;

interface Acked {
  clientId: string;
  text: string;
  via: 'ws' | 'rest';
  result: MessageResult;
}

const client = (url: string, token?: string) =>
  new ParleyClient({ baseUrl: url, webSocket: nodeWebSocket, ...(token ? { token } : {}) });

const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** A failure after the kill is the transport's (the server never refused a send). */
function expectTransportFailure(err: unknown): void {
  if (err instanceof ParleyApiError) expect(err.condition, err.message).toBe('unavailable');
  else expect(err).toBeInstanceOf(Error);
}

/** The whole conversation, oldest first, read forward in pages of 100. */
async function wholeHistory(c: ParleyClient, withUser: string): Promise<Message[]> {
  const out: Message[] = [];
  let after = 0;
  for (;;) {
    const page = await c.history(withUser, { after, limit: 100 });
    out.push(...page.messages);
    if (!page.more) return out;
    after = page.messages.at(-1)!.seq;
  }
}

/** The user's whole log over REST, in pages of 37 (so paging is exercised). */
async function wholeLog(c: ParleyClient) {
  const out: { seq: number; name: string; data: Record<string, unknown> }[] = [];
  let after = 0;
  for (;;) {
    const page = await c.sync(after, 37);
    out.push(...page.events);
    expect(page.cursor).toBe(page.events.at(-1)?.seq ?? after);
    if (!page.more) return out;
    after = page.cursor;
  }
}

/** Connects with cursor 0 and returns every event replayed before `sync.done`, and its cursor. */
async function replayAll(c: ParleyClient) {
  const conn = await c.connect({ authenticate: false });
  const events: ServerEvent[] = [];
  let done = false;
  conn.onAny((e) => {
    if (e.name === 'sync.done') done = true;
    else if (!done) events.push(e);
  });
  const syncDone = conn.next('sync.done', 20_000);
  await conn.request('auth', { token: c.token!, cursor: 0 });
  const { cursor } = await syncDone;
  conn.close();
  return { events, cursor: cursor as number };
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(
    `a send acknowledged just before SIGKILL survives it (${backend.name})`,
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
        // SQLite keeps its file in the data folder; PostgreSQL needs one of its own.
        PARLEY_DATA_DIR: db.pgSchema ? data.dir : db.dataDir,
        PARLEY_SERVER_NODE_ID: 'killed',
        // Nothing here is about limits: every send must reach the store.
        PARLEY_MESSAGES_PER_SECOND: '100000',
        PARLEY_MESSAGES_BURST: '100000',
        PARLEY_LIMITS_REQUESTS_PER_MINUTE_PER_ADDRESS: '1000000',
        PARLEY_NATIVE_FRAMES_PER_SECOND: '100000',
        PARLEY_NATIVE_FRAME_BURST: '100000',
      };

      it('three rounds: kill on the last ack, on an ack mid-batch, on the first ack', async () => {
        run = await spawnServe(env);
        const an = uname('ka');
        const bn = uname('kb');
        const aReg = await client(run.url).register(an, PASSWORD);
        const bReg = await client(run.url).register(bn, PASSWORD);
        const acked: Acked[] = [];
        /** Messages B was told about live before the kill: those were acknowledged to B. */
        const seenLive = new Map<string, number>();

        for (const [round, killAt] of [
          [1, N],
          [2, 20],
          [3, 1],
        ] as const) {
          const url = run.url;
          const a = client(url, aReg.token);
          const b = client(url, bReg.token);
          const wsA = [await a.connect(), await a.connect()];
          const wsB = await b.connect();
          wsB.on('message', (d) => {
            if (d.change === 'new')
              seenLive.set((d.message as Message).id, (d.message as Message).seq);
          });
          const victim = run;
          let acks = 0;
          const roundAcked: Acked[] = [];
          const sends = range(0, N - 1).map(async (i) => {
            const clientId = `round${round}-${i}`;
            const text = `round ${round} message ${i} ✓`;
            const via = i % 2 ? 'ws' : 'rest';
            try {
              const result =
                via === 'ws'
                  ? await wsA[i % 4 === 1 ? 0 : 1]!.request<MessageResult>('messages.send', {
                      to: bn,
                      clientId,
                      text,
                    })
                  : await a.sendMessage(bn, text, clientId);
              roundAcked.push({ clientId, text, via, result });
              // Immediately, before anything else runs: the server gets no grace at all.
              if (++acks === killAt) victim.child.kill('SIGKILL');
            } catch (err) {
              expectTransportFailure(err);
            }
          });
          await Promise.all(sends);
          expect(await victim.exited).toBe('SIGKILL');
          await Promise.all([...wsA, wsB].map((c: ParleyConnection) => c.closed));
          expect(roundAcked.length).toBeGreaterThanOrEqual(killAt);
          for (const r of roundAcked) {
            expect(r.result.duplicate).toBe(false);
            expect(r.result.message).toMatchObject({ clientId: r.clientId, text: r.text });
          }
          acked.push(...roundAcked);

          // Restart on the same database.
          run = await spawnServe(env);
          const a2 = client(run.url, aReg.token);
          const b2 = client(run.url, bReg.token);

          // The conversation: gapless seqs, no id or client id twice, every ack in it as acked.
          const history = await wholeHistory(b2, an);
          expect(history.map((m) => m.seq)).toEqual(range(1, history.length));
          expect(new Set(history.map((m) => m.id)).size).toBe(history.length);
          expect(new Set(history.map((m) => m.clientId)).size).toBe(history.length);
          const byId = new Map(history.map((m) => [m.id, m]));
          for (const r of acked) {
            const m = byId.get(r.result.message.id);
            expect(m, `acknowledged ${r.clientId} (${r.via}) is missing`).toBeDefined();
            expect(m).toMatchObject({
              seq: r.result.message.seq,
              clientId: r.clientId,
              text: r.text,
              createdAt: r.result.message.createdAt,
              from: { username: an },
              to: { username: bn },
            });
          }
          for (const [id, seq] of seenLive) expect(byId.get(id)?.seq).toBe(seq);
          expect(await wholeHistory(a2, bn)).toEqual(history);

          // Search finds every message of the round acknowledged before the kill, though
          // SQLite's index is filled after the sends (the restarted node catches it up).
          const found = new Set<string>();
          for (let before: string | undefined; ;) {
            const page = await b2.searchMessages(`round ${round}`, {
              with: an,
              limit: 50,
              ...(before ? { before } : {}),
            });
            for (const r of page.results) found.add(r.message.id);
            if (!page.next) break;
            before = page.next;
          }
          for (const r of roundAcked)
            expect(found.has(r.result.message.id), `search misses ${r.clientId}`).toBe(true);

          // B's log: gapless, one `new` entry per message, in conversation order.
          const logB = await wholeLog(b2);
          expect(logB.map((e) => e.seq)).toEqual(range(1, logB.length));
          const newIds = logB.map((e) => {
            expect(e).toMatchObject({ name: 'message', data: { change: 'new' } });
            return (e.data.message as Message).id;
          });
          expect(newIds).toEqual(history.map((m) => m.id));
          // The same over the WebSocket replay.
          const replay = await replayAll(b2);
          expect(replay.cursor).toBe(logB.length);
          expect(
            replay.events.map((e) => [e.name, e.data.seq, (e.data.message as Message).id]),
          ).toEqual(logB.map((e) => ['message', e.seq, (e.data.message as Message).id]));

          // A's log: every ack's log position holds that very message.
          const logA = await wholeLog(a2);
          expect(logA.map((e) => e.seq)).toEqual(range(1, logA.length));
          expect(logA.map((e) => (e.data.message as Message).id)).toEqual(newIds);
          for (const r of acked)
            expect((logA[r.result.seq! - 1]!.data.message as Message).id).toBe(r.result.message.id);

          // Resending every client id of the round: acknowledged ones come back as duplicates
          // with the same id and log position; the rest are stored once, whatever happened to them.
          const ws2 = await a2.connect();
          const before = history.length;
          const resent = await Promise.all(
            range(0, N - 1).map((i) => {
              const clientId = `round${round}-${i}`;
              const text = `round ${round} message ${i} ✓`;
              return i % 2
                ? ws2.request<MessageResult>('messages.send', { to: bn, clientId, text })
                : a2.sendMessage(bn, text, clientId);
            }),
          );
          ws2.close();
          for (const r of roundAcked) {
            const again = resent[Number(r.clientId.split('-')[1])]!;
            expect(again).toEqual({ ...r.result, duplicate: true });
          }
          const after = await wholeHistory(a2, bn);
          expect(after.map((m) => m.seq)).toEqual(range(1, after.length));
          const ofRound = after.filter((m) => m.clientId.startsWith(`round${round}-`));
          expect(ofRound.map((m) => m.clientId).sort()).toEqual(
            range(0, N - 1)
              .map((i) => `round${round}-${i}`)
              .sort(),
          );
          expect(after.slice(0, before)).toEqual(history);
          expect(resent.filter((r) => !r.duplicate)).toHaveLength(after.length - before);
          // A send answered as new after the restart is in B's log once too.
          const logB2 = await wholeLog(b2);
          expect(logB2.map((e) => (e.data.message as Message).id)).toEqual(after.map((m) => m.id));
        }
        expect(acked.length).toBeGreaterThanOrEqual(N + 20 + 1);
      }, 180_000);
    },
  );
}
