import { describe, expect, it } from 'vitest';
import { serialiseLine } from '../codec/line.js';
import { privmsgLines } from './events.js';

const viewer = { userId: 'u1', nick: 'alice', server: 'parley.test', caps: new Set<string>() };
const sender = { id: 'u2', username: 'bob' };
const msg = (text: string) => ({ id: 'm1', text, createdAt: 0, sender });

describe('privmsgLines', () => {
  it('a stored "/me ..." is a CTCP ACTION on IRC', () => {
    const [line] = privmsgLines(viewer, 'bob!bob@parley.test', '#tea', msg('/me waves'));
    expect(line!.params).toEqual(['#tea', '\x01ACTION waves\x01']);
  });

  it('plain text, "/me" alone and "/mess" stay text', () => {
    for (const text of ['hello', '/me', '/me ', '/mess up'])
      expect(privmsgLines(viewer, 'bob', 'alice', msg(text))[0]!.params[1]).toBe(text);
  });

  it('a long action is cut into actions that each fit in a line', () => {
    const lines = privmsgLines(
      viewer,
      'bob!bob@parley.test',
      '#tea',
      msg(`/me ${'é'.repeat(900)}`),
    );
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) {
      // eslint-disable-next-line no-control-regex
      expect(l.params[1]).toMatch(/^\x01ACTION é+\x01$/);
      expect(serialiseLine(l).ok).toBe(true);
    }
  });

  it('\x01 inside an action cannot end the CTCP early', () => {
    const [line] = privmsgLines(viewer, 'bob', '#tea', msg('/me a\x01VERSION\x01'));
    expect(line!.params[1]).toBe('\x01ACTION aVERSION\x01');
  });
});
