/**
 * Room roles and who may do what to whom. Pure rules, so every door (and the
 * tests) agree: an actor acts only on members ranked below them, and never
 * grants a role above their own.
 */
export const ROLES = ['member', 'moderator', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const rank = (r: Role): number => ROLES.indexOf(r);

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** Kick, ban, mute: moderators and up, on someone ranked below (or a non-member). */
export function canModerate(actor: Role, target: Role | undefined): boolean {
  return rank(actor) >= rank('moderator') && (target === undefined || rank(target) < rank(actor));
}

/**
 * Changing `target`'s role from `from` to `to`: admins and owners only; admins
 * act on moderators and members and grant up to moderator; owners do anything,
 * including making (or unmaking) other owners.
 */
export function canSetRole(actor: Role, from: Role, to: Role): boolean {
  if (actor === 'owner') return true;
  if (actor !== 'admin') return false;
  return rank(from) < rank('admin') && rank(to) < rank('admin');
}

/** Visibility and other settings: admins and owners. */
export const canConfigure = (actor: Role): boolean => rank(actor) >= rank('admin');

/** Locking the topic, and changing it while locked: moderators and up. */
export const canLockTopic = (actor: Role): boolean => rank(actor) >= rank('moderator');

/** Deleting someone else's message: moderators and up. */
export const canRedact = (actor: Role): boolean => rank(actor) >= rank('moderator');
