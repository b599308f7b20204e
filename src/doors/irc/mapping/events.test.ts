import { describe, expect, it } from 'vitest';
import { serialiseLine } from '../codec/line.js';
import { privmsgLines, roomMessageBytes, toIrc } from './events.js';

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

  it('what an IRC client could send in one line is relayed in one line, past 512 with the source', () => {
    const source = 'bob!bob@parley.test';
    // "PRIVMSG alice :" + text + CRLF is exactly 512 bytes, as a client may send it.
    const text = 'a'.repeat(512 - 'PRIVMSG alice :\r\n'.length);
    const lines = privmsgLines(viewer, source, 'alice', msg(text));
    expect(lines).toHaveLength(1);
    const r = serialiseLine(lines[0]!);
    expect(r.ok && r.line.length).toBe(`:${source} PRIVMSG alice :${text}`.length);
    // One byte more than a client could send: split, every piece within 512.
    const split = privmsgLines(viewer, source, 'alice', msg(`${text}aa`));
    expect(split.length).toBe(2);
    for (const l of split) {
      const s = serialiseLine(l);
      expect(s.ok && s.line.length + 2).toBeLessThanOrEqual(512);
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

describe('replies, reactions and edits', () => {
  const tagged = { ...viewer, caps: new Set(['message-tags']) };
  const base = {
    id: 'm7',
    conversationId: 'room:r1',
    seq: 7,
    sender,
    clientId: 'c',
    text: 'hello',
    replyTo: 'm3',
    createdAt: 1000,
    editedAt: null,
    deletedAt: null,
    reactions: [],
    room: { id: 'r1', name: 'tardis' },
    mentions: [],
  };
  const event = (change: 'new' | 'edited' | 'reaction', extra: object = {}) => ({
    name: 'room.message' as const,
    room: { id: 'r1', name: 'tardis' },
    roomSeq: 8,
    at: 2000,
    change,
    message: { ...base, ...extra },
  });

  it('a reply carries +draft/reply only for clients with message-tags', () => {
    expect(toIrc(event('new'), tagged)[0]!.tags.get('+draft/reply')).toBe('m3');
    expect(toIrc(event('new'), viewer)[0]!.tags.size).toBe(0);
  });

  it('a reaction is a TAGMSG from who reacted; taken back it is +draft/unreact; none without tags', () => {
    const carol = { id: 'u3', username: 'carol' };
    const on = { ...event('reaction'), by: carol, reaction: { emoji: '👍', on: true } };
    const [line] = toIrc(on, tagged);
    expect(serialiseLine(line!)).toEqual({
      ok: true,
      line: '@+draft/reply=m7;+draft/react=👍 :carol!carol@parley.test TAGMSG #tardis',
    });
    const off = { ...on, reaction: { emoji: '👍', on: false } };
    expect(toIrc(off, tagged)[0]!.tags.get('+draft/unreact')).toBe('👍');
    expect(toIrc(on, viewer)).toEqual([]);
    // An old timeline entry without the detail says nothing rather than guess.
    expect(toIrc({ ...event('reaction'), by: carol }, tagged)).toEqual([]);
  });

  it('an edit is a marked line replying to the message, without a msgid of its own', () => {
    const e = event('edited', { text: '/me waves again', editedAt: 3000 });
    const [line] = toIrc(e, tagged);
    expect(line!.params).toEqual(['#tardis', '\x01ACTION (edited) waves again\x01']);
    expect([...line!.tags]).toEqual([['+draft/reply', 'm7']]);
    const [plain] = toIrc(event('edited', { text: 'hi', editedAt: 3000 }), viewer);
    expect(plain!.params[1]).toBe('(edited) hi');
    expect(toIrc(event('edited', { deletedAt: 5 }), tagged)).toEqual([]);
  });
});

describe('names and guests', () => {
  const withCaps = (...caps: string[]) => ({ ...viewer, caps: new Set(caps) });
  const room = { id: 'r1', name: 'tardis' };

  it('room.profile is SETNAME from that member, never about yourself; profile.updated is your own', () => {
    const e = { name: 'room.profile' as const, room, user: sender, displayName: 'Bob B' };
    expect(toIrc(e, withCaps('setname'))[0]).toMatchObject({
      source: 'bob!bob@parley.test',
      command: 'SETNAME',
      params: ['Bob B'],
    });
    expect(toIrc(e, viewer)).toEqual([]);
    expect(toIrc({ ...e, user: { id: 'u1', username: 'alice' } }, withCaps('setname'))).toEqual([]);
    const own = {
      name: 'profile.updated' as const,
      profile: {
        userId: 'u1',
        username: 'alice',
        displayName: '',
        birthYear: null,
        city: '',
        country: '',
        about: '',
        searchable: true,
        avatar: null,
      },
    };
    // No display name: the real name is the username.
    expect(toIrc(own, withCaps('setname'))[0]!.params).toEqual(['alice']);
  });

  it('extended-join names no account for a guest', () => {
    const joined = (guest?: true) => ({
      name: 'room.member' as const,
      room,
      roomSeq: 3,
      at: 0,
      change: 'joined' as const,
      user: sender,
      by: null,
      ...(guest ? { guest } : {}),
    });
    expect(toIrc(joined(), withCaps('extended-join'))[0]!.params).toEqual([
      '#tardis',
      'bob',
      'bob',
    ]);
    expect(toIrc(joined(true), withCaps('extended-join'))[0]!.params).toEqual([
      '#tardis',
      '*',
      'bob',
    ]);
  });

  it('extended-join: the real name is the display name when there is one', () => {
    const e = {
      name: 'room.member' as const,
      room,
      roomSeq: 3,
      at: 0,
      change: 'joined' as const,
      user: { ...sender, displayName: 'Bob Builder' },
      by: null,
    };
    expect(toIrc(e, withCaps('extended-join'))[0]!.params).toEqual([
      '#tardis',
      'bob',
      'Bob Builder',
    ]);
    expect(toIrc(e, withCaps())[0]!.params).toEqual(['#tardis']);
  });
});
