/** A piece of a message: plain text, or a link that is safe to open. */
export type Segment = { text: string; href?: string };

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;

/** The URL when it is http or https (the only schemes made clickable), else null. */
export function safeHref(s: string): string | null {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** Trailing punctuation belongs to the sentence, not the link; a ")" only when unbalanced. */
function trimUrl(url: string): string {
  let end = url.length;
  for (;;) {
    const c = url[end - 1];
    if (c === undefined) break;
    if ('.,;:!?]}'.includes(c)) end--;
    else if (c === ')') {
      const inner = url.slice(0, end);
      if ((inner.match(/\(/g) ?? []).length < (inner.match(/\)/g) ?? []).length) end--;
      else break;
    } else break;
  }
  return url.slice(0, end);
}

/** Splits text into plain pieces and http(s) links. Never produces HTML. */
export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const start = m.index;
    if (start < last) continue;
    const url = trimUrl(m[0]);
    const href = safeHref(url);
    if (!href) continue;
    if (start > last) out.push({ text: text.slice(last, start) });
    out.push({ text: url, href });
    last = start + url.length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}
