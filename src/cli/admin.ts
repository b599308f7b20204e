import { createLogger, createParley, type Parley } from '../main.js';
import { type Args, flagInt, flagString, parseDuration, UsageError } from './args.js';
import { cliConfig } from './config-path.js';
import { type CliIO, readPassword, say } from './io.js';

/**
 * Operator commands work on the database directly, through the same core
 * services as the server, so every rule (reserved names, password length)
 * holds. A revocation reaches running nodes through the store within about a
 * second (core/accounts/revocation.ts), and through NATS when one is configured.
 */
async function withCore<T>(args: Args, io: CliIO, fn: (p: Parley) => Promise<T>): Promise<T> {
  const config = cliConfig(args, io);
  const parley = await createParley(config, { logger: createLogger('warn') });
  try {
    return await fn(parley);
  } finally {
    await parley.bus.flush().catch(() => {});
    await parley.stop();
  }
}

function needName(args: Args, what: string): string {
  const name = args.positional[2];
  if (!name) throw new UsageError(`usage: parley user ${what} USERNAME`);
  return name;
}

async function newPassword(io: CliIO): Promise<string> {
  const pw = await readPassword(io, 'Password: ');
  // Empty input is a missing password (nothing piped in, Enter at the prompt), not a short one.
  if (pw === '')
    throw new UsageError(
      'no password given: type it at the prompt, or pipe it in on standard input',
    );
  if (io.stdin.isTTY) {
    const again = await readPassword(io, 'Again: ');
    if (again !== pw) throw new UsageError('the two passwords differ');
  }
  return pw;
}

export async function user(args: Args, io: CliIO): Promise<number> {
  const sub = args.positional[1];
  switch (sub) {
    case 'add': {
      const name = needName(args, 'add');
      const pw = await newPassword(io);
      const u = await withCore(args, io, (p) => p.core.accounts.adminAdd(name, pw));
      say(io, `created ${u.username} (id ${u.id})`);
      return 0;
    }
    case 'list': {
      const limit = flagInt(args, 'limit', 1, 10000) ?? 100;
      const after = flagString(args, 'after');
      const users = await withCore(args, io, (p) =>
        p.core.accounts.adminList({ limit, ...(after ? { after } : {}) }),
      );
      for (const u of users)
        say(
          io,
          `${u.username}\t${u.id}\t${new Date(u.createdAt).toISOString()}${u.disabled ? '\tdisabled' : ''}`,
        );
      if (users.length === limit)
        say(io, `(more: parley user list --after ${users[users.length - 1]!.username})`);
      return 0;
    }
    case 'passwd': {
      const name = needName(args, 'passwd');
      const pw = await newPassword(io);
      await withCore(args, io, (p) => p.core.accounts.adminSetPassword(name, pw));
      say(io, `password of ${name.toLowerCase()} changed; their sessions were signed out`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const name = needName(args, sub);
      await withCore(args, io, (p) => p.core.accounts.adminSetDisabled(name, sub === 'disable'));
      say(
        io,
        sub === 'disable'
          ? `${name.toLowerCase()} disabled and signed out everywhere`
          : `${name.toLowerCase()} enabled`,
      );
      return 0;
    }
    case 'delete': {
      const name = needName(args, 'delete');
      if (args.flags.get('yes') !== true)
        throw new UsageError(`this deletes ${name} and their personal data; add --yes to confirm`);
      await withCore(args, io, (p) => p.core.accounts.adminDelete(name));
      say(io, `${name.toLowerCase()} deleted`);
      return 0;
    }
    default:
      throw new UsageError('usage: parley user add|list|passwd|disable|enable|delete ...');
  }
}

export async function invite(args: Args, io: CliIO): Promise<number> {
  if (args.positional[1] === 'list') {
    const limit = flagInt(args, 'limit', 1, 10000) ?? 100;
    const list = await withCore(args, io, (p) => p.core.accounts.listInvites(limit));
    // Only hashes are stored: an invite is shown by an id, never by its code.
    for (const i of list)
      say(
        io,
        `${i.id}\t${i.usesLeft} use${i.usesLeft === 1 ? '' : 's'} left\t${i.expiresAt === null ? 'never expires' : `expires ${new Date(i.expiresAt).toISOString()}`}\tcreated ${new Date(i.createdAt).toISOString()}`,
      );
    return 0;
  }
  if (args.positional[1] !== 'create')
    throw new UsageError(
      'usage: parley invite create [--uses N] [--expires 7d] | parley invite list [--limit N]',
    );
  const uses = flagInt(args, 'uses', 1, 1_000_000) ?? 1;
  const exp = flagString(args, 'expires');
  const seconds = exp === undefined ? 7 * 86400 : exp === 'never' ? null : parseDuration(exp);
  const { code, invite: inv } = await withCore(args, io, (p) =>
    p.core.accounts.createInvite({ uses, expiresInSeconds: seconds }),
  );
  say(io, code);
  io.stderr.write(
    `invite code for ${uses} registration${uses === 1 ? '' : 's'}, ${inv.expiresAt ? `valid until ${new Date(inv.expiresAt).toISOString()}` : 'never expires'}\n`,
  );
  return 0;
}
