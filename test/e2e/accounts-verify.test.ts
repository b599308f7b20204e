import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALL_SCOPED, type AuthContext } from '../../src/core/accounts/service.js';
import { newId } from '../../src/core/ids.js';
import { ParleyError } from '../../src/core/errors.js';
import type { Session } from '../../src/core/sessions.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * Connection-scoped logins (IRC and XMPP SASL): `accounts.verify` checks a
 * password without making a token or a stored session, goes through the login
 * throttle, refuses disabled accounts, and the session a door registers for it
 * ends with every revocation of all the user's sessions: a password change
 * (but not the one making it), an operator's passwd, disable and delete.
 */

const PASSWORD = 'correct horse battery';
const condition = (c: string) => (e: unknown) => e instanceof ParleyError && e.condition === c;

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`connection-scoped logins (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend, { login: { free_failures: 2 } });
    });
    afterAll(async () => node?.dispose());

    const core = () => node.parley.core;
    const address = (n: number) => `192.0.2.${n}`;

    async function user() {
      const name = uname('sasl');
      const reg = await node.client().register(name, PASSWORD);
      return { name, id: reg.user.id, token: reg.token, client: node.client(reg.token) };
    }

    /** What a door registers for a verified login; `closed` records why it ended. */
    function attach(auth: AuthContext) {
      const closed: string[] = [];
      const s: Session = {
        id: auth.session.id,
        connectionId: auth.session.id,
        userId: auth.user.id,
        door: 'irc',
        resource: '',
        capabilities: new Set(),
        scoped: true,
        send: () => {},
        close: (reason) => closed.push(reason),
      };
      core().sessions.add(s);
      return { session: s, closed };
    }

    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
      expect(cond()).toBe(true);
    };

    it('verifies without a token or a stored session', async () => {
      const u = await user();
      const before = await core().accounts.sessions(u.id);
      const auth = await core().accounts.verify({
        username: u.name.toUpperCase(),
        password: PASSWORD,
        address: address(1),
      });
      expect(auth.user).toMatchObject({ id: u.id, username: u.name });
      expect(auth.user).not.toHaveProperty('passwordHash');
      expect(auth.scoped).toBeDefined();
      expect(await core().accounts.sessions(u.id)).toEqual(before);
      expect(await core().accounts.stillValidAuth(auth)).toBe(true);
      await expect(
        core().accounts.verify({ username: u.name, password: 'wrong one!', address: address(1) }),
      ).rejects.toSatisfy(condition('invalid-credentials'));
    });

    it('goes through the login throttle, shared with login', async () => {
      const u = await user();
      const a = address(2);
      for (let i = 0; i < 2; i++)
        await expect(
          core().accounts.verify({ username: u.name, password: 'wrong one!', address: a }),
        ).rejects.toSatisfy(condition('invalid-credentials'));
      // Past free_failures even the right password waits, as for login.
      await expect(
        core().accounts.verify({ username: u.name, password: PASSWORD, address: a }),
      ).rejects.toSatisfy(condition('rate-limited'));
      await expect(
        core().accounts.login({ username: u.name, password: PASSWORD, address: a }),
      ).rejects.toSatisfy(condition('rate-limited'));
    });

    it('refuses a disabled account', async () => {
      const u = await user();
      await core().accounts.adminSetDisabled(u.name, true);
      await expect(
        core().accounts.verify({ username: u.name, password: PASSWORD, address: address(3) }),
      ).rejects.toSatisfy(condition('account-disabled'));
    });

    it('a password change ends verified sessions but the one making it; recheck says so too', async () => {
      const u = await user();
      const v = (n: number) =>
        core().accounts.verify({ username: u.name, password: PASSWORD, address: address(n) });
      const authA = await v(4);
      const authB = await v(4);
      const a = attach(authA);
      const b = attach(authB);
      // Over the native protocol (a token session): every verified login ends.
      const other = await user();
      const c = attach(
        await core().accounts.verify({
          username: other.name,
          password: PASSWORD,
          address: address(4),
        }),
      );
      await core().accounts.changePassword(authB, PASSWORD, 'a brand new passphrase', address(4));
      await until(() => a.closed.length === 1);
      expect(a.closed).toEqual(['session revoked']);
      expect(b.closed).toEqual([]); // it made the change
      expect(c.closed).toEqual([]); // another user
      expect(await core().accounts.stillValidAuth(authA)).toBe(false);
      for (const s of [a, b, c]) core().sessions.remove(s.session);
    });

    it('a password change through a token session ends them all; so do operator passwd, disable and delete', async () => {
      const u = await user();
      const v = () =>
        core().accounts.verify({ username: u.name, password: PASSWORD, address: address(5) });
      const first = attach(await v());
      await u.client.changePassword(PASSWORD, 'another long passphrase');
      await until(() => first.closed.length === 1);
      core().sessions.remove(first.session);

      await core().accounts.adminSetPassword(u.name, PASSWORD);
      const second = attach(await v());
      await core().accounts.adminSetPassword(u.name, PASSWORD);
      await until(() => second.closed.length >= 1);
      core().sessions.remove(second.session);

      const third = attach(await v());
      await core().accounts.adminSetDisabled(u.name, true);
      await until(() => third.closed.length >= 1);
      core().sessions.remove(third.session);

      await core().accounts.adminSetDisabled(u.name, false);
      const fourth = attach(await v());
      await core().accounts.adminDelete(u.name);
      await until(() => fourth.closed.length >= 1);
      core().sessions.remove(fourth.session);
    });

    it('an operator command from another process (noted in the store, no bus event) ends them too', async () => {
      const u = await user();
      const s = attach(
        await core().accounts.verify({ username: u.name, password: PASSWORD, address: address(6) }),
      );
      // What `parley user passwd` leaves for the nodes' revocation poll.
      await node.parley.store.accounts.noteRevocation({
        id: newId(),
        userId: u.id,
        sessionIds: [ALL_SCOPED],
      });
      await until(() => s.closed.length === 1);
      core().sessions.remove(s.session);
    });
  });
}
