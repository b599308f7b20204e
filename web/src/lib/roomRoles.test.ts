import { describe, expect, it } from 'vitest';
import { canEditTopic, canModerate, memberOrder, rolesToGrant } from './roomRoles.js';

describe('room roles', () => {
  it('moderates only those ranked below', () => {
    expect(canModerate('moderator', 'member')).toBe(true);
    expect(canModerate('moderator', 'moderator')).toBe(false);
    expect(canModerate('member', 'member')).toBe(false);
    expect(canModerate('owner', 'admin')).toBe(true);
  });

  it('grants roles as 12.2 says', () => {
    expect(rolesToGrant('owner', 'member')).toEqual(['owner', 'admin', 'moderator']);
    expect(rolesToGrant('admin', 'member')).toEqual(['moderator']);
    expect(rolesToGrant('admin', 'admin')).toEqual([]);
    expect(rolesToGrant('moderator', 'member')).toEqual([]);
  });

  it('respects the topic lock and mutes', () => {
    expect(canEditTopic('member', false, false)).toBe(true);
    expect(canEditTopic('member', false, true)).toBe(false);
    expect(canEditTopic('moderator', false, true)).toBe(true);
    expect(canEditTopic('owner', true, false)).toBe(false);
  });

  it('orders members as the server does', () => {
    const list = [
      { role: 'member' as const, username: 'al' },
      { role: 'owner' as const, username: 'zed' },
      { role: 'moderator' as const, username: 'bo' },
      { role: 'member' as const, username: 'ab' },
    ];
    expect(list.sort(memberOrder).map((m) => m.username)).toEqual(['zed', 'bo', 'ab', 'al']);
  });
});
