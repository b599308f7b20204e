import { describe, expect, it } from 'vitest';
import { xml } from '../codec/element.js';
import { XMLNS } from '../xmlns.js';
import { QUOTE_MAX, replyFallback, stripFallback } from './fallback.js';

const stanza = (...ranges: [string | undefined, string | undefined][]) =>
  xml(
    'message',
    {},
    xml(
      'fallback',
      { xmlns: XMLNS.fallback, for: XMLNS.reply },
      ranges.map(([start, end]) => xml('body', { start, end })),
    ),
  );

describe('XEP-0428 fallbacks', () => {
  it('strips the marked ranges, counted in code points', () => {
    expect(stripFallback('> 👋 hi\nanswer', stanza(['0', '7']), XMLNS.reply)).toBe('answer');
    expect(stripFallback('ab>cdef', stanza(['2', '4'], ['5', '6']), XMLNS.reply)).toBe('abdf');
    // Overlapping ranges mark their union.
    expect(stripFallback('abcdef', stanza(['0', '3'], ['2', '4']), XMLNS.reply)).toBe('ef');
  });

  it('a fallback for another extension, or none, strips nothing; no range strips all', () => {
    expect(stripFallback('text', xml('message', {}), XMLNS.reply)).toBe('text');
    expect(stripFallback('text', stanza(['0', '2']), XMLNS.retract)).toBe('text');
    const whole = xml('message', {}, xml('fallback', { xmlns: XMLNS.fallback, for: XMLNS.reply }));
    expect(stripFallback('text', whole, XMLNS.reply)).toBe('');
  });

  it('hostile ranges mark nothing', () => {
    for (const r of [
      ['4', '2'],
      ['-1', '2'],
      ['0', '99'],
      ['x', '2'],
      [undefined, '2'],
      ['0', '1e3'],
      ['0', '99999999999'],
    ] as [string | undefined, string | undefined][])
      expect(stripFallback('text', stanza(r), XMLNS.reply)).toBe('text');
  });

  it('a quote is each line after "> ", cut, with its range', () => {
    const { prefix, mark } = replyFallback('one\ntwo');
    expect(prefix).toBe('> one\n> two\n');
    expect(mark.getChild('body')!.attr('end')).toBe(String([...prefix].length));
    const long = replyFallback('👋'.repeat(QUOTE_MAX * 2)).prefix;
    expect([...long].length).toBe(QUOTE_MAX + 3);
  });
});
