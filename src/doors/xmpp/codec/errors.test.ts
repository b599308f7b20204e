import { describe, expect, it } from 'vitest';
import { errorReply, STANZA_ERROR_TYPES, stanzaError, streamError } from './errors.js';
import { serialize, serializeFramed } from './serialize.js';
import { xml } from './element.js';
import { StreamParser } from './stream-parser.js';

describe('stream errors (RFC 6120 4.9)', () => {
  it('builds <stream:error> with the condition and optional text', () => {
    expect(serialize(streamError('not-well-formed'))).toBe(
      "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
    );
    expect(serialize(streamError('policy-violation', { text: 'stanza <too> big' }))).toBe(
      "<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>" +
        "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>stanza &lt;too&gt; big</text>" +
        '</stream:error>',
    );
    expect(serialize(streamError('see-other-host', { content: 'b.example:5222' }))).toContain(
      '>b.example:5222</see-other-host>',
    );
  });

  it('declares the stream prefix over WebSocket, and parses back there', () => {
    const s = serializeFramed(streamError('system-shutdown'));
    expect(s).toContain("xmlns:stream='http://etherx.jabber.org/streams'");
    const events = new StreamParser({ framing: 'websocket' }).write(s);
    const e = events[0];
    expect(
      e?.type === 'stanza' &&
        e.element.getChild('system-shutdown', 'urn:ietf:params:xml:ns:xmpp-streams'),
    ).toBeTruthy();
  });
});

describe('stanza errors (RFC 6120 8.3)', () => {
  it('gives each condition its RFC type, unless told otherwise', () => {
    expect(stanzaError('forbidden').attr('type')).toBe('auth');
    expect(stanzaError('item-not-found').attr('type')).toBe('cancel');
    expect(stanzaError('bad-request').attr('type')).toBe('modify');
    expect(stanzaError('recipient-unavailable').attr('type')).toBe('wait');
    expect(stanzaError('undefined-condition', { type: 'continue' }).attr('type')).toBe('continue');
    expect(Object.keys(STANZA_ERROR_TYPES)).toHaveLength(22);
  });

  it('builds the error child with namespace, text and by', () => {
    expect(serialize(stanzaError('gone', { content: 'xmpp:a@b', text: 'moved', by: 'x' }))).toBe(
      "<error type='cancel' by='x'><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>xmpp:a@b</gone>" +
        "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>moved</text></error>",
    );
  });

  it('answers a stanza: same kind and id, addresses swapped, never an error to an error', () => {
    const p = new StreamParser();
    const events = p.write(
      "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" +
        "<iq type='get' id='q1' from='a@x/r' to='x'><query xmlns='urn:nope'/></iq>" +
        "<message type='error' id='e1'/>",
    );
    const iq = events[1];
    const err = events[2];
    if (iq?.type !== 'stanza' || err?.type !== 'stanza') throw new Error('no stanzas');
    const reply = errorReply(iq.element, 'service-unavailable');
    expect(reply && serialize(reply)).toBe(
      "<iq type='error' id='q1' from='x' to='a@x/r'><error type='cancel'>" +
        "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    );
    expect(errorReply(err.element, 'bad-request')).toBeUndefined();
    expect(errorReply(xml('presence'), 'forbidden')?.getChild('error')?.attr('type')).toBe('auth');
  });
});
