/** The heading for contacts in no group. */
export const UNGROUPED = 'Contacts';

/**
 * Contacts by group, groups in name order with the ungrouped ones last. A
 * contact in two groups is listed under both; a group named like the
 * ungrouped heading shares it rather than showing twice.
 */
export function groupContacts<T extends { groups: string[] }>(list: T[]): [string, T[]][] {
  const by = new Map<string, T[]>();
  const add = (g: string, c: T) => {
    const l = by.get(g);
    if (l) l.push(c);
    else by.set(g, [c]);
  };
  for (const c of list) {
    if (c.groups.length === 0) add(UNGROUPED, c);
    else for (const g of new Set(c.groups)) add(g, c);
  }
  return [...by.entries()].sort(([a], [b]) => {
    if (a === UNGROUPED || b === UNGROUPED) return a === UNGROUPED ? 1 : -1;
    return a.localeCompare(b, undefined, { sensitivity: 'base' });
  });
}

/** Every group name in use, sorted, for choosing from. */
export function allGroups(list: { groups: string[] }[]): string[] {
  return [...new Set(list.flatMap((c) => c.groups))].sort((a, b) =>
    a.localeCompare(b, undefined, { sensitivity: 'base' }),
  );
}
