import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildConfig } from '../../src/config/load.js';
import { createParley, type Parley } from '../../src/main.js';
import { ParleyClient } from '../../src/sdk/client.js';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import { ParleyApiError } from '../../src/sdk/errors.js';
import { nodeWebSocket } from '../../src/sdk/node.js';
import type { Message, MessageResult } from '../../src/sdk/types.js';
import { tempDir } from '../helpers/backends.js';
import { type OwnPostgres, ownPostgres, ownPostgresMissing } from '../helpers/own-postgres.js';
import { startServeChild } from '../helpers/presence.js';
import { uname } from '../helpers/server.js';

/**
 * Issue 17, the database half: PostgreSQL restarted, and its postmaster killed
 * with SIGKILL, while a few senders keep sending over WebSocket to one node.
 * The node must not crash (an 'error' event nobody listens for would end this
 * test process), requests during the outage answer `unavailable` and are retried
 * with the same client id, the WebSockets stay open, /readyz says 503 during and
 * 200 after, and afterwards every acknowledged message is in the database once and
 * reached the recipient live. Recovery is bounded generously (20 s); the measured
 * times go to docs/operations.md (printed with FAULT_REPORT=1).
 */

const missing = ownPostgresMissing();
if (missing && process.env.CI === 'true')
  throw new Error(`fault suite cannot run in CI: ${missing}`);

const PASSWORD = 'correct horse battery';
const SENDERS = 3;

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000) {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

describe.skipIf(!!missing)(
  `PostgreSQL goes away under load, one node${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let db: OwnPostgres;
    let parley: Parley;
    let url: string;
    const logs: LogLine[] = [];
    const data = tempDir();

    beforeAll(async () => {
      db = await ownPostgres();
      const config = buildConfig({
        server: { host: '127.0.0.1', port: 0, node_id: 'fault' },
        data: { dir: data.dir },
        database: { url: db.url, pool_size: 10 },
        registration: { accounts_per_address_per_hour: 1_000_000 },
        limits: { connections_per_address: 1_000_000, requests_per_minute_per_address: 1_000_000 },
        messages: { per_second: 100_000, burst: 100_000 },
        native: { frames_per_second: 100_000, frame_burst: 100_000 },
      });
      const logger = pino(
        { level: 'debug' },
        new Writable({
          write(chunk, _enc, done) {
            for (const line of String(chunk).split('\n'))
              if (line) logs.push(JSON.parse(line) as LogLine);
            done();
          },
        }),
      );
      parley = await createParley(config, { logger });
      url = `http://127.0.0.1:${await parley.listen()}`;
    });
    afterAll(async () => {
      if (db && !db.running()) await db.start().catch(() => {});
      await parley?.stop();
      await db?.dispose();
      data.cleanup();
    });

    const client = (token?: string) =>
      new ParleyClient({ baseUrl: url, webSocket: nodeWebSocket, ...(token ? { token } : {}) });
    const readyz = async () => {
      const r = await fetch(`${url}/readyz`);
      return { status: r.status, body: (await r.json()) as { problems?: string[] } };
    };
    const metric = async (name: string) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };

    async function underLoad(outage: (db: OwnPostgres) => Promise<void>) {
      const rn = uname('fr');
      const receiver = await client().register(rn, PASSWORD);
      const rConn = await client(receiver.token).connect();
      const live = new Set<string>();
      rConn.on('message', (d) => {
        if (d.change === 'new') live.add((d.message as Message).id);
      });
      const conns: ParleyConnection[] = [rConn];
      const closedEarly: string[] = [];
      const acked = new Map<string, MessageResult>(); // clientId -> result
      const conditions = new Map<string, number>();
      let stopping = false;
      let outageBegan = Infinity;
      let firstAckAfterOutage = 0;
      const unavailableDuringOutage = () =>
        [...conditions.entries()].some(([c, n]) => c === 'unavailable' && n > 0);

      const senders = await Promise.all(
        Array.from({ length: SENDERS }, async (_, s) => {
          const name = uname(`fs${s}`);
          const reg = await client().register(name, PASSWORD);
          const conn = await client(reg.token).connect();
          conns.push(conn);
          void conn.closed.then(({ code }) => {
            if (!stopping) closedEarly.push(`${name}: ${code}`);
          });
          return { name, conn };
        }),
      );

      const loops = senders.map(async ({ name, conn }) => {
        for (let i = 0; !stopping; i++) {
          const clientId = `${name}-${i}`;
          for (;;) {
            try {
              const r = await conn.request<MessageResult>('messages.send', {
                to: rn,
                clientId,
                text: `message ${i} from ${name}`,
              });
              acked.set(clientId, r);
              if (Date.now() > outageBegan && !firstAckAfterOutage)
                firstAckAfterOutage = Date.now();
              break;
            } catch (err) {
              const c = err instanceof ParleyApiError ? err.condition : String(err);
              conditions.set(c, (conditions.get(c) ?? 0) + 1);
              // Only an outage's answer may be retried; anything else fails the test.
              if (c !== 'unavailable' || stopping) return;
              expect(err instanceof ParleyApiError && err.retryAfter).toBeGreaterThan(0);
              await new Promise((r) => setTimeout(r, 50)); // a client's retry pause, not a wait for a condition
            }
          }
        }
      });

      await waitFor('some sends before the outage', () => acked.size >= 30);
      const before = acked.size;
      outageBegan = Date.now();
      await outage(db);
      // The node answers while the database is away: requests fail with `unavailable`,
      // /readyz says 503 and names the database, /healthz stays 200.
      await waitFor('an unavailable answer', unavailableDuringOutage);
      const during = await readyz();
      expect(during.status).toBe(503);
      expect(during.body.problems?.join(' ')).toMatch(/database/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(await metric('parley_store_up')).toBe(0);
      // Not a bad token: REST says 503 with Retry-After, and a WebSocket authenticating
      // with its token is told `unavailable` and closed with 1013 (try again later),
      // never 4001 (which tells a client to discard its token).
      const rest = await fetch(`${url}/api/v1/me`, {
        headers: { authorization: `Bearer ${receiver.token}` },
      });
      expect(rest.status).toBe(503);
      expect(rest.headers.get('retry-after')).toBe('1');
      expect(((await rest.json()) as { error: { condition: string } }).error.condition).toBe(
        'unavailable',
      );
      const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/ws`, {
        headers: { authorization: `Bearer ${receiver.token}` },
      });
      const frames: { type: string; error?: { condition: string } }[] = [];
      ws.on('message', (d) => frames.push(JSON.parse(String(d)) as (typeof frames)[number]));
      const code = await new Promise<number>((r) => ws.on('close', (c) => r(c)));
      expect(code).toBe(1013);
      expect(frames.find((f) => f.type === 'error')?.error?.condition).toBe('unavailable');
      firstAckAfterOutage = 0;
      await db.start();
      const back = Date.now();
      outageBegan = back;
      await waitFor('a send acknowledged after the database returned', () => !!firstAckAfterOutage);
      const recovery = (firstAckAfterOutage - back) / 1000;
      await waitFor('/readyz 200 again', async () => (await readyz()).status === 200);
      const ready = (Date.now() - back) / 1000;
      await waitFor('more sends after the outage', () => acked.size >= before + 30);
      stopping = true;
      await Promise.all(loops);

      // No connection was dropped; nothing but `unavailable` was ever answered.
      expect(closedEarly).toEqual([]);
      expect([...conditions.keys()]).toEqual(['unavailable']);
      // Every acknowledged message is in the database exactly once...
      const check = new pg.Client({ connectionString: db.url });
      await check.connect();
      try {
        const ids = [...acked.values()].map((r) => r.message.id);
        const rows = await check.query<{ id: string; client_id: string }>(
          'select id, client_id from messages where id = any($1)',
          [ids],
        );
        expect(rows.rows.length).toBe(ids.length);
        const perClient = await check.query<{ n: string }>(
          `select count(*) as n from messages m join users u on u.id = m.sender_id
           where u.username = any($1) group by m.client_id, m.sender_id having count(*) > 1`,
          [senders.map((s) => s.name)],
        );
        expect(perClient.rows).toEqual([]);
      } finally {
        await check.end();
      }
      // ...and reached the connected recipient live.
      await waitFor('every acknowledged message delivered live', () =>
        [...acked.values()].every((r) => live.has(r.message.id)),
      );
      for (const c of conns) c.close();
      if (process.env.FAULT_REPORT)
        console.log(
          `fault report: acked ${acked.size}, unavailable answers ${conditions.get('unavailable')}, first ack ${recovery.toFixed(2)} s and /readyz 200 ${ready.toFixed(2)} s after the database accepted connections`,
        );
      expect(recovery).toBeLessThan(20);
    }

    const outageLogs = () => ({
      down: logs.filter((l) => l.msg.startsWith('database unavailable')).length,
      up: logs.filter((l) => l.msg === 'database is back').length,
      errors: logs.filter((l) => l.level >= 50).length,
    });

    it('restart (fast shutdown, 57P01 to every session)', async () => {
      const start = outageLogs();
      await underLoad((d) => d.stop());
      const end = outageLogs();
      // One warning when it began, one when it ended (with its length); no error stacks.
      expect(end.down - start.down).toBe(1);
      expect(end.up - start.up).toBe(1);
      expect(end.errors - start.errors).toBe(0);
      expect(await metric('parley_store_up')).toBe(1);
      expect(await metric('parley_store_outages_total')).toBeGreaterThanOrEqual(1);
    });

    it('kill -9 of the postmaster (connections reset mid-query)', async () => {
      const start = outageLogs();
      await underLoad((d) => d.kill());
      const end = outageLogs();
      expect(end.down - start.down).toBe(1);
      expect(end.up - start.up).toBe(1);
      expect(end.errors - start.errors).toBe(0);
    });
  },
);

describe.skipIf(!!missing)(
  `parley serve starts while PostgreSQL is down${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    it(
      'waits with /healthz 200 and /readyz 503, then serves when the database answers',
      {
        timeout: 90_000,
      },
      async () => {
        const db = await ownPostgres();
        const data = tempDir();
        await db.stop();
        const { child, out, exited } = serveChild(db.url, data.dir);
        try {
          await waitFor(
            'the waiting line',
            () => /waiting for its database/.test(out()),
            40_000,
          ).catch((e: Error) => {
            throw new Error(`${e.message}:\n${out()}`);
          });
          const port = Number(/http:\/\/127\.0\.0\.1:(\d+)\/healthz/.exec(out())![1]);
          const base = `http://127.0.0.1:${port}`;
          expect((await fetch(`${base}/healthz`)).status).toBe(200);
          const r = await fetch(`${base}/readyz`);
          expect(r.status).toBe(503);
          expect(JSON.stringify(await r.json())).toMatch(/database: .*ECONNREFUSED/);
          expect((await fetch(`${base}/api/v1/me`)).status).toBe(503);
          // Why it waits is logged at each attempt, as a warning.
          expect(out()).toMatch(/"level":40.*waiting for the database/);
          await db.start();
          // Backoff is 1, 2, 4 ... s: the first retries come within the bound.
          await waitFor('the server to start', () => /Parley is running/.test(out()), 30_000);
          // On the same port, so a probe that found the waiting node finds the real one.
          expect(out()).toMatch(new RegExp(`Parley is running: http://127\\.0\\.0\\.1:${port}/`));
          expect((await fetch(`${base}/readyz`)).status).toBe(200);
          child.kill('SIGTERM');
          expect(await exited).toBe(0);
        } finally {
          child.kill('SIGKILL');
          await db.dispose();
          data.cleanup();
        }
      },
    );

    it('stops cleanly on SIGTERM while it waits', { timeout: 90_000 }, async () => {
      const db = await ownPostgres();
      const data = tempDir();
      await db.stop();
      const { child, out, exited } = serveChild(db.url, data.dir);
      try {
        await waitFor('the waiting line', () => /waiting for its database/.test(out()), 40_000);
        child.kill('SIGTERM');
        // Within the first backoff (1 s), not at the next attempt: the wait listens for it.
        expect(await exited).toBe(0);
        expect(out()).toMatch(/stopped while waiting for its database/);
      } finally {
        child.kill('SIGKILL');
        await db.dispose();
        data.cleanup();
      }
    });
  },
);

/** `parley serve` in a child process (from source), its output so far, and its exit code. */
function serveChild(url: string, dataDir: string) {
  const { child, output, exit } = startServeChild({
    PARLEY_DATA_DIR: dataDir,
    PARLEY_DATABASE_URL: url,
  });
  return { child, out: output, exited: exit.then((e) => e.code) };
}
