import { describe, expect, it } from 'vitest';
import { serialiseLine } from '../codec/line.js';
import { privmsgLines, roomMessageBytes } from './events.js';

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

describe('roomMessageBytes', () => {
  const event = () =>
    ({
      name: 'room.message',
      room: { id: 'r1', name: 'tardis' },
      roomSeq: 7,
      at: 1000,
      change: 'new',
      message: {
        id: 'm7',
        conversationId: 'room:r1',
        seq: 7,
        sender,
        clientId: 'c',
        text: 'hello\nworld',
        replyTo: null,
        createdAt: 1000,
        editedAt: null,
        deletedAt: null,
        reactions: [],
        room: { id: 'r1', name: 'tardis' },
        mentions: [],
      },
    }) as const;

  it('builds the lines once per capability set and shares them', () => {
    const e = event();
    const plain = roomMessageBytes(e, viewer);
    expect(plain.toString('utf8')).toBe(
      ':bob!bob@parley.test PRIVMSG #tardis :hello\r\n:bob!bob@parley.test PRIVMSG #tardis :world\r\n',
    );
    // The same bytes, not a copy: encoded once.
    expect(roomMessageBytes(e, { ...viewer, userId: 'u9', nick: 'carol' })).toBe(plain);
    const tagged = roomMessageBytes(e, {
      ...viewer,
      caps: new Set(['server-time', 'message-tags']),
    }).toString('utf8');
    expect(tagged).toMatch(
      /^@time=1970-01-01T00:00:01\.000Z;msgid=m7 :bob!bob@parley\.test PRIVMSG #tardis :hello\r\n/,
    );
    // The msgid is on the first line only; every line carries the time.
    expect(tagged.split('\r\n')[1]).toMatch(/^@time=[^;]+ :bob/);
  });
});
