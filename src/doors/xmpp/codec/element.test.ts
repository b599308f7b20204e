import { describe, expect, it } from 'vitest';
import { Element, xml } from './element.js';
import {
  escapeAttr,
  escapeText,
  framingClose,
  framingOpen,
  serialize,
  serializeFramed,
  streamFooter,
  streamHeader,
} from './serialize.js';
import { StreamParser } from './stream-parser.js';

/** Parses one stanza inside a client stream. */
function parseStanza(s: string): Element {
  const p = new StreamParser();
  const events = p.write(
    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>" +
      s,
  );
  const e = events[1];
  if (e?.type !== 'stanza') throw new Error(`no stanza: ${JSON.stringify(events)}`);
  return e.element;
}

describe('Element and xml()', () => {
  it('builds a stanza, children inheriting the namespace', () => {
    const msg = xml(
      'message',
      { xmlns: 'jabber:client', to: 'bob@localhost', type: 'chat', id: undefined },
      xml('body', {}, 'hi ', 'there'),
      xml('origin-id', { xmlns: 'urn:xmpp:sid:0', id: 'o1' }),
      null,
      false,
      [xml('thread', {}, 't1')],
    );
    expect(msg.attrs).toEqual({ xmlns: 'jabber:client', to: 'bob@localhost', type: 'chat' });
    expect(msg.getChild('body')?.ns).toBe('jabber:client');
    expect(msg.getChildText('body', 'jabber:client')).toBe('hi there');
    expect(msg.getChild('body', 'urn:other')).toBeUndefined();
    expect(msg.getChild('origin-id', 'urn:xmpp:sid:0')?.attr('id')).toBe('o1');
    expect(msg.getChildText('thread')).toBe('t1');
    expect(msg.elements().map((e) => e.name)).toEqual(['body', 'origin-id', 'thread']);
    expect(msg.attr('id')).toBeUndefined();
    expect(msg.attr('toString')).toBeUndefined();
  });

  it('leaves the namespace to the context when none is given', () => {
    const p = xml('presence', {}, xml('show', {}, 'away'));
    expect(p.ns).toBeUndefined();
    expect(p.getChild('show')?.text()).toBe('away');
    expect(serialize(p)).toBe('<presence><show>away</show></presence>');
    expect(serializeFramed(p)).toBe("<presence xmlns='jabber:client'><show>away</show></presence>");
  });

  it('resolves prefixes declared on the element, and stream:', () => {
    expect(xml('stream:features').ns).toBe('http://etherx.jabber.org/streams');
    expect(xml('p:x', { 'xmlns:p': 'urn:p' }).ns).toBe('urn:p');
    expect(() => xml('p:x')).toThrow(/not declared/);
    expect(() => xml('<bad')).toThrow(/invalid element name/);
    expect(() => xml('a b')).toThrow(/invalid element name/);
  });

  it('reads parsed stanzas: namespaces, text, several children', () => {
    const iq = parseStanza(
      "<iq type='result' id='1'><query xmlns='jabber:iq:roster' ver='v1'>" +
        "<item jid='a@x' name='A'><group>G1</group><group>G2</group></item>" +
        "<item jid='b@x'/></query></iq>",
    );
    const q = iq.getChild('query', 'jabber:iq:roster');
    expect(q?.attr('ver')).toBe('v1');
    expect(q?.getChildren('item', 'jabber:iq:roster').map((i) => i.attr('jid'))).toEqual([
      'a@x',
      'b@x',
    ]);
    expect(
      q
        ?.getChild('item')
        ?.getChildren('group')
        .map((g) => g.text()),
    ).toEqual(['G1', 'G2']);
    expect(iq.getChild('query', 'jabber:client')).toBeUndefined();
  });
});

describe('serialize', () => {
  it('escapes all five predefined entities, and CR/TAB/LF where normalisation would eat them', () => {
    expect(escapeText(`a<b>&"'\r\n\t`)).toBe('a&lt;b&gt;&amp;&quot;&apos;&#13;\n\t');
    expect(escapeAttr(`a<b>&"'\r\n\t`)).toBe('a&lt;b&gt;&amp;&quot;&apos;&#13;&#10;&#9;');
    const el = xml('message', { to: `x'"<>&` }, xml('body', {}, "]]> <script>'&amp;"));
    expect(serialize(el)).toBe(
      "<message to='x&apos;&quot;&lt;&gt;&amp;'><body>]]&gt; &lt;script&gt;&apos;&amp;amp;</body></message>",
    );
  });

  it('replaces characters XML 1.0 cannot carry with U+FFFD, keeping astral characters', () => {
    const el = xml('body', { a: 'x\u0000y' }, 'a\u0001b\u0008c\u000bd\uFFFEe\uD800f😀g\u0085h');
    expect(serialize(el)).toBe(
      "<body a='x\uFFFDy'>a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf😀g\u0085h</body>",
    );
  });

  it('round-trips parsed stanzas through the parser', () => {
    const samples = [
      "<message to='a@b' type='chat'><body>a &amp; b &lt; c ' \" é 😀</body></message>",
      "<iq type='get' id='x'><q:query xmlns:q='jabber:iq:version'/></iq>",
      "<presence><x xmlns='urn:y'><y xmlns=''>plain</y></x></presence>",
      "<message><body xml:lang='fr'>line1\r\nline2\ttab</body></message>",
      "<iq a='x&#10;y&#9;z'/>",
    ];
    for (const s of samples) {
      const once = parseStanza(s);
      const text = serialize(once);
      const twice = parseStanza(text);
      expect(serialize(twice), s).toBe(text);
      expect(twice.attrs, s).toEqual(once.attrs);
    }
    const y = parseStanza(samples[2]!).getChild('x', 'urn:y')?.getChild('y', '');
    expect(y?.text()).toBe('plain');
    expect(serialize(parseStanza(samples[2]!))).toBe(
      "<presence><x xmlns='urn:y'><y xmlns=''>plain</y></x></presence>",
    );
    const iq = parseStanza(samples[4]!);
    expect(iq.attr('a')).toBe('x\ny\tz');
  });

  it('declares namespaces a WebSocket message needs', () => {
    const features = xml(
      'stream:features',
      {},
      xml('bind', { xmlns: 'urn:ietf:params:xml:ns:xmpp-bind' }),
    );
    expect(serialize(features)).toBe(
      "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
    );
    expect(serializeFramed(features)).toBe(
      "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>" +
        "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
    );
    const parsed = parseStanza('<message><body>x</body></message>');
    expect(serializeFramed(parsed)).toBe("<message xmlns='jabber:client'><body>x</body></message>");
  });

  it('writes the stream framing for TCP and WebSocket', () => {
    const h = streamHeader({ from: 'localhost', id: "a'b", lang: 'en' });
    expect(h).toBe(
      "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " +
        "xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='a&apos;b' " +
        "version='1.0' xml:lang='en'>",
    );
    expect(streamFooter()).toBe('</stream:stream>');
    // Our own header parses as a stream.
    const events = new StreamParser().write(
      streamHeader({ to: 'localhost' }) + '<presence/>' + streamFooter(),
    );
    expect(events.map((e) => e.type)).toEqual(['open', 'stanza', 'close']);
    const open = framingOpen({ from: 'localhost', id: '1' });
    expect(open).toBe(
      "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='localhost' id='1' version='1.0'/>",
    );
    const ws = new StreamParser({ framing: 'websocket' });
    expect(ws.write(open)[0]?.type).toBe('open');
    expect(ws.write(framingClose())[0]?.type).toBe('close');
    expect(framingClose('wss://b/ws')).toBe(
      "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing' see-other-uri='wss://b/ws'/>",
    );
  });
});
