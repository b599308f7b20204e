import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { describeOn, everyStoreBackend, type StoreBackend } from '../helpers/backends.js';
import { startNode, type TestNode, uname } from '../helpers/server.js';

/**
 * The per-user log and room timelines keep domain records (src/core/records.ts),
 * not the native protocol's views: no username and no message text is stored in
 * them, replays name people as they are now (a deleted account reads as ''), and
 * migration 0017 converts rows written before.
 */
const PASSWORD = 'password123';

function openOpts(m: { url: string; dataDir: string; pgSchema?: string }) {
  return {
    url: m.url,
    dataDir: m.dataDir,
    poolSize: 2,
    ...(m.pgSchema ? { schema: m.pgSchema } : {}),
  };
}

async function rawRows(m: { url: string; dataDir: string; pgSchema?: string }) {
  const store = await openStore(openOpts(m));
  try {
    const log = await sql<{ name: string; data: string }>`select name, data from user_log`.execute(
      store.db,
    );
    const timeline = await sql<{
      name: string;
      data: string;
    }>`select name, data from room_events`.execute(store.db);
    return [...log.rows, ...timeline.rows];
  } finally {
    await store.close();
  }
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`domain records in the log and timelines (${backend.name})`, () => {
    let db: ReturnType<StoreBackend['make']>;
    let node: TestNode | undefined;
    beforeEach(() => {
      db = backend.make();
    });
    afterEach(async () => {
      await node?.stop();
      node = undefined;
      await db.cleanup();
    });

    it('stores no names or texts, and replays today’s names after an account is deleted', async () => {
      node = await startNode({ db });
      const a = node.client();
      const b = node.client();
      const an = uname('rec');
      const bn = uname('rec');
      await a.register(an, PASSWORD);
      await b.register(bn, PASSWORD);
      await a.requestContact(bn);
      await b.approveContact(an, true);
      const dm = await a.sendMessage(bn, 'first words zqxjk', 'c-1');
      await a.editMessage(dm.message.id, 'second words vbnwq');
      const room = `rec${Date.now() % 100000}`;
      await a.rooms.create(room);
      await b.rooms.join(room);
      await b.rooms.send(room, 'room words plmok', 'r-1');
      await a.rooms.kick(room, bn, 'bye');

      const before = await a.sync(0);
      const told = JSON.stringify(before.events);
      expect(told).toContain(`"username":"${bn}"`);
      expect(told).toContain('second words vbnwq');
      const roomBefore = await a.rooms.events(room, 0);
      expect(JSON.stringify(roomBefore.events)).toContain('room words plmok');
      await b.deleteAccount(PASSWORD);
      await node.stop();
      node = undefined;

      const rows = await rawRows(db);
      expect(rows.length).toBeGreaterThan(5);
      for (const r of rows) {
        expect(r.data, r.name).not.toContain(bn);
        expect(r.data, r.name).not.toContain(an);
        expect(r.data, r.name).not.toMatch(/zqxjk|vbnwq|plmok/);
      }

      node = await startNode({ db });
      const again = node.client();
      await again.login(an, PASSWORD);
      const after = await again.sync(0);
      expect(after.events.map((e) => e.name)).toEqual(before.events.map((e) => e.name));
      const afterText = JSON.stringify(after.events);
      expect(afterText).not.toContain(bn);
      // The message itself is read as it is now: the edit, with its sender's name.
      const msg = after.events.find((e) => e.name === 'message')!.data as {
        message: { text: string; from: { username: string }; to: { username: string } };
      };
      expect(msg.message.text).toBe('second words vbnwq');
      expect(msg.message.from.username).toBe(an);
      expect(msg.message.to.username).toBe('');
      const roomAfter = await again.rooms.events(room, 0);
      expect(roomAfter.events.map((e) => e.name)).toEqual(roomBefore.events.map((e) => e.name));
      expect(JSON.stringify(roomAfter.events)).not.toContain(bn);
      expect(JSON.stringify(roomAfter.events)).toContain('room words plmok');
    });

    it('migration 0017 converts rows written as views before it', async () => {
      node = await startNode({ db });
      const a = node.client();
      const b = node.client();
      const an = uname('old');
      const bn = uname('old');
      await a.register(an, PASSWORD);
      await b.register(bn, PASSWORD);
      await a.sendMessage(bn, 'kept in the messages table', 'c-1');
      await a.requestContact(bn);
      await node.stop();
      node = undefined;

      // The database as 0016 left it: views with names and texts inside.
      const first = await openStore(openOpts(db));
      try {
        const view = {
          change: 'new',
          message: { text: 'stale secret text', from: { userId: 'x', username: an } },
        };
        await sql`update user_log set data = ${JSON.stringify(view)} where name = 'message'`.execute(
          first.db,
        );
        const rows = await sql<{
          data: string;
        }>`select data from user_log where name = 'contact.updated'`.execute(first.db);
        expect(rows.rows.length).toBeGreaterThan(0);
        await sql`delete from kysely_migration where name >= '0017_domain_records'`.execute(
          first.db,
        );
        const stale = await sql<{ data: string }>`select data from user_log`.execute(first.db);
        expect(JSON.stringify(stale.rows)).toContain('stale secret text');
      } finally {
        await first.close();
      }

      const rows = await rawRows(db); // opening migrates
      for (const r of rows) {
        expect(r.data).not.toContain('stale secret text');
        expect(r.data).not.toContain(an);
        expect(r.data).not.toContain(bn);
      }
      node = await startNode({ db });
      const c = node.client();
      await c.login(bn, PASSWORD);
      const synced = await c.sync(0);
      const m = synced.events.find((e) => e.name === 'message')!.data as {
        message: { text: string; from: { username: string } };
      };
      expect(m.message.text).toBe('kept in the messages table');
      expect(m.message.from.username).toBe(an);
      const contact = synced.events.find((e) => e.name === 'contact.updated')!.data as {
        contact: { username: string };
      };
      expect(contact.contact.username).toBe(an);
    });
  });
}
