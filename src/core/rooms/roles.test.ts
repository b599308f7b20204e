import { describe, expect, it } from 'vitest';
import {
  canConfigure,
  canLockTopic,
  canModerate,
  canRedact,
  canSetRole,
  isRole,
  rank,
  type Role,
  ROLES,
} from './roles.js';

/**
 * The room rules every door shares: an actor acts only on members ranked below
 * them and never grants a role above what they may. Each table below lists
 * every combination, so a change to one rule shows up as a named row.
 */

const [member, moderator, admin, owner] = ROLES;

describe('rank and isRole', () => {
  it('orders member < moderator < admin < owner', () => {
    expect(ROLES).toEqual(['member', 'moderator', 'admin', 'owner']);
    expect([member, moderator, admin, owner].map(rank)).toEqual([0, 1, 2, 3]);
  });

  it('accepts exactly the four role names', () => {
    for (const r of ROLES) expect(isRole(r)).toBe(true);
    for (const v of [
      'Owner',
      'OWNER',
      ' owner',
      'owner\u0000',
      'operator',
      'voice',
      '',
      'toString',
      '__proto__',
      0,
      3,
      null,
      undefined,
      ['owner'],
      { role: 'owner' },
      true,
    ])
      expect(isRole(v), JSON.stringify(v)).toBe(false);
  });
});

describe('canModerate (kick, ban, mute)', () => {
  // Rows: actor; columns: target member, moderator, admin, owner, non-member.
  const table: Record<Role, [boolean, boolean, boolean, boolean, boolean]> = {
    member: [false, false, false, false, false],
    moderator: [true, false, false, false, true],
    admin: [true, true, false, false, true],
    owner: [true, true, true, false, true],
  };

  for (const actor of ROLES)
    it(`a ${actor}`, () => {
      const got = [...ROLES.map((t) => canModerate(actor, t)), canModerate(actor, undefined)];
      expect(got).toEqual(table[actor]);
    });

  it('a moderator cannot ban an admin, an admin cannot touch an owner, nobody acts on an equal', () => {
    expect(canModerate('moderator', 'admin')).toBe(false);
    expect(canModerate('admin', 'owner')).toBe(false);
    for (const r of ROLES) expect(canModerate(r, r)).toBe(false);
  });
});

describe('canSetRole (actor changes target from one role to another)', () => {
  it('members and moderators never change roles', () => {
    for (const actor of [member, moderator] as const)
      for (const from of ROLES)
        for (const to of ROLES)
          expect(canSetRole(actor, from, to), `${actor}:${from}->${to}`).toBe(false);
  });

  it('owners change any role, including making and unmaking owners', () => {
    for (const from of ROLES)
      for (const to of ROLES) expect(canSetRole(owner, from, to)).toBe(true);
  });

  it('admins act on moderators and members only, and grant at most moderator', () => {
    const allowed: string[] = [];
    for (const from of ROLES)
      for (const to of ROLES) if (canSetRole(admin, from, to)) allowed.push(`${from}->${to}`);
    expect(allowed.sort()).toEqual(
      ['member->member', 'member->moderator', 'moderator->member', 'moderator->moderator'].sort(),
    );
    // The cases that matter most, named.
    expect(canSetRole(admin, owner, member)).toBe(false);
    expect(canSetRole(admin, admin, member)).toBe(false);
    expect(canSetRole(admin, member, admin)).toBe(false);
    expect(canSetRole(admin, member, owner)).toBe(false);
  });
});

describe('settings, topic lock, redaction', () => {
  it('visibility and settings: admins and owners', () => {
    expect(ROLES.map(canConfigure)).toEqual([false, false, true, true]);
  });
  it('locking the topic (and changing a locked one): moderators and up', () => {
    expect(ROLES.map(canLockTopic)).toEqual([false, true, true, true]);
  });
  it('deleting other people’s messages: moderators and up', () => {
    expect(ROLES.map(canRedact)).toEqual([false, true, true, true]);
  });
});
