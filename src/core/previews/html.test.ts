import { describe, expect, it } from 'vitest';
import { clean, decodeEntities, LIMITS, parseMeta } from './html.js';

const page = 'https://example.org/a/b';

describe('link preview HTML reader', () => {
  it('prefers Open Graph, falls back to <title> and the meta description', () => {
    expect(
      parseMeta(
        `<html><head><title>T</title><meta name="description" content="D">
         <meta property="og:title" content="OG"><meta property="og:site_name" content="S">
         <meta property="og:image" content="//cdn.example.org/i.png"></head>`,
        page,
      ),
    ).toEqual({
      title: 'OG',
      description: 'D',
      siteName: 'S',
      image: 'https://cdn.example.org/i.png',
    });
    expect(parseMeta('<TITLE>Only</TITLE><META NAME=Description CONTENT=short>', page)).toEqual({
      title: 'Only',
      description: 'short',
    });
  });

  it('takes the first of repeated tags and attributes, and ignores empty values', () => {
    expect(
      parseMeta(
        `<meta property="og:title" content="" ><meta property="og:title" content="first" property="x">
         <meta property="og:title" content="second"><title>t</title>`,
        page,
      ).title,
    ).toBe('t');
    expect(
      parseMeta('<meta property="og:title" content="first" content="second">', page).title,
    ).toBe('first');
  });

  it('reads nothing from scripts, styles, comments or the body', () => {
    expect(
      parseMeta(
        `<script>var s = '<meta property="og:title" content="script">';</script>
         <style>/* <title>style</title> */</style>
         <!-- <meta property="og:title" content="comment"> -->
         <noscript><meta property="og:title" content="noscript"></noscript>
         </head><body><meta property="og:title" content="body"><title>body</title>`,
        page,
      ),
    ).toEqual({});
  });

  it('answers text only: markup dropped, entities decoded, controls and bidi overrides removed', () => {
    expect(
      parseMeta(
        `<title>a <img src=x onerror=alert(1)> b &lt;i&gt; &#0; &#xD800; &#1114112; &bogus; \u202Egnp.exe\u0007</title>`,
        page,
      ).title,
    ).toBe('a b <i> \uFFFD \uFFFD \uFFFD &bogus; gnp.exe');
    expect(decodeEntities('&eacute;&Uuml;&yuml;&nbsp;&#233;&#xe9;')).toBe('éÜÿ\u00a0éé');
  });

  it('bounds every field', () => {
    const long = 'é'.repeat(10_000);
    const m = parseMeta(
      `<meta property="og:title" content="${long}"><meta name="description" content="${long}">
       <meta property="og:site_name" content="${long}">`,
      page,
    );
    expect([...m.title!].length).toBe(LIMITS.title);
    expect(m.title!.endsWith('…')).toBe(true);
    expect([...m.description!].length).toBe(LIMITS.description);
    expect([...m.siteName!].length).toBe(LIMITS.siteName);
    expect(clean('  \n\t ', 10)).toBeUndefined();
  });

  it('offers only https images without credentials', () => {
    const img = (c: string) => parseMeta(`<meta property="og:image" content="${c}">`, page).image;
    expect(img('/x.png')).toBe('https://example.org/x.png');
    expect(
      parseMeta('<meta property="og:image" content="/x.png">', 'http://example.org/').image,
    ).toBe(undefined);
    expect(img('javascript:alert(1)')).toBeUndefined();
    expect(img('data:image/png;base64,AAAA')).toBeUndefined();
    expect(img('https://u:p@cdn.example.org/x.png')).toBeUndefined();
    expect(img(`https://cdn.example.org/${'a'.repeat(LIMITS.imageUrl)}`)).toBeUndefined();
  });

  it('survives hostile markup in linear time', () => {
    const cases = [
      '<meta content="'.repeat(50_000),
      '<meta '.repeat(100_000),
      '<'.repeat(300_000),
      '<title>'.repeat(50_000),
      '<!--'.repeat(100_000),
      `<meta ${'a='.repeat(100_000)}>`,
      `<title>${'<'.repeat(200_000)}</title>`,
      '<meta property="og:title" content="x"'.repeat(10_000),
      '&#'.repeat(200_000),
    ];
    // Quadratic scanning of these would take minutes and hit the test's timeout.
    for (const c of cases) expect(() => parseMeta(c, page)).not.toThrow();
  });

  it('handles unterminated tags and stray characters', () => {
    expect(parseMeta('<title>ok</title><meta property="og:title" content="never', page)).toEqual({
      title: 'ok',
    });
    expect(parseMeta('<meta = = property=og:title content=x>', page).title).toBe('x');
    expect(parseMeta('<title>unterminated', page)).toEqual({});
  });
});
