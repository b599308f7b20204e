import { describe, expect, it } from 'vitest';
import { parseMarkdown, plainText, type Block } from './markdown.js';

const p = (text: string) => {
  const b = parseMarkdown(text);
  expect(b).toHaveLength(1);
  return (b[0] as Extract<Block, { t: 'p' }>).c;
};

describe('markdown subset', () => {
  it('bold, italic, inline code and links', () => {
    expect(p('a **bold** and *it* and _too_ and `x*y*`')).toEqual([
      { t: 'text', s: 'a ' },
      { t: 'b', c: [{ t: 'text', s: 'bold' }] },
      { t: 'text', s: ' and ' },
      { t: 'i', c: [{ t: 'text', s: 'it' }] },
      { t: 'text', s: ' and ' },
      { t: 'i', c: [{ t: 'text', s: 'too' }] },
      { t: 'text', s: ' and ' },
      { t: 'code', s: 'x*y*' },
    ]);
    expect(p('see **https://example.com/a_b_c**')).toEqual([
      { t: 'text', s: 'see ' },
      {
        t: 'b',
        c: [{ t: 'link', s: 'https://example.com/a_b_c', href: 'https://example.com/a_b_c' }],
      },
    ]);
  });

  it('leaves what is not markup alone', () => {
    expect(p('snake_case_name and 2 * 3 * 4')).toEqual([
      { t: 'text', s: 'snake_case_name and 2 * 3 * 4' },
    ]);
    expect(p('**not closed')).toEqual([{ t: 'text', s: '**not closed' }]);
    expect(p('``')).toEqual([{ t: 'text', s: '``' }]);
  });

  it('code blocks and quotes', () => {
    expect(parseMarkdown('look:\n```js\nconst a = **1**;\n<b>x</b>\n```\nafter')).toEqual([
      { t: 'p', c: [{ t: 'text', s: 'look:' }] },
      { t: 'pre', s: 'const a = **1**;\n<b>x</b>' },
      { t: 'p', c: [{ t: 'text', s: 'after' }] },
    ]);
    expect(parseMarkdown('> quoted *well*\n> again\nreply')).toEqual([
      {
        t: 'quote',
        c: [
          {
            t: 'p',
            c: [
              { t: 'text', s: 'quoted ' },
              { t: 'i', c: [{ t: 'text', s: 'well' }] },
              { t: 'text', s: '\nagain' },
            ],
          },
        ],
      },
      { t: 'p', c: [{ t: 'text', s: 'reply' }] },
    ]);
    // An unclosed fence runs to the end.
    expect(parseMarkdown('```\ncode')).toEqual([{ t: 'pre', s: 'code' }]);
  });

  it('hostile input stays text, and links are only http(s)', () => {
    const evil =
      '<img src=x onerror=alert(1)> **<script>alert(2)</script>** [x](javascript:alert(3))';
    const out = JSON.stringify(parseMarkdown(evil));
    expect(out).not.toContain('"href":"javascript');
    expect(plainText(parseMarkdown(evil))).toBe(
      '<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3))',
    );
    expect(JSON.stringify(parseMarkdown('javascript:alert(1) data:text/html,x'))).not.toContain(
      'href',
    );
  });

  it('stays fast and shallow on pathological input', () => {
    const nasty = [
      '*a '.repeat(6000),
      '**'.repeat(8000),
      '_'.repeat(16000),
      '`'.repeat(16000),
      '>'.repeat(16000),
    ];
    for (const s of nasty) {
      const t = performance.now();
      const b = parseMarkdown(s);
      expect(performance.now() - t).toBeLessThan(500);
      expect(plainText(b).length).toBeGreaterThan(0);
    }
    const deep = '*'.repeat(50) + 'x' + '*'.repeat(50);
    const depth = (c: unknown): number =>
      Array.isArray(c)
        ? Math.max(0, ...c.map(depth))
        : c && typeof c === 'object' && 'c' in c
          ? 1 + depth((c as { c: unknown }).c)
          : 0;
    expect(depth(parseMarkdown(deep))).toBeLessThanOrEqual(5);
    const quotes = parseMarkdown('>>>>>>>> deep');
    expect(depth(quotes)).toBeLessThanOrEqual(5);
  });
});
