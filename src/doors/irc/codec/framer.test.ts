import { describe, expect, it } from 'vitest';
import { seeded } from '../../../../test/helpers/random.js';
import { type FramedLine, Framer } from './framer.js';
import { MAX_LINE } from './line.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const all = (framer: Framer, ...chunks: (string | Buffer)[]): FramedLine[] =>
  chunks.flatMap((c) => framer.push(typeof c === 'string' ? b(c) : c));
const lines = (items: FramedLine[]) => items.map((i) => (i.ok ? i.line : `!${i.reason}`));

describe('Framer', () => {
  it('accepts CRLF and lone LF, drops empty lines', () => {
    const f = new Framer();
    expect(lines(all(f, 'NICK a\r\nUSER u 0 * :x\n\r\n\n\r\nPING 1\r\n'))).toEqual([
      'NICK a',
      'USER u 0 * :x',
      'PING 1',
    ]);
    expect(f.buffered).toBe(0);
  });

  it('holds a partial line until its newline, across chunks', () => {
    const f = new Framer();
    expect(all(f, 'PRIV')).toEqual([]);
    expect(f.buffered).toBe(4);
    expect(all(f, 'MSG #a :hi\r')).toEqual([]);
    expect(lines(all(f, '\nPING'))).toEqual(['PRIVMSG #a :hi']);
    expect(f.buffered).toBe(4);
  });

  it('gives the same lines for every split point of a stream (two and three chunks)', () => {
    const stream = Buffer.concat([
      b('@a=b;+c=d :n!u@h PRIVMSG #x :hello\r\n'),
      Buffer.from('PRIVMSG #x :h\u00e9llo \u{1F600}\r\n', 'utf8'),
      b('\r\n\nPING :tok\n'),
      b('PRIVMSG #x :caf\xe9\r\n'), // Latin-1
      b('BAD\0LINE\r\n'),
      b('BAD\rLINE\r\n'),
      b('LAST\r\n'),
    ]);
    const expected = new Framer().push(stream);
    expect(lines(expected)).toEqual([
      '@a=b;+c=d :n!u@h PRIVMSG #x :hello',
      'PRIVMSG #x :h\u00e9llo \u{1F600}',
      'PING :tok',
      'PRIVMSG #x :caf\u00e9',
      '!bad-char',
      '!bad-char',
      'LAST',
    ]);
    for (let i = 0; i <= stream.length; i++) {
      expect(all(new Framer(), stream.subarray(0, i), stream.subarray(i))).toEqual(expected);
      for (let j = i; j <= stream.length; j += 7)
        expect(
          all(new Framer(), stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)),
        ).toEqual(expected);
    }
    // Byte by byte.
    const f = new Framer();
    expect([...stream].flatMap((x) => f.push(Buffer.from([x])))).toEqual(expected);
  });

  it('decodes invalid UTF-8 as Latin-1, per line, and says so', () => {
    const f = new Framer();
    const got = all(
      f,
      Buffer.concat([
        Buffer.from('PRIVMSG #a :\u00e9t\u00e9\r\n', 'utf8'),
        b('PRIVMSG #a :\xe9t\xe9\r\n'),
        b('PRIVMSG #a :\xc3\r\n'), // truncated sequence
        b('PRIVMSG #a :\xed\xa0\x80\r\n'), // encoded surrogate: not UTF-8
        b('PRIVMSG #a :\xc0\xaf\r\n'), // overlong
      ]),
    );
    expect(got).toEqual([
      { ok: true, line: 'PRIVMSG #a :\u00e9t\u00e9', latin1: false },
      { ok: true, line: 'PRIVMSG #a :\u00e9t\u00e9', latin1: true },
      { ok: true, line: 'PRIVMSG #a :\u00c3', latin1: true },
      { ok: true, line: 'PRIVMSG #a :\u00ed\u00a0\u0080', latin1: true },
      { ok: true, line: 'PRIVMSG #a :\u00c0\u00af', latin1: true },
    ]);
  });

  it('refuses NUL and lone CR inside a line, keeps the next line', () => {
    const f = new Framer();
    expect(all(f, 'A\0B\r\nC\rD\nOK\r\n')).toEqual([
      { ok: false, reason: 'bad-char', char: 'nul' },
      { ok: false, reason: 'bad-char', char: 'cr' },
      { ok: true, line: 'OK', latin1: false },
    ]);
    // A CR before CRLF is a lone CR inside the line.
    expect(all(f, 'X\r\r\n')).toEqual([{ ok: false, reason: 'bad-char', char: 'cr' }]);
  });

  it('9000 bytes without a newline: too-long at once, bounded, then recovers after LF', () => {
    const f = new Framer();
    const got = all(f, 'x'.repeat(9000));
    expect(got).toEqual([{ ok: false, reason: 'too-long' }]);
    expect(f.buffered).toBe(0);
    expect(all(f, 'y'.repeat(100_000))).toEqual([]); // still discarding, nothing held
    expect(f.buffered).toBe(0);
    expect(lines(all(f, 'zz\r\nPING 1\r\n'))).toEqual(['PING 1']);
  });

  it('the limit counts CRLF: maxLine - 2 bytes of content pass, one more does not', () => {
    const f = new Framer({ maxLine: 20 });
    expect(lines(all(f, 'x'.repeat(18) + '\r\n'))).toEqual(['x'.repeat(18)]);
    expect(lines(all(f, 'x'.repeat(18) + '\n'))).toEqual(['x'.repeat(18)]);
    expect(lines(all(f, 'x'.repeat(19) + '\n'))).toEqual(['!too-long']);
    // Fed byte by byte the same lines come out.
    const g = new Framer({ maxLine: 20 });
    const bytes = b('x'.repeat(18) + '\r\n' + 'x'.repeat(19) + '\r\nok\r\n');
    expect(lines([...bytes].flatMap((x) => g.push(Buffer.from([x]))))).toEqual([
      'x'.repeat(18),
      '!too-long',
      'ok',
    ]);
    expect(new Framer().maxLine).toBe(MAX_LINE);
  });

  it('random bytes: never throws, never holds more than the limit, lines are clean', () => {
    const r = seeded(42);
    for (let round = 0; round < 200; round++) {
      const f = new Framer({ maxLine: 64 + r.int(600) });
      for (let k = 0; k < 20; k++) {
        const chunk = r.int(4) === 0 ? Buffer.alloc(r.int(2000), 0x61) : r.bytes(r.int(300));
        for (const item of f.push(chunk)) {
          if (!item.ok) continue;
          expect(item.line).not.toMatch(/[\0\r\n]/);
          expect(item.line.length).toBeGreaterThan(0);
          expect(item.latin1 ? item.line.length : Buffer.byteLength(item.line)).toBeLessThanOrEqual(
            f.maxLine - 2,
          );
        }
        expect(f.buffered).toBeLessThan(f.maxLine);
      }
    }
  });

  it('accepts Uint8Array chunks, and copies what it holds', () => {
    const f = new Framer();
    const chunk = new Uint8Array(b('PING a'));
    expect(f.push(chunk)).toEqual([]);
    chunk.fill(0x7a); // the caller reuses its buffer
    expect(lines(f.push(new Uint8Array(b('b\r\n'))))).toEqual(['PING ab']);
  });
});
