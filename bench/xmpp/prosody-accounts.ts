/**
 * Writes the accounts bench0..bench{N-1} straight into a Prosody SQLite database
 * (mod_storage_sql's `prosody` table, the rows mod_auth_internal_hashed keeps:
 * salt, iteration_count, stored_key, server_key). In-band registration would do
 * the same at about ten accounts a second; the benchmark does not measure that.
 *
 *   node --import tsx bench/xmpp/prosody-accounts.ts DB_FILE USERS [PASSWORD]
 */
import { createHash, createHmac, pbkdf2Sync, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';

const [file, count, password = 'bench-password-1'] = process.argv.slice(2);
if (!file || !count) throw new Error('usage: prosody-accounts.ts DB_FILE USERS [PASSWORD]');
const iterations = 10000; // Prosody 0.12's default
const db = new Database(file);
db.exec(`CREATE TABLE IF NOT EXISTS "prosody" ("host" TEXT NOT NULL, "user" TEXT NOT NULL,
  "store" TEXT NOT NULL, "key" TEXT NOT NULL, "type" TEXT NOT NULL, "value" TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS "prosody_index" ON "prosody" ("host", "user", "store", "key");`);
const insert = db.prepare(
  `INSERT INTO prosody (host, user, store, key, type, value) VALUES ('localhost', ?, 'accounts', ?, ?, ?)`,
);
// One salt for all: PBKDF2 once here, and the load generator's cache does it once too.
const salt = randomUUID();
const salted = pbkdf2Sync(password, salt, iterations, 20, 'sha1');
const stored = createHash('sha1')
  .update(createHmac('sha1', salted).update('Client Key').digest())
  .digest('hex');
const server = createHmac('sha1', salted).update('Server Key').digest('hex');
db.transaction(() => {
  for (let i = 0; i < Number(count); i++) {
    const user = `bench${i}`;
    insert.run(user, 'salt', 'string', salt);
    insert.run(user, 'iteration_count', 'number', String(iterations));
    insert.run(user, 'stored_key', 'string', stored);
    insert.run(user, 'server_key', 'string', server);
  }
})();
db.close();
