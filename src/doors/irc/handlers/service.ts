import type { IrcConnection } from '../connection.js';
import { refuse } from '../mapping/errors.js';
import { nickToUsername, usernameToNick } from '../mapping/nick.js';

/**
 * The `Parley` service nick: contacts from IRC, so an IRC-only user can do what
 * the web's contact list does. `/msg Parley HELP` lists the commands; answers
 * come back as NOTICEs from the service.
 */
export const SERVICE_NICK = 'Parley';

const HELP = [
  'Contacts: CONTACTS (list with pending requests), REQUEST <nick> [note],',
  'APPROVE <nick>, DENY <nick>, REMOVE <nick>, BLOCK <nick>, UNBLOCK <nick>.',
];

function tell(c: IrcConnection, text: string): void {
  c.send({
    tags: new Map(),
    source: `${SERVICE_NICK}!service@${c.server}`,
    command: 'NOTICE',
    params: [c.nick, text],
    trailing: true,
  });
}

export async function contactsCommand(c: IrcConnection, text: string): Promise<void> {
  const [verb = '', nick, ...rest] = text.trim().split(/\s+/);
  const userId = c.auth!.user.id;
  const user = nick === undefined ? undefined : nickToUsername(nick);
  const needsNick = ['REQUEST', 'APPROVE', 'DENY', 'REMOVE', 'BLOCK', 'UNBLOCK'];
  const cmd = verb.toUpperCase();
  if (needsNick.includes(cmd) && user === undefined) {
    tell(c, `${cmd} needs the nick of a Parley user`);
    return;
  }
  const who = user ?? '';
  try {
    switch (cmd) {
      case 'CONTACTS': {
        const list = await c.core.contacts.list(userId);
        if (list.length === 0) tell(c, 'Your contact list is empty.');
        for (const x of list) {
          const state = x.pendingIn
            ? 'asks to see your presence'
            : x.ask
              ? 'request sent, waiting'
              : `subscription ${x.subscription}`;
          tell(c, `${usernameToNick(x.username)}${x.alias ? ` (${x.alias})` : ''}: ${state}`);
        }
        return;
      }
      case 'REQUEST':
        await c.core.contacts.request(userId, who, rest.join(' ') || undefined);
        tell(c, `Request sent to ${nick}.`);
        return;
      case 'APPROVE':
        await c.core.contacts.approve(userId, who, true);
        tell(c, `${nick} may now see your presence, and you theirs once they approve.`);
        return;
      case 'DENY':
        await c.core.contacts.deny(userId, who);
        tell(c, `Request from ${nick} denied.`);
        return;
      case 'REMOVE':
        await c.core.contacts.remove(userId, who);
        tell(c, `${nick} removed from your contacts.`);
        return;
      case 'BLOCK':
        await c.core.contacts.block(userId, who);
        tell(c, `${nick} is blocked.`);
        return;
      case 'UNBLOCK':
        await c.core.contacts.unblock(userId, who);
        tell(c, `${nick} is unblocked.`);
        return;
      default:
        for (const line of HELP) tell(c, line);
    }
  } catch (err) {
    refuse(c, cmd || 'HELP', err, nick);
  }
}
