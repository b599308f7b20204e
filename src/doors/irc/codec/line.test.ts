import { describe, expect, it } from 'vitest';
import { seeded } from '../../../../test/helpers/random.js';
import {
  clientOnlyTags,
  escapeTagValue,
  type IrcMessage,
  MAX_BODY,
  MAX_TAG_SECTION,
  parseLine,
  serialiseLine,
  splitText,
  unescapeTagValue,
  utf8Length,
} from './line.js';

function ok(line: string, opts = {}): IrcMessage {
  const r = parseLine(line, opts);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(line)} to parse, got ${r.reason}`);
  return r.message;
}

const msg = (command: string, params: string[], extra: Partial<IrcMessage> = {}): IrcMessage => ({
  tags: new Map(),
  command,
  params,
  ...extra,
});

describe('parseLine', () => {
  it('parses source, command, middle and trailing params', () => {
    const m = ok(':nick!u@h privmsg #room :hello there');
    expect(m.source).toBe('nick!u@h');
    expect(m.command).toBe('PRIVMSG');
    expect(m.params).toEqual(['#room', 'hello there']);
    expect(m.tags.size).toBe(0);
  });

  it('accepts several spaces between parts and leading spaces', () => {
    expect(ok('  PRIVMSG   #a    b').params).toEqual(['#a', 'b']);
    expect(ok('PRIVMSG #a  :  spaced  ').params).toEqual(['#a', '  spaced  ']);
    expect(ok('PING x   ').params).toEqual(['x']);
  });

  it('keeps an empty trailing param and a colon-only text', () => {
    expect(ok('PRIVMSG #a :').params).toEqual(['#a', '']);
    expect(ok('PRIVMSG #a ::').params).toEqual(['#a', ':']);
    expect(ok('PRIVMSG #a :a:b').params).toEqual(['#a', 'a:b']);
    expect(ok('USER u 0 * :Real Name').params).toEqual(['u', '0', '*', 'Real Name']);
  });

  it('a middle param may contain a colon after its first character', () => {
    expect(ok('MODE #a +k pass:word').params).toEqual(['#a', '+k', 'pass:word']);
  });

  it('uppercases letter commands and accepts three-digit numerics only', () => {
    expect(ok('nIcK a').command).toBe('NICK');
    expect(ok(':srv 001 a :hi').command).toBe('001');
    expect(parseLine('0001 a')).toMatchObject({ ok: false, reason: 'bad-command' });
    expect(parseLine('12 a')).toMatchObject({ ok: false, reason: 'bad-command' });
    expect(parseLine('PRIV-MSG a')).toMatchObject({
      ok: false,
      reason: 'bad-command',
      command: 'PRIV-MSG',
    });
    expect(parseLine('PRİVMSG a')).toMatchObject({ ok: false, reason: 'bad-command' });
    expect(parseLine(':src ::x')).toMatchObject({ reason: 'bad-command', command: 'x' });
    expect(parseLine(':src :')).toMatchObject({ reason: 'bad-command', command: '*' });
    expect(parseLine('X'.repeat(100) + '!')).toMatchObject({ command: 'X'.repeat(64) });
  });

  it('folds parameters beyond the 14th into the 15th (RFC 2812 grammar)', () => {
    const words = Array.from({ length: 20 }, (_, i) => `p${i}`);
    const m = ok(`CMD ${words.join(' ')}`);
    expect(m.params).toHaveLength(15);
    expect(m.params.slice(0, 14)).toEqual(words.slice(0, 14));
    expect(m.params[14]).toBe(words.slice(14).join(' '));
    // With a colon the 15th is the trailing as usual, colon removed.
    expect(ok(`CMD ${words.slice(0, 14).join(' ')} :x y`).params[14]).toBe('x y');
    expect(ok(`CMD ${words.slice(0, 15).join(' ')}`).params).toEqual(words.slice(0, 15));
  });

  it('reports empty, missing commands and bad characters', () => {
    expect(parseLine('')).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseLine('    ')).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseLine(':src')).toMatchObject({ ok: false, reason: 'no-command' });
    expect(parseLine(':src    ')).toMatchObject({ ok: false, reason: 'no-command' });
    expect(parseLine(': PRIVMSG')).toMatchObject({ ok: false, reason: 'no-command' });
    expect(parseLine('@a=b')).toMatchObject({ ok: false, reason: 'no-command' });
    expect(parseLine('@a=b   ')).toMatchObject({ ok: false, reason: 'no-command' });
    for (const bad of ['PRIVMSG #a :x\0y', 'PRIVMSG #a :x\ry', 'PRIVMSG #a :x\ny', '@a=\0 PING'])
      expect(parseLine(bad)).toMatchObject({ ok: false, reason: 'bad-char' });
  });

  describe('tags', () => {
    it('parses keys, values, client-only tags and vendors', () => {
      const m = ok(
        '@time=2024-01-01T00:00:00.000Z;+example.com/foo=bar;+typing=active;flag :n TAGMSG #a',
      );
      expect([...m.tags]).toEqual([
        ['time', '2024-01-01T00:00:00.000Z'],
        ['+example.com/foo', 'bar'],
        ['+typing', 'active'],
        ['flag', ''],
      ]);
      expect(m.command).toBe('TAGMSG');
    });

    it('unescapes values per the spec', () => {
      const m = ok('@a=x\\:y\\sz\\\\w\\r\\n;b=\\b\\;c=end\\;d=\\;e=;f PING');
      expect(m.tags.get('a')).toBe('x;y z\\w\r\n');
      expect(m.tags.get('b')).toBe('b'); // unknown escape: backslash dropped
      expect(m.tags.get('c')).toBe('end'); // trailing backslash dropped
      expect(m.tags.get('d')).toBe('');
      expect(m.tags.get('e')).toBe('');
      expect(m.tags.get('f')).toBe('');
    });

    it('the last of duplicate keys wins; invalid keys are skipped, not fatal', () => {
      const m = ok('@a=1;a=2;=x;bad_key=1;+=2;/x=3;ok-key=4;;; PING');
      expect([...m.tags]).toEqual([
        ['a', '2'],
        ['ok-key', '4'],
      ]);
    });

    it('picks out client-only tags', () => {
      const m = ok('@+a=1;b=2;+example.com/c PING');
      expect([...clientOnlyTags(m.tags)]).toEqual([
        ['+a', '1'],
        ['+example.com/c', ''],
      ]);
    });

    it('refuses an empty tag section', () => {
      expect(parseLine('@ PING')).toMatchObject({ ok: false, reason: 'bad-tags' });
    });

    it('enforces the client tag data limit (4094 bytes) and reports the part', () => {
      const data = (n: number) => `a=${'x'.repeat(n - 2)}`;
      expect(parseLine(`@${data(4094)} PING`).ok).toBe(true);
      expect(parseLine(`@${data(4095)} PING`)).toMatchObject({
        ok: false,
        reason: 'too-long',
        part: 'tags',
      });
      // Counted in bytes: 'a=' and 2047 two-byte characters are 4096 bytes.
      expect(parseLine(`@a=${'é'.repeat(2046)} PING`).ok).toBe(true);
      expect(parseLine(`@a=${'é'.repeat(2047)} PING`)).toMatchObject({ reason: 'too-long' });
      // A server-side caller may allow the full section.
      expect(parseLine(`@${data(8189)} PING`, { maxTagData: 99_999 }).ok).toBe(true);
      expect(parseLine(`@${data(8190)} PING`, { maxTagData: 99_999 })).toMatchObject({
        reason: 'too-long',
      });
      // No space at all after a huge tag section.
      expect(parseLine(`@${data(9000)}`)).toMatchObject({ reason: 'too-long', part: 'tags' });
    });

    it('refuses non-ASCII tags on a line that was not UTF-8', () => {
      expect(parseLine('@a=\u00e9 PING', { latin1: true })).toMatchObject({ reason: 'bad-tags' });
      expect(parseLine('@a=\u00e9 PING').ok).toBe(true);
    });
  });

  describe('body limit', () => {
    it('allows 510 bytes of body and refuses 511 (CRLF counts)', () => {
      const head = 'PRIVMSG #a :';
      const fit = head + 'x'.repeat(510 - head.length);
      expect(parseLine(fit).ok).toBe(true);
      expect(parseLine(fit + 'x')).toMatchObject({ ok: false, reason: 'too-long', part: 'body' });
      // Tags do not count against the body.
      expect(parseLine(`@a=${'y'.repeat(4000)} ${fit}`).ok).toBe(true);
    });

    it('counts UTF-8 bytes, or one byte per character for Latin-1 lines', () => {
      const head = 'PRIVMSG #a :';
      const two = head + '\u00e9'.repeat(249); // 12 + 498 = 510 bytes
      expect(parseLine(two).ok).toBe(true);
      expect(parseLine(two + 'x')).toMatchObject({ reason: 'too-long' });
      const latin = head + '\u00e9'.repeat(498);
      expect(parseLine(latin, { latin1: true }).ok).toBe(true);
      expect(parseLine(latin)).toMatchObject({ reason: 'too-long' });
    });

    it('refuses a megabyte line quickly, with an error value', () => {
      expect(parseLine('PRIVMSG #a :' + 'x'.repeat(1 << 20))).toMatchObject({ reason: 'too-long' });
      expect(parseLine('@' + 'a;'.repeat(1 << 19) + ' PING')).toMatchObject({ reason: 'too-long' });
    });
  });

  it('never throws and always returns a well-formed result on random input', () => {
    const r = seeded(1234);
    const alphabet = 'ab:@; =\\+/.-\x01\x02\x03 \u00e9\u{1F600}\0\r\n\t0123PRIVMSG';
    for (let n = 0; n < 5000; n++) {
      const s = r.string(alphabet, r.int(80));
      const res = parseLine(s);
      if (res.ok) {
        expect(res.message.command).toMatch(/^(?:[A-Z]+|[0-9]{3})$/);
        expect(res.message.params.length).toBeLessThanOrEqual(15);
        for (const p of res.message.params) expect(p).not.toMatch(/[\0\r\n]/);
      } else expect(typeof res.reason).toBe('string');
    }
  });
});

describe('serialiseLine', () => {
  it('writes the trailing param with a colon only when needed, or when asked', () => {
    expect(serialiseLine(msg('PRIVMSG', ['#a', 'hi']))).toEqual({
      ok: true,
      line: 'PRIVMSG #a hi',
    });
    expect(serialiseLine(msg('PRIVMSG', ['#a', 'hi there']))).toMatchObject({
      line: 'PRIVMSG #a :hi there',
    });
    expect(serialiseLine(msg('PRIVMSG', ['#a', '']))).toMatchObject({ line: 'PRIVMSG #a :' });
    expect(serialiseLine(msg('PRIVMSG', ['#a', ':)']))).toMatchObject({ line: 'PRIVMSG #a ::)' });
    expect(serialiseLine(msg('PRIVMSG', ['#a', 'hi'], { trailing: true }))).toMatchObject({
      line: 'PRIVMSG #a :hi',
    });
    expect(serialiseLine(msg('QUIT', []))).toMatchObject({ line: 'QUIT' });
  });

  it('writes source and tags, escaping values, client-only tags after server tags', () => {
    const tags = new Map([
      ['+draft/reply', 'a;b c\\d\r\n'],
      ['time', '2024-01-01T00:00:00.000Z'],
      ['flag', ''],
    ]);
    const r = serialiseLine(msg('PRIVMSG', ['#a', 'x'], { tags, source: 'n!u@2001:db8::1' }));
    expect(r).toEqual({
      ok: true,
      line: '@time=2024-01-01T00:00:00.000Z;flag;+draft/reply=a\\:b\\sc\\\\d\\r\\n :n!u@2001:db8::1 PRIVMSG #a x',
    });
  });

  it('refuses what cannot be one valid line', () => {
    const bad: [IrcMessage, string][] = [
      [msg('PRIVMSG', ['#a', 'x\ny']), 'bad-param'],
      [msg('PRIVMSG', ['#a', 'x\ry']), 'bad-param'],
      [msg('PRIVMSG', ['#a', 'x\0y']), 'bad-param'],
      [msg('PRIVMSG', ['#a b', 'x']), 'bad-param'],
      [msg('PRIVMSG', ['', 'x']), 'bad-param'],
      [msg('PRIVMSG', [':a', 'x']), 'bad-param'],
      [msg('PRIV MSG', []), 'bad-command'],
      [msg('', []), 'bad-command'],
      [msg('1234', []), 'bad-command'],
      [msg('PING', ['x'], { source: '' }), 'bad-source'],
      [msg('PING', ['x'], { source: 'a b' }), 'bad-source'],
      [msg('PING', ['x'], { source: ':a' }), 'bad-source'],
      [msg('PING', ['x'], { tags: new Map([['bad key', 'x']]) }), 'bad-tags'],
      [msg('PING', ['x'], { tags: new Map([['a', 'x\0']]) }), 'bad-tags'],
      [
        msg(
          'CMD',
          Array.from({ length: 16 }, (_, i) => `p${i}`),
        ),
        'too-many-params',
      ],
      [msg('PRIVMSG', ['#a', 'x'.repeat(600)]), 'too-long'],
      [msg('PING', ['x'], { tags: new Map([['+a', 'x'.repeat(4093)]]) }), 'too-long'],
      [msg('PING', ['x'], { tags: new Map([['a', 'x'.repeat(4093)]]) }), 'too-long'],
    ];
    for (const [m, reason] of bad) expect(serialiseLine(m)).toMatchObject({ ok: false, reason });
  });

  it('allows 4094 bytes of client tags plus 4094 of server tags (8191 in all)', () => {
    const tags = new Map([
      ['+c', 'x'.repeat(4094 - 3)],
      ['s', 'y'.repeat(4094 - 2)],
    ]);
    const r = serialiseLine(msg('PING', ['x'], { tags }));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.line.indexOf(' ') + 1).toBe(MAX_TAG_SECTION);
    expect(serialiseLine(msg('PING', ['x'], { tags }), { side: 'client' })).toMatchObject({
      reason: 'too-long',
    });
  });

  it('round-trips random valid messages', () => {
    const r = seeded(99);
    const word = 'abcXYZ019#&!@.-_[]\u00e9\u{1F600}:';
    const text = word + ' \\;=\x01\x02';
    for (let n = 0; n < 3000; n++) {
      const params: string[] = [];
      const count = r.int(16);
      for (let i = 0; i < count; i++) {
        let p = r.string(i === count - 1 ? text : word, r.int(12) + (i === count - 1 ? 0 : 1));
        if (i < count - 1 && p.startsWith(':')) p = 'x' + p;
        params.push(p);
      }
      const tags = new Map<string, string>();
      for (let i = r.int(4); i > 0; i--)
        tags.set(
          r.pick(['a', '+b', 'example.com/c', '+x.y/z-1']),
          r.string(text + '\r\n', r.int(10)),
        );
      const m: IrcMessage = {
        tags,
        command: r.pick(['PRIVMSG', 'NOTICE', '001', 'TAGMSG']),
        params,
      };
      if (r.int(2)) m.source = 'n' + r.string('abc!@.:', r.int(5));
      const s = serialiseLine(m);
      expect(s.ok).toBe(true);
      if (!s.ok) continue;
      const back = parseLine(s.line, { maxTagData: 8189 });
      expect(back).toEqual({ ok: true, message: { ...m, trailing: undefined } });
    }
  });
});

describe('parse -> serialise -> parse', () => {
  it('is stable for every random line that parses', () => {
    const r = seeded(31337);
    const alphabet = 'ab:@;=\\+/.- \u00e90PRIVMSG';
    let checked = 0;
    for (let n = 0; n < 20_000; n++) {
      const first = parseLine(r.string(alphabet, r.int(60)));
      if (!first.ok) continue;
      const s = serialiseLine(first.message);
      if (!s.ok) {
        // Only a source a client could send but a server never writes.
        expect(s.reason).toBe('bad-source');
        continue;
      }
      checked++;
      expect(parseLine(s.line, { maxTagData: 8189 })).toEqual(first);
    }
    expect(checked).toBeGreaterThan(1000);
  });
});

describe('tag value escaping', () => {
  it('round-trips any string without NUL', () => {
    const r = seeded(7);
    for (let n = 0; n < 2000; n++) {
      const v = r.string('a\\;: \r\nsn\u00e9', r.int(20));
      const e = escapeTagValue(v);
      expect(e).not.toMatch(/[; \r\n]/);
      expect(unescapeTagValue(e)).toBe(v);
    }
  });
});

describe('splitText', () => {
  const prefix = ':someone!user@host.example PRIVMSG #room :';
  const pb = utf8Length(prefix);

  const fits = (piece: string) => expect(pb + utf8Length(piece) + 2).toBeLessThanOrEqual(MAX_BODY);

  it('keeps short text whole, drops empty pieces, splits on newlines and removes NUL', () => {
    expect(splitText(pb, 'hello')).toEqual(['hello']);
    expect(splitText(pb, '')).toEqual([]);
    expect(splitText(pb, 'a\r\nb\rc\n\nd\0e')).toEqual(['a', 'b', 'c', 'de']);
  });

  it('turns 16 KiB into valid lines, preferring spaces, losing only the split spaces', () => {
    const words = Array.from({ length: 3000 }, (_, i) => `w${i}`).join(' ');
    expect(utf8Length(words)).toBeGreaterThan(16_000);
    const pieces = splitText(pb, words);
    expect(pieces.length).toBeGreaterThan(30);
    for (const p of pieces) {
      fits(p);
      expect(p.startsWith(' ') || p.endsWith(' ')).toBe(false);
      const line = serialiseLine(
        msg('PRIVMSG', ['#room', p], { source: 'someone!user@host.example' }),
      );
      expect(line.ok).toBe(true);
    }
    expect(pieces.join(' ')).toBe(words);
  });

  it('cuts long words on code point boundaries, never inside a surrogate pair', () => {
    const r = seeded(5);
    for (let n = 0; n < 50; n++) {
      const text = r.string('a\u00e9\u20ac\u{1F600}', 300 + r.int(3000));
      const pieces = splitText(pb, text);
      for (const p of pieces) {
        fits(p);
        expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p); // no lone surrogates
      }
      expect(pieces.join('')).toBe(text);
    }
  });

  it('cuts at a space just past the budget', () => {
    const first = 'x'.repeat(MAX_BODY - 2 - pb);
    expect(splitText(pb, `${first} tail`)).toEqual([first, 'tail']);
  });

  it('refuses a prefix that leaves no room', () => {
    expect(() => splitText(508, 'x')).toThrow(RangeError);
    expect(splitText(506, '\u{1F600}\u{1F600}')).toEqual(['\u{1F600}', '\u{1F600}']);
  });
});
