/**
 * Reads a page's preview fields (Open Graph, then <title> and the meta
 * description) from untrusted HTML. A hand-written scanner rather than regular
 * expressions over the whole page: every character is looked at a bounded
 * number of times, so hostile markup (unterminated quotes, thousands of tags)
 * costs linear time. Only the head matters: scanning stops at </head> or <body>.
 */

export interface PageMeta {
  title?: string;
  description?: string;
  /** An absolute https URL, or absent. */
  image?: string;
  siteName?: string;
}

export const LIMITS = { title: 200, description: 500, siteName: 100, imageUrl: 2048 } as const;

/** Elements whose content is not markup: skipped whole so a "<meta" inside a script means nothing. */
const RAW_TEXT = new Set(['script', 'style', 'template', 'textarea', 'noscript', 'xmp', 'iframe']);
const MAX_ATTRS = 32;
const TAG_NAME = /[a-zA-Z][a-zA-Z0-9:-]{0,63}/y;
const ATTR_NAME = /[^\s=>/]{1,256}/y;
const UNQUOTED = /[^\s>]*/y;

/** Which meta key fills which field, best first. */
const SOURCES: Record<keyof PageMeta, readonly string[]> = {
  title: ['og:title', 'twitter:title', '<title>'],
  description: ['og:description', 'twitter:description', 'description'],
  image: ['og:image:secure_url', 'og:image', 'og:image:url', 'twitter:image', 'twitter:image:src'],
  siteName: ['og:site_name', 'application-name'],
};

export function parseMeta(html: string, pageUrl: string): PageMeta {
  const found = scan(html);
  const pick = (field: keyof PageMeta) => {
    for (const key of SOURCES[field]) {
      const v = found.get(key);
      if (v !== undefined && v.trim() !== '') return v;
    }
    return undefined;
  };
  const out: PageMeta = {};
  const title = clean(pick('title'), LIMITS.title);
  const description = clean(pick('description'), LIMITS.description);
  const siteName = clean(pick('siteName'), LIMITS.siteName);
  const image = imageUrl(pick('image'), pageUrl);
  if (title) out.title = title;
  if (description) out.description = description;
  if (siteName) out.siteName = siteName;
  if (image) out.image = image;
  return out;
}

/** The first value of each meta key (lowercased) in the head, and the title under "<title>". */
function scan(html: string): Map<string, string> {
  const found = new Map<string, string>();
  let i = 0;
  for (;;) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      if (end < 0) break;
      i = end + 3;
      continue;
    }
    const closing = html[lt + 1] === '/';
    TAG_NAME.lastIndex = lt + (closing ? 2 : 1);
    const m = TAG_NAME.exec(html);
    if (!m) {
      i = lt + 1;
      continue;
    }
    const name = m[0].toLowerCase();
    const tag = readAttributes(html, TAG_NAME.lastIndex);
    if (!tag) break; // an unterminated tag: the rest of the page is inside it
    i = tag.end;
    if (closing) {
      if (name === 'head') break;
      continue;
    }
    if (name === 'body') break;
    if (name === 'title' || RAW_TEXT.has(name)) {
      const close = new RegExp(`</${name}[\\s/>]`, 'gi');
      close.lastIndex = i;
      const c = close.exec(html);
      if (!c) break;
      if (name === 'title' && !found.has('<title>'))
        found.set('<title>', html.slice(i, Math.min(c.index, i + 4 * LIMITS.title)));
      i = c.index + 2;
      continue;
    }
    if (name === 'meta') {
      const key = (tag.attrs.get('property') ?? tag.attrs.get('name'))?.trim().toLowerCase();
      const content = tag.attrs.get('content');
      if (key && content !== undefined && !found.has(key) && key.length <= 64)
        found.set(key, content);
    }
  }
  return found;
}

/** The attributes of a tag from just after its name to its '>', or undefined if it never ends. */
function readAttributes(
  html: string,
  from: number,
): { attrs: Map<string, string>; end: number } | undefined {
  const attrs = new Map<string, string>();
  let j = from;
  for (;;) {
    while (j < html.length && /[\s/]/.test(html[j]!)) j++;
    if (j >= html.length) return undefined;
    if (html[j] === '>') return { attrs, end: j + 1 };
    ATTR_NAME.lastIndex = j;
    const n = ATTR_NAME.exec(html);
    if (!n) {
      j++; // a stray '='
      continue;
    }
    j = ATTR_NAME.lastIndex;
    while (j < html.length && /\s/.test(html[j]!)) j++;
    let value = '';
    if (html[j] === '=') {
      j++;
      while (j < html.length && /\s/.test(html[j]!)) j++;
      const q = html[j];
      if (q === '"' || q === "'") {
        const close = html.indexOf(q, j + 1);
        if (close < 0) return undefined;
        value = html.slice(j + 1, close);
        j = close + 1;
      } else {
        UNQUOTED.lastIndex = j;
        value = UNQUOTED.exec(html)![0];
        j = UNQUOTED.lastIndex;
      }
    }
    const key = n[0].toLowerCase();
    // The first of a repeated attribute counts, as in browsers.
    if (!attrs.has(key) && attrs.size < MAX_ATTRS) attrs.set(key, value);
  }
}

/** HTML 4's Latin-1 entity names, U+00A0 to U+00FF in order (the ones pages use most). */
const LATIN1 =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn ' +
  'sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave ' +
  'Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ' +
  'ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN ' +
  'szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave ' +
  'iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ' +
  'ucirc uuml yacute thorn yuml';

const NAMED: ReadonlyMap<string, string> = new Map([
  ...LATIN1.split(' ').map((n, i) => [n, String.fromCharCode(0xa0 + i)] as const),
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['hellip', '…'],
  ['mdash', '—'],
  ['ndash', '–'],
  ['lsquo', '‘'],
  ['rsquo', '’'],
  ['ldquo', '“'],
  ['rdquo', '”'],
  ['bull', '•'],
  ['euro', '€'],
  ['trade', '™'],
]);

export function decodeEntities(s: string): string {
  return s.replace(
    /&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,7})|([a-zA-Z][a-zA-Z0-9]{1,31}));?/g,
    (all, dec?: string, hex?: string, name?: string) => {
      if (name !== undefined) return NAMED.get(name) ?? all;
      const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
      return String.fromCodePoint(code);
    },
  );
}

/**
 * Plain text of at most `max` characters: markup removed, entities decoded,
 * control and bidirectional-override characters dropped, whitespace collapsed.
 */
export function clean(raw: string | undefined, max: number): string | undefined {
  if (raw === undefined) return undefined;
  const text = [
    ...decodeEntities(raw.slice(0, max * 8).replace(/<[^<>]{0,2000}>/g, ' '))
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  ];
  if (text.length === 0) return undefined;
  return text.length > max ? `${text.slice(0, max - 1).join('')}…` : text.join('');
}

/** The image as an absolute https URL without credentials (the client loads it directly), or undefined. */
function imageUrl(raw: string | undefined, pageUrl: string): string | undefined {
  if (raw === undefined) return undefined;
  const trimmed = decodeEntities(raw.trim());
  if (trimmed.length > LIMITS.imageUrl) return undefined;
  let u: URL;
  try {
    u = new URL(trimmed, pageUrl);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' || u.username || u.password) return undefined;
  const href = u.href;
  return href.length <= LIMITS.imageUrl ? href : undefined;
}
