import { describe, expect, it } from 'vitest';
import { xml } from './codec/element.js';
import { ClientState, MAX_HELD } from './csi.js';

const presence = (from: string, status: string) =>
  xml('presence', { from }, xml('status', {}, status));
const typing = (from: string) =>
  xml('message', { from }, xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' }));

describe('XEP-0352 client state', () => {
  it('holds nothing while active', () => {
    const s = new ClientState();
    expect(s.hold(presence('a@x', '1')).held).toBe(false);
    expect(s.size).toBe(0);
  });

  it('holds presence and bare chat states, the latest per contact; messages and requests pass', () => {
    const s = new ClientState();
    s.inactive = true;
    expect(s.hold(presence('a@x', '1')).held).toBe(true);
    expect(s.hold(presence('b@x', '1')).held).toBe(true);
    expect(s.hold(presence('a@x', '2')).held).toBe(true);
    expect(s.hold(typing('a@x')).held).toBe(true);
    expect(s.hold(xml('presence', { from: 'c@x', type: 'subscribe' })).held).toBe(false);
    const withBody = xml(
      'message',
      { from: 'a@x' },
      xml('body', {}, 'hi'),
      xml('active', { xmlns: 'http://jabber.org/protocol/chatstates' }),
    );
    expect(s.hold(withBody).held).toBe(false);
    expect(s.hold(xml('iq', { type: 'set' })).held).toBe(false);
    const out = s.flush();
    expect(out.map((e) => [e.name, e.attr('from'), e.getChildText('status')])).toEqual([
      ['presence', 'b@x', '1'],
      ['presence', 'a@x', '2'],
      ['message', 'a@x', undefined],
    ]);
    expect(s.size).toBe(0);
  });

  it('stays bounded: past MAX_HELD contacts everything held goes out', () => {
    const s = new ClientState();
    s.inactive = true;
    for (let i = 0; i < MAX_HELD; i++) expect(s.hold(presence(`u${i}@x`, 's')).flush).toEqual([]);
    const r = s.hold(presence('one-more@x', 's'));
    expect(r.held).toBe(true);
    expect(r.flush).toHaveLength(MAX_HELD + 1);
    expect(s.size).toBe(0);
  });
});
