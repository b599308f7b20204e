import { describe, expect, it } from 'vitest';
import type { ContactItem } from '../../../core/contacts/service.js';
import type { DirectMessage } from '../../../core/events.js';
import { serialize } from '../codec/serialize.js';
import { chatMessage, presenceStanza, rosterItem, toStanzas, type Viewer } from './events.js';

const v: Viewer = { userId: 'me', domain: 'example.org', jid: 'alice@example.org/phone' };

const msg = (over: Partial<DirectMessage> = {}): DirectMessage => ({
  id: 'm1',
  conversationId: 'dm:a:b',
  seq: 1,
  sender: { id: 'bob-id', username: 'bob' },
  recipient: { id: 'me', username: 'alice' },
  clientId: 'c1',
  text: 'hi <there> & "you"',
  replyTo: null,
  createdAt: Date.UTC(2024, 0, 2, 3, 4, 5),
  editedAt: null,
  deletedAt: null,
  reactions: [],
  ...over,
});

const contact = (over: Partial<ContactItem> = {}): ContactItem => ({
  userId: 'bob-id',
  username: 'bob',
  displayName: 'Bob',
  subscription: 'both',
  ask: false,
  pendingIn: false,
  note: '',
  alias: '',
  groups: [],
  inRoster: true,
  approved: false,
  avatar: null,
  ...over,
});

describe('XMPP mapping of core events', () => {
  it('a direct message is a chat message with XEP-0359 ids, text escaped', () => {
    expect(serialize(chatMessage(msg(), v)!)).toBe(
      "<message type='chat' from='bob@example.org' to='alice@example.org' id='c1'>" +
        '<body>hi &lt;there&gt; &amp; &quot;you&quot;</body>' +
        "<stanza-id xmlns='urn:xmpp:sid:0' id='m1' by='alice@example.org'/>" +
        "<origin-id xmlns='urn:xmpp:sid:0' id='c1'/>" +
        "<request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>" +
        "<active xmlns='http://jabber.org/protocol/chatstates'/></message>",
    );
  });

  it('a delayed message carries XEP-0203 delay; an edit XEP-0308 replace', () => {
    const d = chatMessage(msg(), v, 'new', true)!;
    expect(d.getChild('delay', 'urn:xmpp:delay')!.attr('stamp')).toBe('2024-01-02T03:04:05.000Z');
    const e = chatMessage(msg({ editedAt: 5, text: 'fixed' }), v, 'edited')!;
    expect(e.getChild('replace', 'urn:xmpp:message-correct:0')!.attr('id')).toBe('c1');
    expect(e.attr('id')).not.toBe('c1');
  });

  it('own messages sent elsewhere are XEP-0280 sent carbons, only when enabled and live', () => {
    const own = msg({
      sender: { id: 'me', username: 'alice' },
      recipient: { id: 'bob-id', username: 'bob' },
    });
    expect(chatMessage(own, v)).toBeUndefined();
    expect(chatMessage(own, { ...v, carbons: true }, 'new', true)).toBeUndefined();
    expect(serialize(chatMessage(own, { ...v, carbons: true })!)).toBe(
      "<message from='alice@example.org' to='alice@example.org/phone' type='chat'>" +
        "<sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>" +
        "<message xmlns='jabber:client' type='chat' from='alice@example.org' to='bob@example.org' id='c1'>" +
        '<body>hi &lt;there&gt; &amp; &quot;you&quot;</body>' +
        "<stanza-id xmlns='urn:xmpp:sid:0' id='m1' by='alice@example.org'/>" +
        "<origin-id xmlns='urn:xmpp:sid:0' id='c1'/></message></forwarded></sent></message>",
    );
  });

  it('a route (RFC 6121 8.5) stamps the full JIDs, keeps normal, makes received carbons', () => {
    const m = chatMessage(msg(), v, 'new', false, undefined, { from: 'desk', to: 'phone' })!;
    expect(m.attr('from')).toBe('bob@example.org/desk');
    expect(m.attr('to')).toBe('alice@example.org/phone');
    expect(m.attr('type')).toBe('chat');
    const n = chatMessage(msg(), v, 'new', false, undefined, { single: true })!;
    expect(n.attr('type')).toBe('normal');
    expect(n.attr('to')).toBe('alice@example.org');
    expect(chatMessage(msg(), v, 'new', false, undefined, { to: 'x' }, 'skip')).toBeUndefined();
    const c = chatMessage(
      msg(),
      v,
      'new',
      false,
      undefined,
      { from: 'desk', to: 'tablet' },
      'carbon',
    )!;
    expect(serialize(c)).toMatch(
      /^<message from='alice@example.org' to='alice@example.org\/phone' type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' type='chat' from='bob@example.org\/desk' to='alice@example.org\/tablet' id='c1'>/,
    );
  });

  it('a notice is a headline; the other side ending a subscription is told as presence', () => {
    const h = toStanzas(
      {
        name: 'notice',
        from: { id: 'b', username: 'bob' },
        text: 'news',
        id: 'h1',
        route: { from: 'desk' },
      },
      v,
      new Set(),
    );
    expect(h.map((x) => serialize(x))).toEqual([
      "<message type='headline' id='h1' from='bob@example.org/desk' to='alice@example.org'><body>news</body></message>",
    ]);
    const subs = new Map<string, ContactItem['subscription']>([['bob', 'both']]);
    const w = { ...v, subs };
    const out = toStanzas(
      { name: 'contact.updated', contact: contact({ subscription: 'from' }), actor: 'contact' },
      w,
      new Set(),
    );
    expect(out.map((x) => x.attr('type') ?? x.name)).toEqual(['unsubscribed', 'set']);
    // One's own change: the push only.
    const mine = toStanzas(
      { name: 'contact.updated', contact: contact({ subscription: 'none' }), actor: 'self' },
      w,
      new Set(),
    );
    expect(mine.map((x) => x.attr('type') ?? x.name)).toEqual(['set']);
    expect(subs.has('bob')).toBe(false);
  });

  it('deleted and deleted-sender messages give no chat message', () => {
    expect(chatMessage(msg({ deletedAt: 1 }), v)).toBeUndefined();
    expect(chatMessage(msg({ sender: { id: 'x', username: '' } }), v)).toBeUndefined();
  });

  it('a reply names its parent (XEP-0461) after a quote marked as fallback (XEP-0428)', () => {
    const r = chatMessage(msg({ text: 'yes' }), v, 'new', false, {
      to: 'alice@example.org',
      id: 'p1',
      quote: 'a\nb',
    })!;
    expect(r.getChildText('body')).toBe('> a\n> b\nyes');
    expect(r.getChild('reply', 'urn:xmpp:reply:0')!.attrs).toMatchObject({
      to: 'alice@example.org',
      id: 'p1',
    });
    const range = r.getChild('fallback', 'urn:xmpp:fallback:0')!.getChild('body')!;
    expect([range.attr('start'), range.attr('end')]).toEqual(['0', '8']);
  });

  it('roster items: alias, subscription, ask and groups; remove', () => {
    expect(
      serialize(
        rosterItem(
          contact({ alias: 'B', subscription: 'none', ask: true, groups: ['x', 'y'] }),
          v.domain,
        ),
      ),
    ).toBe(
      "<item jid='bob@example.org' name='B' subscription='none' ask='subscribe'><group>x</group><group>y</group></item>",
    );
    expect(serialize(rosterItem({ username: 'bob', remove: true }, v.domain))).toBe(
      "<item jid='bob@example.org' subscription='remove'/>",
    );
  });

  it('a pending request is a roster push (if in the roster) and one subscribe presence', () => {
    const seen = new Set<string>();
    const e = {
      name: 'contact.updated' as const,
      contact: contact({ pendingIn: true, inRoster: false, note: 'hey' }),
    };
    const first = toStanzas(e, v, seen);
    expect(first.map((x) => x.name)).toEqual(['presence']);
    expect(first[0]!.attr('type')).toBe('subscribe');
    expect(first[0]!.getChildText('status')).toBe('hey');
    expect(toStanzas(e, v, seen)).toEqual([]);
    const pushed = toStanzas({ name: 'contact.updated', contact: contact() }, v, seen);
    expect(pushed.map((x) => x.name)).toEqual(['iq']);
    expect(seen.size).toBe(0);
  });

  it('presence: show and status, offline as unavailable, own presence not echoed', () => {
    const p = { userId: 'bob-id', username: 'bob', status: 'out', since: 0, at: 0, lastSeen: null };
    expect(serialize(presenceStanza({ ...p, show: 'away' }, v)!)).toBe(
      "<presence from='bob@example.org' to='alice@example.org/phone'><show>away</show><status>out</status></presence>",
    );
    expect(presenceStanza({ ...p, show: 'available', status: '' }, v)!.children).toEqual([]);
    expect(presenceStanza({ ...p, show: 'offline' }, v)!.attr('type')).toBe('unavailable');
    expect(presenceStanza({ ...p, userId: 'me', show: 'away' }, v)).toBeUndefined();
  });
});
