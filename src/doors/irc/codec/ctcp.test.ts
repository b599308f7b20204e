import { describe, expect, it } from 'vitest';
import { seeded } from '../../../../test/helpers/random.js';
import { ACTION_OVERHEAD, action, ctcp, parseCtcp, stripFormatting } from './ctcp.js';
import { utf8Length } from './line.js';

describe('parseCtcp', () => {
  it('recognises ACTION with or without the closing delimiter', () => {
    expect(parseCtcp('\x01ACTION waves\x01')).toEqual({ kind: 'action', text: 'waves' });
    expect(parseCtcp('\x01ACTION waves')).toEqual({ kind: 'action', text: 'waves' });
    expect(parseCtcp('\x01action  two spaces \x01')).toEqual({
      kind: 'action',
      text: ' two spaces ',
    });
    expect(parseCtcp('\x01ACTION\x01')).toEqual({ kind: 'action', text: '' });
  });

  it('passes other verbs through, uppercased', () => {
    expect(parseCtcp('\x01VERSION\x01')).toEqual({ kind: 'ctcp', verb: 'VERSION', args: '' });
    expect(parseCtcp('\x01ping 123 456\x01')).toEqual({
      kind: 'ctcp',
      verb: 'PING',
      args: '123 456',
    });
    expect(parseCtcp('\x01DCC SEND f 1 2 3')).toEqual({
      kind: 'ctcp',
      verb: 'DCC',
      args: 'SEND f 1 2 3',
    });
  });

  it('plain text, and delimiters that do not make a CTCP', () => {
    expect(parseCtcp('hello')).toEqual({ kind: 'text', text: 'hello' });
    expect(parseCtcp('a \x01ACTION b\x01')).toEqual({ kind: 'text', text: 'a \x01ACTION b\x01' });
    for (const t of ['\x01', '\x01\x01', '\x01 x\x01', '\x01\x01\x01'])
      expect(parseCtcp(t)).toEqual({ kind: 'text', text: t });
  });

  it('never throws on random input', () => {
    const r = seeded(3);
    for (let n = 0; n < 3000; n++) {
      const t = r.string('\x01 aA\x02\x03', r.int(12));
      const c = parseCtcp(t);
      // eslint-disable-next-line no-control-regex
      if (c.kind === 'ctcp') expect(c.verb).toMatch(/^[^\x01 ]+$/);
    }
  });
});

describe('building CTCP', () => {
  it('wraps and round-trips, removing stray delimiters', () => {
    expect(action('waves')).toBe('\x01ACTION waves\x01');
    expect(parseCtcp(action('a\x01b'))).toEqual({ kind: 'action', text: 'ab' });
    expect(ctcp('version')).toBe('\x01VERSION\x01');
    expect(parseCtcp(ctcp('PING', '1 2'))).toEqual({ kind: 'ctcp', verb: 'PING', args: '1 2' });
    expect(utf8Length(action('x')) - 1).toBe(ACTION_OVERHEAD);
  });
});

describe('stripFormatting', () => {
  it('removes every formatting code', () => {
    expect(
      stripFormatting('\x02b\x02 \x1di\x1d \x1fu\x1f \x1es\x1e \x11m\x11 \x16r\x16 \x0freset'),
    ).toBe('b i u s m r reset');
  });

  it('removes colour codes with their digits, and only those', () => {
    expect(stripFormatting('\x0304red\x03 plain')).toBe('red plain');
    expect(stripFormatting('\x034,12x')).toBe('x');
    expect(stripFormatting('\x03123')).toBe('3'); // two digits at most
    expect(stripFormatting('\x0304,123')).toBe('3');
    expect(stripFormatting('\x03,5x')).toBe(',5x'); // no foreground: the comma is text
    expect(stripFormatting('\x0304,x')).toBe(',x');
    expect(stripFormatting('\x04FF0000red\x04')).toBe('red');
    expect(stripFormatting('\x04ff0000,00FF00x')).toBe('x');
    expect(stripFormatting('\x04ff00x')).toBe('ff00x'); // not six hex digits
  });

  it('is idempotent and never grows text', () => {
    const r = seeded(11);
    for (let n = 0; n < 2000; n++) {
      const t = r.string('\x02\x03\x04\x0f\x11\x16\x1d\x1e\x1f0,9aF x', r.int(30));
      const s = stripFormatting(t);
      expect(s.length).toBeLessThanOrEqual(t.length);
      // eslint-disable-next-line no-control-regex
      expect(s).not.toMatch(/[\x02\x03\x04\x0f\x11\x16\x1d\x1e\x1f]/);
      expect(stripFormatting(s)).toBe(s);
    }
  });
});
