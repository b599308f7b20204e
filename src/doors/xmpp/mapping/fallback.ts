import { type Element, xml } from '../codec/element.js';
import { XMLNS } from '../xmlns.js';

/**
 * XEP-0428 fallback indication, both ways (pure). A body may carry text only
 * for clients that lack an extension (a quote before a reply, "this message was
 * retracted"); `<fallback for='ns'>` marks it, by ranges of the body in Unicode
 * code points (XEP-0426), or the whole body when no range is given.
 */

/** Quoted text of a reply's fallback is cut to this many code points. */
export const QUOTE_MAX = 200;

/**
 * The body without the parts marked as fallback for `forNs`. A range that does
 * not fit the body (reversed, negative, not a number, past its end) marks
 * nothing: text is never lost to a malformed hint.
 */
export function stripFallback(body: string, stanza: Element, forNs: string): string {
  const marks = stanza
    .getChildren('fallback', XMLNS.fallback)
    .filter((f) => f.attr('for') === forNs);
  if (marks.length === 0) return body;
  const chars = [...body];
  const ranges: [number, number][] = [];
  for (const f of marks) {
    const bodies = f.getChildren('body');
    if (bodies.length === 0) return '';
    for (const b of bodies) {
      const start = whole(b.attr('start'));
      const end = whole(b.attr('end'));
      if (start === undefined || end === undefined || start > end || end > chars.length) continue;
      ranges.push([start, end]);
    }
  }
  if (ranges.length === 0) return body;
  const drop = new Uint8Array(chars.length);
  for (const [s, e] of ranges) drop.fill(1, s, e);
  return chars.filter((_, i) => drop[i] === 0).join('');
}

function whole(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,7}$/.test(v)) return undefined;
  return Number(v);
}

/**
 * A reply's quote for clients without XEP-0461: each line of the quoted text
 * after "> ", cut to QUOTE_MAX code points; with the fallback element marking it.
 */
export function replyFallback(quoted: string): { prefix: string; mark: Element } {
  let chars = [...quoted];
  if (chars.length > QUOTE_MAX) chars = [...chars.slice(0, QUOTE_MAX - 1), '…'];
  const prefix = `${chars
    .join('')
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n')}\n`;
  return {
    prefix,
    mark: xml(
      'fallback',
      { xmlns: XMLNS.fallback, for: XMLNS.reply },
      xml('body', { start: 0, end: [...prefix].length }),
    ),
  };
}
