import { describe, expect, it } from 'vitest';
import { MAX_BODY, parseLine, serialiseLine, utf8Length } from '../codec/line.js';
import { PREFIX } from './channel.js';
import {
  escapeIsupportValue,
  isupportMessages,
  isupportToken,
  MAPPING_TOKENS,
  unescapeIsupportValue,
} from './isupport.js';

const lines = (...args: Parameters<typeof isupportMessages>) =>
  isupportMessages(...args).map((m) => {
    const r = serialiseLine(m);
    if (!r.ok) throw new Error(r.reason);
    return r.line;
  });

describe('RPL_ISUPPORT', () => {
  it('writes NAME, NAME=value and -NAME tokens with the usual text', () => {
    expect(
      lines('srv', 'alice', [
        ['CASEMAPPING', 'ascii'],
        ['CHANTYPES', '#'],
        ['PREFIX', PREFIX],
        ['SAFELIST', true],
        ['EXCEPTS', ''],
        ['INVEX', false],
      ]),
    ).toEqual([
      ':srv 005 alice CASEMAPPING=ascii CHANTYPES=# PREFIX=(qao)~&@ SAFELIST EXCEPTS -INVEX :are supported by this server',
    ]);
  });

  it('the mapping tokens', () => {
    expect(lines('srv', 'a', MAPPING_TOKENS)).toEqual([
      ':srv 005 a CASEMAPPING=ascii CHANTYPES=# CHANNELLEN=33 NICKLEN=33 PREFIX=(qao)~&@ :are supported by this server',
    ]);
  });

  it('escapes space, backslash, equals and controls as \\xHH, and reads them back', () => {
    expect(escapeIsupportValue('a b\\c=d\x01\u00e9')).toBe('a\\x20b\\x5Cc\\x3Dd\\x01\u00e9');
    for (const v of ['a b', '\\x20', '==', 'x\\', '\t\r\n\0'])
      expect(unescapeIsupportValue(escapeIsupportValue(v))).toBe(v);
    expect(isupportToken('NETWORK', 'My Net')).toBe('NETWORK=My\\x20Net');
  });

  it('at most 13 tokens per line, every line within 512 bytes', () => {
    const tokens = Array.from({ length: 40 }, (_, i) => [`TOKEN${i}`, 'v'.repeat(i * 3)] as const);
    const out = lines('parley.example', 'someone', tokens);
    let seen = 0;
    for (const l of out) {
      expect(utf8Length(l) + 2).toBeLessThanOrEqual(MAX_BODY);
      const p = parseLine(l);
      if (!p.ok) throw new Error(p.reason);
      const toks = p.message.params.slice(1, -1);
      expect(toks.length).toBeLessThanOrEqual(13);
      expect(p.message.params.at(-1)).toBe('are supported by this server');
      for (const t of toks) {
        expect(t).toBe(`TOKEN${seen}${seen ? '=' + 'v'.repeat(seen * 3) : ''}`);
        seen++;
      }
    }
    expect(seen).toBe(40);
    expect(out.length).toBeGreaterThan(3);
  });

  it('no tokens, no lines; bad names and oversized tokens throw (programming errors)', () => {
    expect(isupportMessages('srv', 'a', [])).toEqual([]);
    for (const bad of ['', '-X', 'A B', 'A=B', ':X'])
      expect(() => isupportToken(bad, true)).toThrow(TypeError);
    expect(() => isupportMessages('srv', 'a', [['BIG', 'x'.repeat(600)]])).toThrow(RangeError);
  });
});
