import { describe, expect, it } from 'vitest';
import type { DirectMessage, TypingEvent } from '../../../core/events.js';
import { serialize } from '../codec/serialize.js';
import { toStanzas, type Viewer } from './events.js';
import { chatState, markerStanza, reactionStanzas, retraction } from './message-changes.js';

const v: Viewer = { userId: 'me', domain: 'example.org', jid: 'alice@example.org/phone' };
const bob = { id: 'bob-id', username: 'bob' };
const alice = { id: 'me', username: 'alice' };

const msg = (over: Partial<DirectMessage> = {}): DirectMessage => ({
  id: 'm1',
  conversationId: 'dm:a:b',
  seq: 1,
  sender: bob,
  recipient: alice,
  clientId: 'c1',
  text: '',
  replyTo: null,
  createdAt: 0,
  editedAt: null,
  deletedAt: 1,
  reactions: [],
  ...over,
});

describe('XMPP mapping of message changes, typing and markers', () => {
  it('a deletion is a XEP-0424 retraction with a fallback body; own only as a carbon', () => {
    const r = retraction(msg(), v)!;
    expect(r.attr('from')).toBe('bob@example.org');
    expect(r.getChild('retract', 'urn:xmpp:message-retract:1')!.attr('id')).toBe('c1');
    expect(r.getChild('fallback', 'urn:xmpp:fallback:0')!.attr('for')).toBe(
      'urn:xmpp:message-retract:1',
    );
    expect(r.getChildText('body')).not.toBe('');
    const own = msg({ sender: alice, recipient: bob });
    expect(retraction(own, v)).toBeUndefined();
    const carbon = retraction(own, { ...v, carbons: true })!;
    const inner = carbon.getChild('sent')!.getChild('forwarded')!.getChild('message')!;
    expect(inner.attr('to')).toBe('bob@example.org');
    expect(inner.getChild('retract', 'urn:xmpp:message-retract:1')).toBeDefined();
    expect(
      toStanzas({ name: 'message', seq: 1, change: 'deleted', message: msg() }, v, new Set()),
    ).toHaveLength(1);
  });

  it('reactions are the whole set of who reacted (XEP-0444); both when not said', () => {
    const m = msg({
      deletedAt: null,
      reactions: [
        { emoji: '👍', userIds: ['bob-id', 'me'] },
        { emoji: '🎉', userIds: ['bob-id'] },
      ],
    });
    const [b] = reactionStanzas(m, v, bob);
    expect(serialize(b!)).toBe(
      "<message type='chat' from='bob@example.org' to='alice@example.org/phone'>" +
        "<reactions xmlns='urn:xmpp:reactions:0' id='c1'><reaction>👍</reaction><reaction>🎉</reaction></reactions>" +
        "<store xmlns='urn:xmpp:hints'/></message>",
    );
    // Own reactions from elsewhere: only as a carbon.
    expect(reactionStanzas(m, v, alice)).toEqual([]);
    expect(reactionStanzas(m, { ...v, carbons: true })).toHaveLength(2);
    // A set emptied is an empty <reactions/>.
    const none = reactionStanzas(msg({ deletedAt: null }), v, bob)[0]!;
    expect(none.getChild('reactions')!.elements()).toEqual([]);
  });

  it('typing is composing, its end active; own typing gives nothing', () => {
    const e: TypingEvent = {
      name: 'typing',
      conversationId: 'dm:a:b',
      userId: 'bob-id',
      username: 'bob',
      state: 'start',
      expiresInMs: 6000,
    };
    expect(chatState(e, v)!.getChild('composing')!.ns).toBe(
      'http://jabber.org/protocol/chatstates',
    );
    expect(chatState({ ...e, state: 'stop' }, v)!.getChild('active')).toBeDefined();
    expect(chatState(e, v, 'paused')!.getChild('paused')).toBeDefined();
    expect(chatState({ ...e, userId: 'me' }, v)).toBeUndefined();
    expect(toStanzas(e, v, new Set())[0]!.getChild('no-store')).toBeDefined();
  });

  it('markers: received carries a XEP-0184 receipt too; displayed only XEP-0333', () => {
    const r = markerStanza('received', 'bob', 'c1', false, v)!;
    expect(r.getChild('received', 'urn:xmpp:receipts')!.attr('id')).toBe('c1');
    expect(r.getChild('received', 'urn:xmpp:chat-markers:0')!.attr('id')).toBe('c1');
    const d = markerStanza('displayed', 'bob', 'c1', false, v)!;
    expect(d.getChild('received')).toBeUndefined();
    expect(d.getChild('displayed', 'urn:xmpp:chat-markers:0')).toBeDefined();
    expect(markerStanza('displayed', 'bob', 'c1', true, v)).toBeUndefined();
  });
});
