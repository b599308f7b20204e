import { describe, expect, it } from 'vitest';
import { StreamParser, STREAM_LIMITS, type StreamEvent } from './stream-parser.js';
import { serialize } from './serialize.js';

const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " +
  "xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0' xml:lang='en'>";

// A realistic client stream: multi-byte characters (2, 3 and 4 bytes in
// UTF-8), entities, CDATA, prefixes, self-closing tags, keepalive whitespace.
const STANZAS = [
  "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>Gajim.é</resource></bind></iq>",
  '<presence><show>chat</show><status>ça va 😀 — &lt;ok&gt;</status></presence>',
  "<message to='bob@localhost' type='chat' id='m1'><body>a &amp; b &#x1F600; <![CDATA[<raw>]]></body>" +
    "<origin-id xmlns='urn:xmpp:sid:0' id='o1'/></message>",
  "<iq type='get' id='v1'><q:query xmlns:q='jabber:iq:version' q:lang='x'/></iq>",
];
const STREAM = `${HEADER}\n  ${STANZAS.join('\n ')} \n</stream:stream>`;

/** Events in a comparable form (stanzas serialised). */
function show(events: StreamEvent[]): unknown[] {
  return events.map((e) =>
    e.type === 'stanza' ? { stanza: serialize(e.element), bytes: e.bytes } : e,
  );
}

function parseAll(chunks: (string | Uint8Array)[], p = new StreamParser()): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const c of chunks) out.push(...p.write(c));
  return out;
}

function only(events: StreamEvent[]): StreamEvent {
  expect(events).toHaveLength(1);
  return events[0]!;
}

function errorOf(events: StreamEvent[]): string | undefined {
  const e = events.find((x) => x.type === 'error');
  return e?.type === 'error' ? e.condition : undefined;
}

describe('StreamParser: a well-formed stream', () => {
  it('emits the header, each stanza and the close', () => {
    const events = parseAll([STREAM]);
    expect(events.map((e) => e.type)).toEqual([
      'open',
      'stanza',
      'stanza',
      'stanza',
      'stanza',
      'close',
    ]);
    const open = events[0]!;
    expect(open.type === 'open' && open.header).toMatchObject({
      to: 'localhost',
      version: '1.0',
      lang: 'en',
    });
    const msg = events[3]!;
    if (msg.type !== 'stanza') throw new Error('not a stanza');
    expect(msg.element.name).toBe('message');
    expect(msg.element.ns).toBe('jabber:client');
    expect(msg.element.getChildText('body')).toBe('a & b 😀 <raw>');
    expect(msg.element.getChild('origin-id', 'urn:xmpp:sid:0')?.attr('id')).toBe('o1');
    const version = events[4]!;
    if (version.type !== 'stanza') throw new Error('not a stanza');
    const q = version.element.getChild('query', 'jabber:iq:version');
    expect(q?.prefix).toBe('q');
    expect(q?.attr('q:lang')).toBe('x');
  });

  it('counts each stanza in bytes of UTF-8, from its < to its last >', () => {
    const events = parseAll([STREAM]).filter((e) => e.type === 'stanza');
    expect(events.map((e) => e.type === 'stanza' && e.bytes)).toEqual(
      STANZAS.map((s) => Buffer.byteLength(s)),
    );
  });

  it('counts a stanza whose name ends in CRLF or a tab', () => {
    for (const s of ["<message\r\n to='a'>x\r\n</message>", "<iq\tid='1'/>", '<presence\r/>']) {
      const e = parseAll([HEADER, s])[1];
      expect(e?.type === 'stanza' && e.bytes, JSON.stringify(s)).toBe(Buffer.byteLength(s));
    }
  });

  it('gives the same events for every split point of the bytes', () => {
    const bytes = Buffer.from(STREAM);
    const whole = show(parseAll([bytes]));
    for (let i = 1; i < bytes.length; i++) {
      const split = show(parseAll([bytes.subarray(0, i), bytes.subarray(i)]));
      expect(split, `split at byte ${i}`).toEqual(whole);
    }
  });

  it('gives the same events fed one byte at a time, or one UTF-16 unit at a time', () => {
    const bytes = Buffer.from(STREAM);
    const whole = show(parseAll([bytes]));
    const ones: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i++) ones.push(bytes.subarray(i, i + 1));
    expect(show(parseAll(ones))).toEqual(whole);
    // Strings split between the halves of a surrogate pair, and after a CR.
    const units = [...Array(STREAM.length).keys()].map((i) => STREAM[i]!);
    expect(show(parseAll(units))).toEqual(whole);
  });

  it('gives the same events when the parser is released after every chunk it can be', () => {
    const bytes = Buffer.from(STREAM);
    const whole = show(parseAll([bytes]));
    const releasing = (chunks: Uint8Array[]): { events: StreamEvent[]; released: number } => {
      const p = new StreamParser();
      const events: StreamEvent[] = [];
      let released = 0;
      for (const c of chunks) {
        events.push(...p.write(c));
        if (p.release()) released++;
      }
      return { events, released };
    };
    for (let i = 1; i < bytes.length; i++) {
      const r = releasing([bytes.subarray(0, i), bytes.subarray(i)]);
      expect(show(r.events), `split at byte ${i}`).toEqual(whole);
    }
    // One chunk per stanza: released between each (the header, then every stanza).
    const parts = [HEADER, ...STANZAS.map((s) => `\n ${s}`), '\n</stream:stream>'];
    const r = releasing(parts.map((x) => Buffer.from(x)));
    expect(show(r.events)).toEqual(show(parseAll(parts)));
    expect(r.released).toBe(1 + STANZAS.length);
  });

  it('is not released inside a stanza, a tag, a character or after text', () => {
    const inside = ['<message><body>hi', '<message to=', '<presence', '<presence/> x'];
    for (const tail of inside) {
      const p = new StreamParser();
      p.write(HEADER + tail);
      expect(p.release(), tail).toBe(false);
    }
    const p = new StreamParser();
    p.write(Buffer.concat([Buffer.from(`${HEADER}<presence/>`), Buffer.from('é').subarray(0, 1)]));
    expect(p.release()).toBe(false);
    // Before the header, after the close and in WebSocket framing there is nothing to release.
    expect(new StreamParser().release()).toBe(false);
    const closed = new StreamParser();
    closed.write(`${HEADER}</stream:stream>`);
    expect(closed.release()).toBe(false);
  });

  it('resumes a released stream with its own prefixes, limits and errors', () => {
    const p = new StreamParser({ maxStanzaBytes: 200 });
    const head =
      "<s:stream xmlns='jabber:client' xmlns:s='http://etherx.jabber.org/streams' " +
      "xmlns:x='urn:example:x' version='1.0'>";
    expect(p.write(head).map((e) => e.type)).toEqual(['open']);
    expect(p.release()).toBe(true);
    const [st] = p.write("<message><x:y a='&amp;'/></message>");
    expect(st?.type === 'stanza' && st.element.elements()[0]?.ns).toBe('urn:example:x');
    expect(p.release()).toBe(true);
    // An unknown prefix is still an error, the size limit still holds, the close still closes.
    expect(new StreamParser().write(`${HEADER}<z:q/>`).at(-1)?.type).toBe('error');
    expect(p.write(`<message><body>${'a'.repeat(300)}</body></message>`).at(-1)).toMatchObject({
      type: 'error',
      condition: 'policy-violation',
    });
    const q = new StreamParser();
    q.write(head);
    q.release();
    expect(q.write('</s:stream>').map((e) => e.type)).toEqual(['close']);
  });

  it('reads CRLF and whitespace keepalives between stanzas', () => {
    const events = parseAll([HEADER, '\r\n \t', '<presence/>', '\r', '\n', ' ']);
    expect(events.map((e) => e.type)).toEqual(['open', 'stanza']);
  });

  it('starts a fresh document on reset (stream restart after TLS or SASL)', () => {
    const p = new StreamParser();
    expect(p.write(HEADER).map((e) => e.type)).toEqual(['open']);
    p.reset();
    expect(p.write(`${HEADER}<presence/>`).map((e) => e.type)).toEqual(['open', 'stanza']);
  });

  it('accepts a stanza of exactly the limit and refuses one byte more', () => {
    const wrap = (n: number): string => {
      const head = '<message><body>';
      const tail = '</body></message>';
      // 'é' is two bytes: fill with it, then one ASCII byte if needed.
      const room = n - Buffer.byteLength(head + tail);
      return head + 'é'.repeat(Math.floor(room / 2)) + 'x'.repeat(room % 2) + tail;
    };
    const max = STREAM_LIMITS.maxStanzaBytes;
    const exact = wrap(max);
    expect(Buffer.byteLength(exact)).toBe(max);
    const ok = parseAll([HEADER, exact]);
    expect(ok.map((e) => e.type)).toEqual(['open', 'stanza']);
    expect(ok[1]!.type === 'stanza' && ok[1]!.bytes).toBe(max);
    const over = parseAll([HEADER, wrap(max + 1)]);
    expect(errorOf(over)).toBe('policy-violation');
    expect(over.some((e) => e.type === 'stanza')).toBe(false);
  });

  it('keeps namespace declarations so a stanza re-serialises on its own', () => {
    const events = parseAll([
      "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' " +
        "xmlns:x='urn:x' version='1.0'><iq x:a='1'/><stream:features/>",
    ]);
    const iq = events[1]!;
    const features = events[2]!;
    if (iq.type !== 'stanza' || features.type !== 'stanza') throw new Error('no stanzas');
    expect(serialize(iq.element)).toBe("<iq x:a='1' xmlns:x='urn:x'/>");
    expect(features.element.ns).toBe('http://etherx.jabber.org/streams');
  });
});

describe('StreamParser: hostile input', () => {
  const refused = (input: string | Uint8Array, condition: string): void => {
    const p = new StreamParser();
    const events = p.write(input);
    expect(errorOf(events)).toBe(condition);
    expect(p.failed?.condition).toBe(condition);
    // Refuses further input once failed.
    expect(p.write(`${HEADER}<presence/>`)).toEqual([]);
  };

  it('refuses billion laughs (DOCTYPE) without expanding anything', () => {
    let dtd = '<!DOCTYPE lolz [<!ENTITY lol "lol">';
    for (let i = 1; i < 10; i++) {
      dtd += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
    }
    dtd += ']>';
    refused(`<?xml version='1.0'?>${dtd}<stream:stream>&lol9;`, 'restricted-xml');
  });

  it('refuses XXE (a SYSTEM entity)', () => {
    refused(
      `<?xml version='1.0'?><!DOCTYPE s [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${HEADER}`,
      'restricted-xml',
    );
  });

  it('refuses the quadratic blowup (one big entity, many references)', () => {
    const big = 'a'.repeat(50_000);
    refused(`<!DOCTYPE s [<!ENTITY a "${big}">]>${HEADER}${'&a;'.repeat(1000)}`, 'restricted-xml');
  });

  it('refuses a DOCTYPE inside the stream', () => {
    refused(`${HEADER}<!DOCTYPE x>`, 'restricted-xml');
  });

  it('refuses entity references other than the predefined ones, never expanding them', () => {
    refused(`${HEADER}<message><body>&nbsp;</body></message>`, 'restricted-xml');
    refused(`${HEADER}<message a='&xxe;'/>`, 'restricted-xml');
  });

  it('refuses comments and processing instructions, anywhere', () => {
    refused(`<!-- hi -->${HEADER}`, 'restricted-xml');
    refused(`${HEADER}<!-- hi --><presence/>`, 'restricted-xml');
    refused(`${HEADER}<message><!-- hi --></message>`, 'restricted-xml');
    refused(`<?php x ?>${HEADER}`, 'restricted-xml');
    refused(`${HEADER}<message><?x y?></message>`, 'restricted-xml');
    const late = new StreamParser().write(`${HEADER}<?xml version='1.0'?>`);
    expect(errorOf(late)).toBeDefined();
  });

  it('refuses an encoding other than UTF-8, and invalid UTF-8', () => {
    refused(`<?xml version='1.0' encoding='ISO-8859-1'?>${HEADER}`, 'unsupported-encoding');
    const bad = (b: number[]): Uint8Array =>
      Buffer.concat([Buffer.from(`${HEADER}<message><body>`), Buffer.from(b)]);
    refused(bad([0xff]), 'unsupported-encoding');
    refused(bad([0xc0, 0xaf]), 'unsupported-encoding'); // overlong '/'
    refused(bad([0xed, 0xa0, 0x80]), 'unsupported-encoding'); // a UTF-16 surrogate
    refused(bad([0xf4, 0x90, 0x80, 0x80]), 'unsupported-encoding'); // above U+10FFFF
  });

  it('refuses characters XML 1.0 does not allow, raw or as a reference', () => {
    refused(`${HEADER}<message><body>\u0001</body></message>`, 'not-well-formed');
    refused(`${HEADER}<message><body>&#0;</body></message>`, 'not-well-formed');
  });

  it('refuses a 10 MB stanza soon after the limit, without buffering it', () => {
    const p = new StreamParser();
    expect(p.write(`${HEADER}<message><body>`).map((e) => e.type)).toEqual(['open']);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let fed = 0;
    let events: StreamEvent[] = [];
    while (fed < 10 * 1024 * 1024 && events.length === 0) {
      events = p.write(chunk);
      fed += chunk.length;
    }
    expect(errorOf(events)).toBe('policy-violation');
    expect(fed).toBeLessThanOrEqual(STREAM_LIMITS.maxStanzaBytes + chunk.length);
  });

  it('refuses a 10 MB stanza given in one chunk', () => {
    const huge = `${HEADER}<message><body>${'a'.repeat(10 * 1024 * 1024)}</body></message>`;
    refused(huge, 'policy-violation');
  });

  it('refuses endless whitespace, an endless header and an endless name', () => {
    refused(`${HEADER}${' '.repeat(STREAM_LIMITS.maxStanzaBytes + 1)}`, 'policy-violation');
    refused(`<stream:stream a='${'x'.repeat(300_000)}'`, 'policy-violation');
    refused(`${HEADER}<${'x'.repeat(300_000)}`, 'policy-violation');
    refused(`${HEADER}<message>&${'x'.repeat(300_000)}`, 'policy-violation');
  });

  it('refuses 10,000-deep nesting', () => {
    refused(`${HEADER}${'<a>'.repeat(10_000)}`, 'policy-violation');
  });

  it('accepts exactly the maximum depth and refuses one more', () => {
    const nest = (n: number): string => '<a>'.repeat(n) + '</a>'.repeat(n);
    const ok = parseAll([HEADER, nest(STREAM_LIMITS.maxDepth)]);
    expect(ok.map((e) => e.type)).toEqual(['open', 'stanza']);
    expect(errorOf(parseAll([HEADER, nest(STREAM_LIMITS.maxDepth + 1)]))).toBe('policy-violation');
  });

  it('refuses too many attributes and over-long names', () => {
    const attrs = (n: number): string => [...Array(n).keys()].map((i) => ` a${i}='v'`).join('');
    expect(parseAll([HEADER, `<iq${attrs(STREAM_LIMITS.maxAttributes)}/>`])[1]?.type).toBe(
      'stanza',
    );
    refused(`${HEADER}<iq${attrs(STREAM_LIMITS.maxAttributes + 1)}/>`, 'policy-violation');
    refused(`${HEADER}<iq ${'b'.repeat(300)}='1'/>`, 'policy-violation');
    refused(`${HEADER}<${'b'.repeat(300)}/>`, 'policy-violation');
  });

  it('checks the stream header', () => {
    refused("<stream:stream xmlns='jabber:client' xmlns:stream='urn:wrong'>", 'invalid-namespace');
    refused(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>",
      'invalid-namespace',
    );
    refused("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>", 'invalid-namespace');
    refused("<message xmlns='jabber:client'/>", 'invalid-namespace');
    refused(
      HEADER.replace("version='1.0' xml:lang", "version='2.0' xml:lang"),
      'unsupported-version',
    );
    refused(
      HEADER.replace("version='1.0' xml:lang", "version='x' xml:lang"),
      'unsupported-version',
    );
    refused(HEADER.replace("<?xml version='1.0'", "<?xml version='1.1'"), 'not-well-formed');
    // Any prefix is fine: namespaces count, not prefixes.
    const s = parseAll([
      "<s:stream xmlns='jabber:client' xmlns:s='http://etherx.jabber.org/streams'><presence/></s:stream>",
    ]);
    expect(s.map((e) => e.type)).toEqual(['open', 'stanza', 'close']);
  });

  it('refuses malformed XML and does not deliver a stanza closed by the wrong tag', () => {
    refused(`${HEADER}<message></iq>`, 'not-well-formed');
    refused(`${HEADER}<message><body></message>`, 'not-well-formed');
    refused(`${HEADER}<message a='1' a='2'/>`, 'not-well-formed');
    refused(`${HEADER}<p:message/>`, 'not-well-formed'); // unbound prefix
    refused(`${HEADER}</stream:stream><presence/>`, 'not-well-formed');
    refused(`${HEADER}<message>]]></message>`, 'not-well-formed');
  });

  it('refuses text between stanzas', () => {
    refused(`${HEADER}hello<presence/>`, 'bad-format');
    refused(`${HEADER}<![CDATA[x]]>`, 'bad-format');
  });

  it('never throws on random garbage, split anywhere', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = '<>/=\'"&;:!?[]-x a\u00e9\ud83d\ude00\n\r#]]>';
    const base = Buffer.from(STREAM);
    for (let round = 0; round < 400; round++) {
      const p = new StreamParser();
      let input: Buffer;
      if (round % 2 === 0) {
        input = Buffer.from(base); // a realistic stream with some bytes changed
        for (let k = 0; k < 1 + rand(5); k++) input[rand(input.length)] = rand(256);
      } else {
        let s = round % 4 === 1 ? HEADER : '';
        for (let k = 0; k < 200; k++) s += alphabet[rand(alphabet.length)];
        input = Buffer.from(s);
      }
      let failed = false;
      for (let i = 0; i < input.length;) {
        const n = 1 + rand(40);
        const events = p.write(input.subarray(i, i + n));
        expect(Array.isArray(events)).toBe(true);
        if (failed) expect(events).toEqual([]);
        if (events.some((e) => e.type === 'error')) failed = true;
        i += n;
      }
    }
  });
});

describe('StreamParser: WebSocket framing (RFC 7395)', () => {
  const ws = (): StreamParser => new StreamParser({ framing: 'websocket' });

  it('reads <open/>, stanzas and <close/>, one element per message', () => {
    const p = ws();
    const open = only(
      p.write(
        "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='localhost' version='1.0' xml:lang='en'/>",
      ),
    );
    expect(open.type === 'open' && open.header).toMatchObject({ to: 'localhost', lang: 'en' });
    const msg = only(
      p.write(Buffer.from("<message xmlns='jabber:client' to='a@b'><body>é</body></message>")),
    );
    if (msg.type !== 'stanza') throw new Error('not a stanza');
    expect(msg.element.getChildText('body', 'jabber:client')).toBe('é');
    // An unqualified stanza reads as jabber:client, as inside a stream.
    const bare = only(p.write(' <presence/>\n'));
    expect(bare.type === 'stanza' && bare.element.ns).toBe('jabber:client');
    expect(only(p.write("<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>")).type).toBe(
      'close',
    );
  });

  it('refuses what is not exactly one well-formed element', () => {
    const check = (msg: string, condition: string): void => {
      const p = ws();
      expect(errorOf(p.write(msg)), msg).toBe(condition);
      expect(p.write('<presence/>')).toEqual([]);
    };
    check('<presence/><presence/>', 'bad-format');
    check('', 'bad-format');
    check('hello <presence/>', 'bad-format');
    check('<message><body>', 'not-well-formed');
    check("<?xml version='1.0'?><presence/>", 'not-well-formed'); // no declaration in a message
    check('<!DOCTYPE x><presence/>', 'restricted-xml');
    check('<presence><!-- x --></presence>', 'restricted-xml');
    check('<message>&foo;</message>', 'restricted-xml');
    check(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`, 'policy-violation');
    check(`<message>${'a'.repeat(STREAM_LIMITS.maxStanzaBytes)}</message>`, 'policy-violation');
    check(HEADER.replace("<?xml version='1.0'?>", '') + '</stream:stream>', 'invalid-namespace');
    // The old draft's header alone, never closed: still the namespace, not well-formedness.
    check(HEADER.replace("<?xml version='1.0'?>", ''), 'invalid-namespace');
  });

  it('delivers nothing of a message that fails: a good first element is dropped with it', () => {
    const p = ws();
    expect(p.write("<iq type='get' id='a'/><iq type='get' id='b'/>").map((e) => e.type)).toEqual([
      'error',
    ]);
  });

  it('refuses invalid UTF-8 in a message', () => {
    const p = ws();
    expect(errorOf(p.write(Buffer.from([0x3c, 0x61, 0xff, 0x2f, 0x3e])))).toBe(
      'unsupported-encoding',
    );
  });
});
