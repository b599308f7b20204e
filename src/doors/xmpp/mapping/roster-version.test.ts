import { describe, expect, it } from 'vitest';
import { xml } from '../codec/element.js';
import { RosterVersion } from './roster-version.js';

const item = (jid: string, name?: string) => xml('item', { jid, subscription: 'both', name });

describe('XMPP roster versions (XEP-0237)', () => {
  it('depend on the items only, not on their order', () => {
    const a = new RosterVersion([item('a@x'), item('b@x')]).version();
    expect(new RosterVersion([item('b@x'), item('a@x')]).version()).toBe(a);
    expect(new RosterVersion([item('a@x')]).version()).not.toBe(a);
    expect(new RosterVersion([item('a@x', 'Ann'), item('b@x')]).version()).not.toBe(a);
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('a push gives the version a fresh read of the new list gives', () => {
    const r = new RosterVersion([item('a@x')]);
    expect(r.apply(item('b@x'))).toBe(new RosterVersion([item('a@x'), item('b@x')]).version());
    expect(r.apply(item('a@x', 'Ann'))).toBe(
      new RosterVersion([item('a@x', 'Ann'), item('b@x')]).version(),
    );
    expect(r.apply(xml('item', { jid: 'a@x', subscription: 'remove' }))).toBe(
      new RosterVersion([item('b@x')]).version(),
    );
  });
});
