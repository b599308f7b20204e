import { ParleyError } from '../errors.js';

export const MAX_FILTERS = 100;
export const MAX_PHRASE = 100;

/** A filter phrase as stored: trimmed, inner whitespace collapsed, with at least one letter or digit. */
export function cleanPhrase(v: string): string {
  const p = v.replace(/\s+/gu, ' ').trim();
  if (!/[\p{L}\p{N}]/u.test(p))
    throw new ParleyError('bad-request', 'phrase needs at least one letter or digit', {
      field: 'phrase',
    });
  if (p.includes('\u0000'))
    throw new ParleyError('bad-request', 'phrase must not contain NUL characters', {
      field: 'phrase',
    });
  if ([...p].length > MAX_PHRASE)
    throw new ParleyError('bad-request', `phrase must be at most ${MAX_PHRASE} characters`, {
      field: 'phrase',
    });
  return p;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * Whole words and phrases, case-insensitively: "cat" matches "Cat!" but not
 * "category"; "free money" matches "FREE   money". Returns the first phrase
 * that matches, if any.
 */
export function matchingPhrase(text: string, phrases: readonly string[]): string | undefined {
  for (const p of phrases) {
    const body = p.split(' ').map(escape).join('\\s+');
    if (new RegExp(`(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])`, 'iu').test(text)) return p;
  }
  return undefined;
}
