import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SaslStep } from '../../src/core/accounts/sasl/service.js';
import type { Store } from '../../src/core/store.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * SCRAM credentials on a real store: made at registration and at every password
 * change, gone with the account, and made (or renewed, when the configured count
 * rose) at an old account's next password login through any door. The exchanges
 * go through core.sasl, as the IRC and XMPP doors will.
 */

const PASSWORD = 'correct horse battery';
const ITERATIONS = 5000;

/** A SCRAM-SHA-256 client (node:crypto only): the two client messages. */
async function scramLogin(
  start: () => { step(b: Buffer): Promise<SaslStep> },
  username: string,
  password: string,
): Promise<SaslStep> {
  const ex = start();
  const bare = `n=${username},r=${randomBytes(18).toString('base64')}`;
  const first = await ex.step(Buffer.from(`n,,${bare}`));
  if (!('challenge' in first)) return first;
  const sf = first.challenge.toString();
  const a = Object.fromEntries(sf.split(',').map((x) => [x[0], x.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(a.s!, 'base64'), Number(a.i), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const withoutProof = `c=biws,r=${a.r}`;
  const sig = createHmac('sha256', storedKey).update(`${bare},${sf},${withoutProof}`).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]!)).toString('base64');
  return ex.step(Buffer.from(`${withoutProof},p=${proof}`));
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`SCRAM credentials (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend, { login: { scram_iterations: ITERATIONS } });
    });
    afterAll(async () => node?.dispose());

    // The SQL store under the Store interface (Parley's type hides its Kysely handle).
    const store = () => node.parley.store as Store & { db: Kysely<unknown> };
    const sasl = () => node.parley.core.sasl;
    const start = () => sasl().start('SCRAM-SHA-256', { address: '192.0.2.40', tls: true });
    const creds = (id: string) => store().accounts.scramCredentials(id);
    const ok = (r: SaslStep) => 'success' in r;

    it('registration stores both mechanisms, a password change replaces them, deletion removes them', async () => {
      const name = uname('scram');
      const reg = await node.client().register(name, PASSWORD);
      const first = await creds(reg.user.id);
      expect(first.map((c) => [c.mechanism, c.iterations, c.salt.length])).toEqual([
        ['SCRAM-SHA-1', ITERATIONS, 16],
        ['SCRAM-SHA-256', ITERATIONS, 16],
      ]);
      // Neither the password nor anything but the four values is kept.
      const rows = await sql<
        Record<string, unknown>
      >`select * from scram_credentials where user_id = ${reg.user.id}`.execute(store().db);
      expect(JSON.stringify(rows.rows)).not.toContain(PASSWORD);
      expect(Object.keys(rows.rows[0]!).sort()).toEqual(
        ['iterations', 'mechanism', 'salt', 'server_key', 'stored_key', 'user_id'].sort(),
      );
      expect(ok(await scramLogin(start, name, PASSWORD))).toBe(true);

      const client = node.client(reg.token);
      await client.changePassword(PASSWORD, 'a brand new password');
      const second = await creds(reg.user.id);
      expect(second).toHaveLength(2);
      expect(second[1]!.storedKey.equals(first[1]!.storedKey)).toBe(false);
      expect(ok(await scramLogin(start, name, PASSWORD))).toBe(false);
      expect(ok(await scramLogin(start, name, 'a brand new password'))).toBe(true);

      await node.parley.core.accounts.adminSetPassword(name, 'set by the operator');
      expect(ok(await scramLogin(start, name, 'a brand new password'))).toBe(false);
      expect(ok(await scramLogin(start, name, 'set by the operator'))).toBe(true);

      await node.parley.core.accounts.adminDelete(name);
      expect(await creds(reg.user.id)).toEqual([]);
      expect(ok(await scramLogin(start, name, 'set by the operator'))).toBe(false);
    });

    it('an account from before gets them at its next password login (login, then verify)', async () => {
      const name = uname('old');
      const reg = await node.client().register(name, PASSWORD);
      // As it was before migration 0018.
      await sql`delete from scram_credentials where user_id = ${reg.user.id}`.execute(store().db);
      expect(ok(await scramLogin(start, name, PASSWORD))).toBe(false);
      await node.client().login(name, PASSWORD);
      expect((await creds(reg.user.id)).length).toBe(2);
      expect(ok(await scramLogin(start, name, PASSWORD))).toBe(true);

      // Made under a lower count (the operator raised it since): renewed by verify.
      await sql`update scram_credentials set iterations = 4096 where user_id = ${reg.user.id}`.execute(
        store().db,
      );
      await node.parley.core.accounts.verify({
        username: name,
        password: PASSWORD,
        address: '192.0.2.41',
      });
      expect((await creds(reg.user.id)).map((c) => c.iterations)).toEqual([ITERATIONS, ITERATIONS]);
      expect(ok(await scramLogin(start, name, PASSWORD))).toBe(true);
      // A failed login changes nothing.
      await sql`delete from scram_credentials where user_id = ${reg.user.id}`.execute(store().db);
      await expect(node.client().login(name, 'not the password')).rejects.toThrow();
      expect(await creds(reg.user.id)).toEqual([]);
    });

    it('a renewal racing a password change never leaves the old password working', async () => {
      const name = uname('race');
      const reg = await node.client().register(name, PASSWORD);
      const user = (await store().accounts.userById(reg.user.id))!;
      await node.parley.core.accounts.adminSetPassword(name, 'the new password');
      // A login that checked the old hash just before: its credentials are not written.
      expect(await store().accounts.upgradeScramCredentials(user.id, user.passwordHash, [])).toBe(
        false,
      );
      expect((await creds(user.id)).length).toBe(2);
      expect(ok(await scramLogin(start, name, 'the new password'))).toBe(true);
    });

    it('the fake salt of an unknown user is stable, from a secret kept in the database (every node shares it)', async () => {
      const salt = async () => {
        const ex = start();
        const r = await ex.step(Buffer.from('n,,n=nobody-here,r=abcdefghijkl'));
        ex.abort();
        if (!('challenge' in r)) throw new Error(JSON.stringify(r));
        return r.challenge.toString().split(',')[1];
      };
      const before = await salt();
      const secret = await store().accounts.serverSecret('sasl-fake-salt', 'unused');
      expect(secret).not.toBe('unused');
      expect(await salt()).toBe(before);
    });
  });
}
