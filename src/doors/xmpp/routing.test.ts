import { describe, expect, it } from 'vitest';
import type { MessageEvent, NoticeEvent } from '../../core/events.js';
import type { Session } from '../../core/sessions.js';
import { pickMessage } from './routing.js';

const online = new Set(['phone', 'desk']);
const sessions = {
  byResource: (_u: string, r: string) => (online.has(r) ? ({} as Session) : undefined),
};
const me = { userId: 'me', resource: 'phone', priority: 0, carbons: false };

const message = (route?: MessageEvent['route'], sender = 'bob'): MessageEvent => ({
  name: 'message',
  seq: 1,
  change: 'new',
  message: {
    id: 'm',
    conversationId: 'dm',
    seq: 1,
    sender: { id: sender, username: sender },
    recipient: { id: 'me', username: 'me' },
    clientId: 'c',
    text: 'x',
    replyTo: null,
    createdAt: 0,
    editedAt: null,
    deletedAt: null,
    reactions: [],
  },
  ...(route ? { route } : {}),
});
const notice = (route?: NoticeEvent['route']): NoticeEvent => ({
  name: 'notice',
  from: { id: 'bob', username: 'bob' },
  text: 'n',
  ...(route ? { route } : {}),
});

describe('RFC 6121 8.5 resource picking', () => {
  it('a bare JID: every non-negative resource', () => {
    expect(pickMessage(me, sessions, message())).toBe('deliver');
    expect(pickMessage({ ...me, priority: -1 }, sessions, message())).toBe('skip');
    expect(pickMessage({ ...me, priority: -1 }, sessions, notice())).toBe('skip');
    expect(pickMessage(me, sessions, notice())).toBe('deliver');
  });

  it('a connected full JID: that resource only, whatever its priority; carbons as received', () => {
    expect(pickMessage({ ...me, priority: -5 }, sessions, message({ to: 'phone' }))).toBe(
      'deliver',
    );
    expect(pickMessage({ ...me, resource: 'desk' }, sessions, message({ to: 'phone' }))).toBe(
      'skip',
    );
    expect(
      pickMessage({ ...me, resource: 'desk', carbons: true }, sessions, message({ to: 'phone' })),
    ).toBe('carbon');
    // Headlines are not carbon-copied.
    expect(
      pickMessage({ ...me, resource: 'desk', carbons: true }, sessions, notice({ to: 'phone' })),
    ).toBe('skip');
  });

  it('a full JID not connected: chat by the bare rules, normal and headlines to nobody', () => {
    expect(pickMessage(me, sessions, message({ to: 'gone' }))).toBe('deliver');
    expect(pickMessage({ ...me, priority: -1 }, sessions, message({ to: 'gone' }))).toBe('skip');
    expect(pickMessage(me, sessions, message({ to: 'gone', single: true }))).toBe('skip');
    expect(pickMessage(me, sessions, notice({ to: 'gone' }))).toBe('skip');
  });

  it("one's own messages and changes are not picked here", () => {
    expect(pickMessage({ ...me, priority: -1 }, sessions, message(undefined, 'me'))).toBe(
      'deliver',
    );
    expect(pickMessage({ ...me, priority: -1 }, sessions, { ...message(), change: 'edited' })).toBe(
      'deliver',
    );
  });
});
