import { linkify } from './linkify.js';

/**
 * A safe Markdown subset for messages (issue 15): **bold**, *italic* or
 * _italic_, `inline code`, ``` code blocks ```, > quotes, and http(s) links
 * made clickable. The result is plain data: components/MessageText.tsx builds
 * the elements from it, so nothing a sender writes is ever parsed as HTML.
 * Work is linear in the text (each delimiter is looked for at most once past
 * where it failed) and nesting is bounded.
 */

export type Inline =
  | { t: 'text'; s: string }
  | { t: 'code'; s: string }
  | { t: 'link'; s: string; href: string }
  | { t: 'b' | 'i'; c: Inline[] };

export type Block = { t: 'p'; c: Inline[] } | { t: 'pre'; s: string } | { t: 'quote'; c: Block[] };

const MAX_DEPTH = 3;

export function parseMarkdown(text: string): Block[] {
  return blocks(text.split('\n'), 0);
}

function blocks(lines: string[], depth: number): Block[] {
  const out: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push({ t: 'p', c: inlines(para.join('\n'), 0) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      // Up to the closing fence, or to the end when there is none.
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !/^\s*```\s*$/.test(lines[j]!)) body.push(lines[j++]!);
      if (j >= lines.length && body.length === 0) {
        para.push(line);
        continue;
      }
      flush();
      out.push({ t: 'pre', s: body.join('\n') });
      i = j;
    } else if (/^>/.test(line) && depth < MAX_DEPTH) {
      flush();
      const inner: string[] = [];
      while (i < lines.length && /^>/.test(lines[i]!)) inner.push(lines[i++]!.replace(/^> ?/, ''));
      i--;
      out.push({ t: 'quote', c: blocks(inner, depth + 1) });
    } else para.push(line);
  }
  flush();
  // A message that is only blank lines keeps them, as text.
  return out.length ? out : [{ t: 'p', c: [{ t: 'text', s: lines.join('\n') }] }];
}

/** Inline code first (nothing inside it is special), then emphasis, then links in plain text. */
export function inlines(text: string, depth: number): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('`', i);
    if (open < 0) break;
    const close = text.indexOf('`', open + 1);
    if (close < 0) break;
    if (close === open + 1) {
      i = close + 1;
      continue;
    }
    if (open > last) out.push(...emphasis(text.slice(last, open), depth));
    out.push({ t: 'code', s: text.slice(open + 1, close) });
    last = i = close + 1;
  }
  if (last < text.length) out.push(...emphasis(text.slice(last), depth));
  return out;
}

const WORD = /[\p{L}\p{N}]/u;

/** Whether `d` at `at` may open (or close) a run: flanked the right way, `_` only between non-words. */
function opens(s: string, at: number, d: string): boolean {
  const next = s[at + d.length];
  if (next === undefined || /\s/.test(next) || next === d[0]) return false;
  return !(d === '_' && at > 0 && WORD.test(s[at - 1]!));
}
function closes(s: string, at: number, d: string): boolean {
  const prev = s[at - 1];
  if (prev === undefined || /\s/.test(prev)) return false;
  const after = s[at + d.length];
  if (d === '_' && after !== undefined && WORD.test(after)) return false;
  // "***" is not a closing "**" followed by "*" of our making.
  return !(d.length === 1 && after === d) && !(d.length === 1 && prev === d);
}

function emphasis(text: string, depth: number): Inline[] {
  if (depth >= MAX_DEPTH) return links(text);
  const out: Inline[] = [];
  /** Where a delimiter was last looked for in vain: no later opener of it can close either. */
  const noCloseFrom: Record<string, number> = {};
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '*' && c !== '_') continue;
    const d = c === '*' && text[i + 1] === '*' ? '**' : c;
    if (!opens(text, i, d)) {
      if (d === '**') i++;
      continue;
    }
    let end = -1;
    if ((noCloseFrom[d] ?? Infinity) > i) {
      for (let j = text.indexOf(d, i + d.length); j >= 0; j = text.indexOf(d, j + 1))
        if (closes(text, j, d)) {
          end = j;
          break;
        }
      if (end < 0) noCloseFrom[d] = i;
    }
    if (end < 0) {
      if (d === '**') i++;
      continue;
    }
    if (i > last) out.push(...links(text.slice(last, i)));
    out.push({ t: d === '**' ? 'b' : 'i', c: emphasis(text.slice(i + d.length, end), depth + 1) });
    last = end + d.length;
    i = last - 1;
  }
  if (last < text.length) out.push(...links(text.slice(last)));
  return out;
}

function links(text: string): Inline[] {
  return linkify(text).map((s) =>
    s.href ? { t: 'link', s: s.text, href: s.href } : { t: 'text', s: s.text },
  );
}

/** The text a message shows, without its markup (previews, "Copy text" keeps the source). */
export function plainText(blocks: Block[]): string {
  const inl = (c: Inline[]): string => c.map((x) => ('c' in x ? inl(x.c) : x.s)).join('');
  return blocks
    .map((b) => (b.t === 'p' ? inl(b.c) : b.t === 'pre' ? b.s : plainText(b.c)))
    .join('\n');
}
