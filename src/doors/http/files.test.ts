import { describe, expect, it } from 'vitest';
import { contentDisposition, parseRange } from './files.js';

describe('parseRange', () => {
  it('serves one byte range, the suffix form, and refuses what lies past the end', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=50-5000', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=9-3', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
  });

  it('sends the whole file for what it does not serve or cannot read', () => {
    for (const h of [
      undefined,
      '',
      'bytes=-',
      'bytes=0-1,5-6',
      'items=0-1',
      'bytes=a-b',
      'bytes=99999999999999999999-',
      'bytes= 0-1'.repeat(1000),
    ])
      expect(parseRange(h, 100)).toBeUndefined();
  });
});

describe('contentDisposition', () => {
  it('quotes nothing the client sent raw: ASCII fallback plus the RFC 8187 form', () => {
    expect(contentDisposition('attachment', 'a"b;\r\nc.pdf')).toBe(
      `attachment; filename="a_b___c.pdf"; filename*=UTF-8''a%22b%3B%0D%0Ac.pdf`,
    );
    expect(contentDisposition('inline', 'ünï.jpg')).toMatch(
      /^inline; filename="_n_.jpg"; filename\*=UTF-8''%C3%BCn%C3%AF.jpg$/,
    );
  });
});
