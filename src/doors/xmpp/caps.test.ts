import { describe, expect, it } from 'vitest';
import { capsVer, CONTACT_FEATURES, CONTACT_IDENTITY, CONTACT_VER } from './caps.js';

describe('XEP-0115 verification strings', () => {
  it('matches the XEP simple example (5.2)', () => {
    expect(
      capsVer(
        [{ category: 'client', type: 'pc', name: 'Exodus 0.9.1' }],
        [
          'http://jabber.org/protocol/disco#info',
          'http://jabber.org/protocol/disco#items',
          'http://jabber.org/protocol/muc',
          'http://jabber.org/protocol/caps',
        ],
      ),
    ).toBe('QgayPKawpkPSDYmwT/WM94uAlu0=');
  });

  it('does not depend on order; a feature more changes it', () => {
    const f = [...CONTACT_FEATURES];
    expect(capsVer([CONTACT_IDENTITY], f.reverse())).toBe(CONTACT_VER);
    expect(capsVer([CONTACT_IDENTITY], [...f, 'urn:example:more'])).not.toBe(CONTACT_VER);
  });
});
