import type { RoomRole } from '../../../src/sdk/index.js';

/**
 * Who may do what in a room, as docs/protocol.md 12.2 states it, so the client
 * offers only the actions the server would accept. The server still decides:
 * a refusal is shown as it comes.
 */
const RANK: Record<RoomRole, number> = { member: 0, moderator: 1, admin: 2, owner: 3 };

export const rank = (r: RoomRole): number => RANK[r];

/** Kick, ban, mute, unmute: moderators and up, on someone ranked strictly below. */
export const canModerate = (me: RoomRole, them: RoomRole): boolean =>
  rank(me) >= rank('moderator') && rank(them) < rank(me);

/**
 * The roles `me` may give someone who is `from` now (their current role left
 * out). Owners: any; admins: moderators and members, up to moderator.
 */
export function rolesToGrant(me: RoomRole, from: RoomRole): RoomRole[] {
  const all: RoomRole[] = ['owner', 'admin', 'moderator', 'member'];
  if (me === 'owner') return all.filter((r) => r !== from);
  if (me !== 'admin' || rank(from) >= rank('admin')) return [];
  return (['moderator', 'member'] as RoomRole[]).filter((r) => r !== from);
}

/** The topic: any member not muted while unlocked; moderators and up (not muted) while locked. */
export const canEditTopic = (me: RoomRole, muted: boolean, locked: boolean): boolean =>
  !muted && (!locked || rank(me) >= rank('moderator'));

/** Locking the topic and reading the ban list: moderators and up. */
export const canLockTopic = (me: RoomRole): boolean => rank(me) >= rank('moderator');
export const canSeeBans = canLockTopic;

/** Visibility: admins and owners. */
export const canConfigure = (me: RoomRole): boolean => rank(me) >= rank('admin');

/** Members as the server lists them: owners first, then admins, moderators, members, each by name. */
export function memberOrder(
  a: { role: RoomRole; username: string },
  b: { role: RoomRole; username: string },
): number {
  return (
    rank(b.role) - rank(a.role) || (a.username < b.username ? -1 : a.username > b.username ? 1 : 0)
  );
}
