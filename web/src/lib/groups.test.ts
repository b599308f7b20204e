import { describe, expect, it } from 'vitest';
import { allGroups, groupContacts, UNGROUPED } from './groups.js';

const c = (name: string, ...groups: string[]) => ({ name, groups });

describe('groupContacts', () => {
  it('lists a contact under each of its groups, ungrouped ones last', () => {
    const out = groupContacts([c('ann', 'Work', 'friends'), c('bob'), c('cy', 'Work')]);
    expect(out.map(([g, l]) => [g, l.map((x) => x.name)])).toEqual([
      ['friends', ['ann']],
      ['Work', ['ann', 'cy']],
      [UNGROUPED, ['bob']],
    ]);
  });
  it('is empty for no contacts, and a repeated group counts once', () => {
    expect(groupContacts([])).toEqual([]);
    expect(groupContacts([c('ann', 'A', 'A')])).toEqual([['A', [c('ann', 'A', 'A')]]]);
  });
});

describe('allGroups', () => {
  it('gives each name once, sorted without regard to case', () => {
    expect(allGroups([c('a', 'b', 'A'), c('b', 'b')])).toEqual(['A', 'b']);
  });
});
