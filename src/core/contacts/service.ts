import { ParleyError } from '../errors.js';
import type { ContactPersonEvent, ContactUpdatedEvent } from '../events.js';
import type { Journal } from '../journal.js';
import type { Router } from '../router.js';
import * as rules from './rules.js';
import type { ContactRow, ContactStore } from './store.js';

/** A contact as clients see it (docs/protocol.md, "Contacts"). */
export interface ContactItem {
  userId: string;
  username: string;
  displayName: string;
  /** Whose presence flows: `to` = you see theirs, `from` = they see yours. */
  subscription: 'none' | 'to' | 'from' | 'both';
  /** You asked to see their presence and wait for them. */
  ask: boolean;
  /** They asked to see your presence and wait for you. */
  pendingIn: boolean;
  /** Their note with a pending request. */
  note: string;
  alias: string;
  groups: string[];
  /** In your contact list (false for a stranger's request you have not answered). */
  inRoster: boolean;
  /** You let them see your presence before they asked (RFC 6121 3.4): their request is approved at once. */
  approved: boolean;
  /** Their avatar's hash (core/profiles/avatars.ts), null when none. */
  avatar: string | null;
}

export interface UserLookup {
  byUsername(
    username: string,
  ): Promise<{ id: string; username: string; guest?: boolean } | undefined>;
  byId(id: string): Promise<{ id: string; username: string; guest?: boolean } | undefined>;
  displayName(id: string): Promise<string>;
}

/** The shape of every username (core/accounts/username.ts). */
const USERNAME = /^[a-z0-9._-]{1,32}$/;

export const CONTACT_LIMITS = { note: 500, alias: 64, group: 64, groups: 20 } as const;

export interface ContactService {
  list(userId: string): Promise<ContactItem[]>;
  request(userId: string, username: string, note?: string): Promise<ContactItem>;
  /** `mutual` (default true): subscribe back to them too. */
  approve(userId: string, username: string, mutual?: boolean): Promise<ContactItem>;
  /**
   * Lets them see your presence (XMPP "subscribed"): approves their waiting request
   * (one direction), or without one records a pre-approval (RFC 6121 3.4) that
   * approves their next request at once. They are told only of an approval.
   */
  allow(userId: string, username: string): Promise<ContactItem>;
  deny(userId: string, username: string): Promise<ContactItem | null>;
  cancel(userId: string, username: string): Promise<ContactItem | null>;
  remove(userId: string, username: string): Promise<void>;
  /** `groups` replaces the whole list; names are cleaned, and empty ones and repeats dropped. */
  update(
    userId: string,
    username: string,
    patch: { alias?: string; groups?: readonly string[] },
  ): Promise<ContactItem>;
  block(userId: string, username: string): Promise<void>;
  unblock(userId: string, username: string): Promise<void>;
  blocked(userId: string): Promise<{ userId: string; username: string; createdAt: number }[]>;
  isBlocked(ownerId: string, otherId: string): Promise<boolean>;
  blockersOf(userId: string): Promise<string[]>;
}

function text(v: string | undefined, field: string, max: number): string {
  if (v === undefined) return '';
  // eslint-disable-next-line no-control-regex
  const s = v.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  if ([...s].length > max)
    throw new ParleyError('bad-request', `${field} must be at most ${max} characters`, { field });
  return s;
}

function groupsOf(v: readonly string[]): string[] {
  if (v.length > CONTACT_LIMITS.groups)
    throw new ParleyError('bad-request', `at most ${CONTACT_LIMITS.groups} groups`, {
      field: 'groups',
    });
  const out = new Set<string>();
  for (const g of v) {
    const name = text(g, 'groups', CONTACT_LIMITS.group);
    if (name) out.add(name);
  }
  return [...out];
}

export function createContactService(deps: {
  store: ContactStore;
  users: UserLookup;
  router: Router;
  /** Where contact changes are logged for devices that were offline. */
  journal?: Journal;
  /** Called when `watcher` gained or lost the right to see `target`'s presence. */
  accessChanged?: (watcher: string, target: string) => void;
  /** A user's avatar hash (core/profiles/avatars.ts), for contact items. */
  avatarOf?: (userId: string) => Promise<string | null>;
  now?: () => number;
}): ContactService {
  const { store, users, router } = deps;
  /** Logs the event for the user (so an offline device replays it), then tells their sessions. */
  async function tell(
    userId: string,
    e: Omit<ContactUpdatedEvent, 'seq'> | Omit<ContactPersonEvent, 'seq'>,
  ): Promise<void> {
    const { name, ...data } = e;
    const seq = deps.journal ? await deps.journal.append(userId, name, data) : undefined;
    router.deliver(userId, seq === undefined ? e : { ...e, seq });
  }
  const accessChanged = (watcher: string, target: string) => deps.accessChanged?.(watcher, target);
  const now = deps.now ?? Date.now;

  /** `blockable`: a guest may be named too (blocking a guest is allowed; befriending one is not). */
  async function other(
    userId: string,
    username: string,
    blockable = false,
  ): Promise<{ id: string; username: string }> {
    if (username.length > 64)
      throw new ParleyError('bad-request', 'username must be a string', { field: 'username' });
    const name = username.toLowerCase();
    // A name no one can have is not looked up: PostgreSQL refuses a NUL in text (500).
    const u = USERNAME.test(name) ? await users.byUsername(name) : undefined;
    if (!u) throw new ParleyError('not-found', 'no such user', { field: 'username' });
    if (u.guest && !blockable)
      throw new ParleyError('forbidden', `${name} is a guest: guests have no contacts`, {
        field: 'username',
      });
    if (u.id === userId) throw new ParleyError('bad-request', 'that is you', { field: 'username' });
    return u;
  }

  async function item(
    row: ContactRow,
    contact: { id: string; username: string },
  ): Promise<ContactItem> {
    return {
      userId: contact.id,
      username: contact.username,
      displayName: await users.displayName(contact.id),
      subscription: rules.subscription(row),
      ask: row.askOut,
      pendingIn: row.pendingIn,
      note: row.noteIn,
      alias: row.alias,
      groups: row.groups,
      inRoster: row.inRoster,
      approved: row.approved,
      avatar: (await deps.avatarOf?.(contact.id)) ?? null,
    };
  }

  /** Tells each side's sessions about their own row. */
  async function announce(
    me: { id: string; username: string },
    them: { id: string; username: string },
    pair: rules.Pair,
    tellThem: boolean,
  ): Promise<ContactItem | null> {
    const mine = pair.ab ? await item(pair.ab, them) : null;
    if (mine) await tell(me.id, { name: 'contact.updated', contact: mine, actor: 'self' });
    else
      await tell(me.id, {
        name: 'contact.removed',
        userId: them.id,
        username: them.username,
        actor: 'self',
      });
    if (tellThem) {
      if (pair.ba)
        await tell(them.id, {
          name: 'contact.updated',
          contact: await item(pair.ba, me),
          actor: 'contact',
        });
      else
        await tell(them.id, {
          name: 'contact.removed',
          userId: me.id,
          username: me.username,
          actor: 'contact',
        });
    }
    return mine;
  }

  async function act(
    userId: string,
    username: string,
    fn: (ab: ContactRow, ba: ContactRow, t: number, theyBlockedMe: boolean) => rules.Pair,
    opts: {
      requireRow?: (ab: ContactRow | undefined) => string | undefined;
      isRequest?: boolean;
      grants?: boolean;
      /** Whether the other side is told (default: yes, unless a request to someone who blocked you). */
      tellThem?: () => boolean;
    } = {},
  ): Promise<ContactItem | null> {
    const them = await other(userId, username);
    const me = await users.byId(userId);
    if (!me) throw new ParleyError('not-authenticated', 'the account no longer exists');
    if (me.guest)
      throw new ParleyError('forbidden', 'guests have no contacts: sign up for an account');
    if ((opts.isRequest || opts.grants) && (await store.isBlocked(userId, them.id)))
      throw new ParleyError('conflict', `you blocked ${them.username}; unblock them first`, {
        field: 'username',
      });
    const theyBlockedMe = await store.isBlocked(them.id, userId);
    const t = now();
    let before = { me: false, them: false };
    const pair = await store.changePair(userId, them.id, (ab, ba) => {
      const problem = opts.requireRow?.(ab);
      if (problem) throw new ParleyError('not-found', problem);
      before = { me: ab?.subTo === true, them: ba?.subTo === true };
      const result = fn(
        ab ?? rules.emptyRow(userId, them.id, t),
        ba ?? rules.emptyRow(them.id, userId, t),
        t,
        theyBlockedMe,
      );
      return { ...result, result };
    });
    // A request to someone who blocked you changes only your side and they are not told;
    // anything that takes consent away (deny, cancel, remove) applies to both sides.
    const mine = await announce(
      me,
      them,
      pair,
      !(opts.isRequest && theyBlockedMe) && (opts.tellThem?.() ?? true),
    );
    // Only a real change of who sees whom is told, so presence reveals nothing else.
    if ((pair.ab?.subTo === true) !== before.me) accessChanged(userId, them.id);
    if ((pair.ba?.subTo === true) !== before.them) accessChanged(them.id, userId);
    return mine;
  }

  return {
    async list(userId) {
      const rows = await store.contactsOf(userId);
      return rows.map((r) => ({
        userId: r.contactId,
        username: r.username,
        displayName: r.displayName,
        subscription: rules.subscription(r),
        ask: r.askOut,
        pendingIn: r.pendingIn,
        note: r.noteIn,
        alias: r.alias,
        groups: r.groups,
        inRoster: r.inRoster,
        approved: r.approved,
        avatar: r.avatar,
      }));
    },

    async request(userId, username, note) {
      const n = text(note, 'note', CONTACT_LIMITS.note);
      return (await act(
        userId,
        username,
        (ab, ba, t, silent) => rules.request(ab, ba, n, t, silent),
        { isRequest: true },
      ))!;
    },

    async approve(userId, username, mutual) {
      return (await act(
        userId,
        username,
        // Never subscribe back to someone who has since blocked you.
        (ab, ba, t, theyBlockedMe) => rules.approve(ab, ba, mutual !== false && !theyBlockedMe, t),
        {
          requireRow: (ab) =>
            ab?.pendingIn ? undefined : 'there is no request from that user to approve',
          grants: true,
        },
      ))!;
    },

    async allow(userId, username) {
      let approval = false;
      return (await act(
        userId,
        username,
        (ab, ba, t) => {
          approval = ab.pendingIn;
          return ab.pendingIn ? rules.approve(ab, ba, false, t) : rules.preApprove(ab, ba, t);
        },
        // A pre-approval is the actor's own note: the other learns of it only by asking.
        { grants: true, tellThem: () => approval },
      ))!;
    },

    // Both need something to take back, so nobody can send events to strangers with them.
    deny: (userId, username) =>
      act(userId, username, (ab, ba, t) => rules.deny(ab, ba, t), {
        requireRow: (ab) =>
          ab?.pendingIn || ab?.subFrom
            ? undefined
            : 'that user has no request to deny and does not see your presence',
      }),
    cancel: (userId, username) =>
      act(userId, username, (ab, ba, t) => rules.cancel(ab, ba, t), {
        requireRow: (ab) =>
          ab?.askOut || ab?.subTo
            ? undefined
            : 'you have no request to cancel and do not see their presence',
      }),

    async remove(userId, username) {
      await act(userId, username, (ab, ba, t) => rules.remove(ab, ba, t), {
        requireRow: (ab) => (ab ? undefined : 'that user is not in your contacts'),
      });
    },

    async update(userId, username, patch) {
      const p: Partial<ContactRow> = { inRoster: true };
      if (patch.alias !== undefined) p.alias = text(patch.alias, 'alias', CONTACT_LIMITS.alias);
      if (patch.groups !== undefined) p.groups = groupsOf(patch.groups);
      const them = await other(userId, username);
      const me = await users.byId(userId);
      if (!me) throw new ParleyError('not-authenticated', 'the account no longer exists');
      const t = now();
      const pair = await store.changePair(userId, them.id, (ab, ba) => {
        const result: rules.Pair = {
          ab: { ...(ab ?? rules.emptyRow(userId, them.id, t)), ...p, updatedAt: t },
          ba: ba ?? null,
        };
        return { ...result, result };
      });
      return (await announce(me, them, pair, false))!;
    },

    async block(userId, username) {
      const them = await other(userId, username, true);
      const me = await users.byId(userId);
      if (!me) throw new ParleyError('not-authenticated', 'the account no longer exists');
      await store.block(userId, them.id, now());
      // Their waiting request disappears from the blocker's view (on every device); they are not told.
      let hadRequest = false;
      let theySeeMe = false;
      const pair = await store.changePair(userId, them.id, (ab, ba) => {
        hadRequest = ab?.pendingIn === true;
        theySeeMe = ba?.subTo === true;
        const result: rules.Pair = {
          ab: ab ? { ...ab, pendingIn: false, noteIn: '' } : null,
          ba: ba ?? null,
        };
        if (
          result.ab &&
          !result.ab.inRoster &&
          !result.ab.subTo &&
          !result.ab.subFrom &&
          !result.ab.askOut
        )
          result.ab = null;
        return { ...result, result };
      });
      if (hadRequest) await announce(me, them, pair, false);
      await tell(userId, { name: 'block.added', userId: them.id, username: them.username });
      if (theySeeMe) accessChanged(them.id, userId);
    },

    async unblock(userId, username) {
      const them = await other(userId, username, true);
      if (!(await store.unblock(userId, them.id)))
        throw new ParleyError('not-found', 'that user is not blocked');
      await tell(userId, { name: 'block.removed', userId: them.id, username: them.username });
      const theySeeMe = await store.changePair(userId, them.id, (ab, ba) => ({
        ab: ab ?? null,
        ba: ba ?? null,
        result: ba?.subTo === true,
      }));
      if (theySeeMe) accessChanged(them.id, userId);
    },

    blocked: (userId) => store.blocked(userId),
    isBlocked: (ownerId, otherId) => store.isBlocked(ownerId, otherId),
    blockersOf: (userId) => store.blockersOf(userId),
  };
}
