import { describe, expect, it } from 'vitest';
import { xml } from '../codec/element.js';
import { XMLNS } from '../xmlns.js';
import { bind2Resource } from './bind2.js';

const req = (tag?: string) =>
  xml('bind', { xmlns: XMLNS.bind2 }, tag !== undefined && xml('tag', {}, tag));

describe('Bind 2 resources', () => {
  it('are the tag and a part stable per client id and tag, not revealing the id', () => {
    const a = bind2Resource('alice', 'localhost', 'u1', req('Conversations'), 'client-1');
    expect(a).toMatch(/^Conversations\.[A-Za-z0-9_-]{10}$/);
    expect(bind2Resource('alice', 'localhost', 'u1', req('Conversations'), 'client-1')).toBe(a);
    expect(bind2Resource('alice', 'localhost', 'u1', req('Conversations'), 'client-2')).not.toBe(a);
    expect(bind2Resource('alice', 'localhost', 'u2', req('Conversations'), 'client-1')).not.toBe(a);
    expect(a).not.toContain('client-1');
  });

  it('are random without a client id, and without a tag are our part alone', () => {
    const x = bind2Resource('alice', 'localhost', 'u1', req('Tag'), undefined);
    expect(bind2Resource('alice', 'localhost', 'u1', req('Tag'), undefined)).not.toBe(x);
    expect(bind2Resource('alice', 'localhost', 'u1', req(), 'c')).toMatch(/^[A-Za-z0-9_-]{10}$/);
  });

  it('cut a long tag and drop one that cannot be in a JID', () => {
    const long = bind2Resource('alice', 'localhost', 'u1', req('x'.repeat(500)), 'c');
    expect(long.startsWith(`${'x'.repeat(32)}.`)).toBe(true);
    expect(bind2Resource('alice', 'localhost', 'u1', req('bad\u0001tag'), 'c')).toMatch(
      /^[A-Za-z0-9_-]{10}$/,
    );
    expect(bind2Resource('alice', 'localhost', 'u1', req('   '), 'c')).toMatch(
      /^[A-Za-z0-9_-]{10}$/,
    );
  });
});
