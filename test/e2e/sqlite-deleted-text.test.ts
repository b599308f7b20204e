import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/backends.js';
import { startNode } from '../helpers/server.js';

/**
 * A deleted message's text is gone from the SQLite files, not only from the
 * answers: after a checkpoint neither the database file nor its WAL holds any
 * word of it (the rows, the freed space in their pages and the search index).
 * docs/operations.md, "What a deletion guarantees".
 */
const words = (n: number) =>
  Array.from({ length: 6 }, (_, i) => `qz${'abcdefghij'[i]}secret${n}word${i}`);

/** Long enough to spill onto overflow pages, which a deletion frees whole. */
const textOf = (ws: string[]) => `${ws.join(' ')} `.repeat(60).trim();

function onDisk(dir: string): Buffer {
  const files = ['parley.db', 'parley.db-wal'].map((f) => join(dir, f)).filter(existsSync);
  return Buffer.concat(files.map((f) => readFileSync(f)));
}

describe('deleted text on disk (sqlite)', () => {
  it('no word of a deleted direct or room message is left in the database file or WAL', async () => {
    const t = tempDir();
    try {
      const node = await startNode({ db: { url: '', dataDir: t.dir } });
      const direct = words(1);
      const inRoom = words(2);
      const kept = words(3);
      try {
        const alice = node.client();
        const bob = node.client();
        await alice.register('alice', 'password123');
        await bob.register('bob', 'password123');
        await alice.requestContact('bob');
        await bob.approveContact('alice', true);
        const dm = await alice.sendMessage('bob', textOf(direct), 'd-1');
        await alice.sendMessage('bob', textOf(kept), 'd-2');
        await alice.rooms.create('attic');
        await bob.rooms.join('attic');
        const rm = await bob.rooms.send('attic', textOf(inRoom), 'r-1');
        // Indexed for search before the deletion, so the index has something to forget.
        expect((await bob.searchMessages(direct[0]!)).results).toHaveLength(1);
        expect((await bob.rooms.search('attic', inRoom[0]!)).results).toHaveLength(1);
        await alice.deleteMessage(dm.message.id);
        await bob.rooms.delete('attic', rm.message.id);
        expect((await bob.searchMessages(direct[0]!)).results).toHaveLength(0);
      } finally {
        await node.stop();
      }
      // A checkpoint from outside while the server runs is what the stop does too.
      const raw = new Database(join(t.dir, 'parley.db'));
      raw.pragma('wal_checkpoint(TRUNCATE)');
      raw.close();
      const bytes = onDisk(t.dir);
      expect(bytes.includes(kept[0]!), 'a kept message is found, so the search is sound').toBe(
        true,
      );
      for (const w of [...direct, ...inRoom]) expect(bytes.includes(w), w).toBe(false);
    } finally {
      t.cleanup();
    }
  });
});
