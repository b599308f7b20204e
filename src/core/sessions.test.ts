import { describe, expect, it } from 'vitest';
import { event } from '../../test/helpers/events.js';
import {
  type Capability,
  createSessionRegistry,
  parseSessionKey,
  type Session,
  sessionKey,
  wants,
} from './sessions.js';

function session(userId: string, connectionId: string, resource: string, caps: Capability[] = []) {
  const s: Session = {
    id: 'login',
    connectionId,
    userId,
    door: 'irc',
    resource,
    capabilities: new Set(caps),
    send: () => {},
    close: () => {},
  };
  return s;
}

describe('session registry', () => {
  it('keeps a free resource, suffixes a taken one, and makes one up when there is none', () => {
    const reg = createSessionRegistry();
    const a = session('u1', 'c1', 'laptop');
    const b = session('u1', 'c2', 'laptop');
    const c = session('u1', 'c3', '');
    const d = session('u2', 'c4', 'laptop');
    for (const s of [a, b, c, d]) reg.add(s);
    expect(a.resource).toBe('laptop');
    expect(b.resource).toBe('laptop-2');
    expect(c.resource).toMatch(/^irc-[0-9a-z]{8}$/);
    expect(d.resource).toBe('laptop'); // unique per user, not per node
    expect(reg.byResource('u1', 'laptop-2')).toBe(b);
    expect(reg.byConnection('c3')).toBe(c);
    reg.remove(a);
    expect(reg.byConnection('c1')).toBeUndefined();
    const e = session('u1', 'c5', 'laptop');
    reg.add(e);
    expect(e.resource).toBe('laptop');
  });

  it('cleans control characters and bounds the length', () => {
    const reg = createSessionRegistry();
    const s = session('u1', 'c1', `  a\u0000b${'x'.repeat(100)}`);
    reg.add(s);
    expect(s.resource).toBe(`a b${'x'.repeat(61)}`);
  });
});

describe('wants', () => {
  it('drops the echo unless asked, and capability events unless asked', () => {
    const plain = session('u1', 'c1', 'r');
    const all = session('u1', 'c2', 'r', ['echo', 'typing', 'receipts', 'occupancy']);
    for (const [name, forPlain] of [
      ['message', true],
      ['typing', false],
      ['room.typing', false],
      ['receipt', false],
      ['room.occupant', false],
      ['marker', true],
    ] as const) {
      expect(wants(plain, event(name, {})), name).toBe(forPlain);
      expect(wants(all, event(name, {})), name).toBe(true);
    }
    expect(wants(plain, event('message', {}, 'c1'))).toBe(false);
    expect(wants(plain, event('message', {}, 'c9'))).toBe(true);
    expect(wants(all, event('message', {}, 'c2'))).toBe(true);
  });
});

describe('session keys', () => {
  it('round-trip, and a node id may hold a slash', () => {
    expect(parseSessionKey(sessionKey('node-1', 'c1'))).toEqual({
      nodeId: 'node-1',
      connectionId: 'c1',
    });
    expect(parseSessionKey(sessionKey('a/b', 'c1'))).toEqual({ nodeId: 'a/b', connectionId: 'c1' });
    expect(parseSessionKey('nokey')).toBeNull();
    expect(parseSessionKey('/c1')).toBeNull();
  });
});
