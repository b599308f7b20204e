import { isParleyError } from '../../../core/errors.js';
import type { IrcConnection } from '../connection.js';
import { nickToUsername } from '../mapping/nick.js';
import { login, loginAfterRegistration } from './registration.js';

/**
 * NickServ, for clients without SASL: IDENTIFY logs a registered connection in,
 * REGISTER makes an account when the server's registration policy allows it (as
 * the web's sign-up would), HELP says so. Answers are NOTICEs from NickServ;
 * passwords are never echoed or logged.
 */
export const NICKSERV = 'NickServ';

function tell(c: IrcConnection, text: string): void {
  c.send({
    tags: new Map(),
    source: `${NICKSERV}!service@${c.server}`,
    command: 'NOTICE',
    params: [c.nick, text],
    trailing: true,
  });
}

export async function nickserv(c: IrcConnection, text: string): Promise<void> {
  const words = text.trim().split(/\s+/);
  const verb = (words[0] ?? '').toUpperCase();
  switch (verb) {
    case 'IDENTIFY':
    case 'LOGIN': {
      if (c.auth && !c.guest)
        return tell(c, `You are already logged in as ${c.auth.user.username}.`);
      const [account, password] =
        words.length >= 3 ? [words[1]!, words.slice(2).join(' ')] : [c.nick, words[1]];
      const username = nickToUsername(account) ?? account.toLowerCase();
      if (!password) return tell(c, 'Usage: IDENTIFY <password>, or IDENTIFY <account> <password>');
      try {
        const auth = await login(c, username, password);
        // A guest becomes the account: the guest leaves its rooms and is gone.
        await c.leaveGuest();
        await loginAfterRegistration(c, auth);
        tell(c, `You are now identified as ${auth.user.username}.`);
      } catch (err) {
        tell(
          c,
          isParleyError(err) && err.condition === 'rate-limited'
            ? `Too many attempts: ${err.message}`
            : 'Invalid account or password.',
        );
      }
      return;
    }
    case 'REGISTER': {
      if (c.auth && !c.guest)
        return tell(c, `You are already logged in as ${c.auth.user.username}.`);
      const password = words[1];
      const username = nickToUsername(c.nick);
      if (!password)
        return tell(c, 'Usage: REGISTER <password>: the account takes your nick as its username.');
      if (username === undefined)
        return tell(
          c,
          `${c.nick} cannot be a Parley username (letters, digits, . _ -): change nick first.`,
        );
      try {
        // A guest registers its own nick: the guest goes first, freeing the name.
        await c.leaveGuest();
        const made = await c.core.accounts.register({
          username,
          password,
          device: 'IRC (NickServ)',
          address: c.address,
        });
        // The sign-up's stored session is not this connection's: this one logs in for itself.
        await c.core.accounts.revokeSession(made.user.id, made.session.id).catch(() => {});
        const auth = await login(c, username, password);
        await loginAfterRegistration(c, auth);
        tell(
          c,
          `Account ${username} registered; you are logged in. The web client takes the same password.`,
        );
      } catch (err) {
        tell(c, `REGISTER failed: ${isParleyError(err) ? err.message : 'internal error'}`);
        if (!isParleyError(err)) c.log.error({ err }, 'NickServ REGISTER failed');
      }
      return;
    }
    default:
      tell(
        c,
        'NickServ: IDENTIFY [account] <password>, REGISTER <password>. SASL is better: see docs/irc.md.',
      );
  }
}
