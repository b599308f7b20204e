import { describe, expect, it } from 'vitest';
import { xml } from './codec/element.js';
import { serialize } from './codec/serialize.js';
import { isStanza, MOD, parseH, StreamManagement, withDelay } from './sm.js';

describe('XEP-0198 bookkeeping', () => {
  it('reads h only as a decimal below 2^32', () => {
    expect(parseH('0')).toBe(0);
    expect(parseH('4294967295')).toBe(4294967295);
    for (const bad of [
      undefined,
      '',
      '-1',
      '4294967296',
      '1e3',
      ' 1',
      '0x10',
      '99999999999',
      '1.5',
    ])
      expect(parseH(bad), String(bad)).toBeUndefined();
  });

  it('counts stanzas, not nonzas', () => {
    expect(isStanza(xml('message'))).toBe(true);
    expect(isStanza(xml('iq', { type: 'result' }))).toBe(true);
    expect(isStanza(xml('r', { xmlns: 'urn:xmpp:sm:3' }))).toBe(false);
    expect(isStanza(xml('message', { xmlns: 'jabber:server' }))).toBe(false);
  });

  it('drops what an h acknowledges and refuses an h above what was sent', () => {
    const sm = new StreamManagement('t');
    for (const id of ['a', 'b', 'c']) sm.sent(xml('message', { id }));
    expect(sm.ack(2)).toBe(true);
    expect(sm.unacked.map((u) => u.el.attr('id'))).toEqual(['c']);
    expect(sm.ack(2)).toBe(true); // the same h again acknowledges nothing new
    expect(sm.newlyAcked(4)).toBeUndefined();
    expect(sm.ack(4)).toBe(false);
    expect(sm.unacked).toHaveLength(1);
    expect(sm.sentCount()).toBe(3);
  });

  it('wraps both counters at 2^32', () => {
    const sm = new StreamManagement(undefined);
    sm.inbound = MOD - 1;
    sm.handled();
    expect(sm.inbound).toBe(0);
    sm.acked = MOD - 2;
    for (let i = 0; i < 3; i++) sm.sent(xml('presence'));
    expect(sm.sentCount()).toBe(1);
    expect(sm.ack(0)).toBe(true); // MOD - 2 + 2 wraps to 0
    expect(sm.unacked).toHaveLength(1);
    expect(sm.ack(1)).toBe(true);
    expect(sm.unacked).toHaveLength(0);
  });

  it('stamps a message sent again with when it was first sent, once', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5);
    const m = xml('message', { to: 'a@b' }, xml('body', {}, 'hi'));
    const again = withDelay({ el: m, at }, 'localhost', 'urn:xmpp:delay');
    expect(serialize(again)).toBe(
      "<message to='a@b'><body>hi</body><delay xmlns='urn:xmpp:delay' from='localhost' stamp='2026-01-02T03:04:05.000Z'/></message>",
    );
    expect(withDelay({ el: again, at: at + 1000 }, 'localhost', 'urn:xmpp:delay')).toBe(again);
    const p = xml('presence');
    expect(withDelay({ el: p, at }, 'localhost', 'urn:xmpp:delay')).toBe(p);
  });
});
