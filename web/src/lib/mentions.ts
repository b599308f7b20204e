/**
 * `@name` in a room message (docs/protocol.md 12.4): a `@` at the start or after
 * a character that is not a letter, digit, `_`, `@`, `.` or `-`, then a
 * username; a trailing `.` or `-` is punctuation.
 */
const MENTION_RE = /(^|[^\p{L}\p{N}_@.-])@([a-z0-9._-]{1,32})/giu;

export type Piece = { text: string; mention?: string };

/** Splits text into plain pieces and mentions of `known` usernames (lowercase). */
export function splitMentions(text: string, known: (username: string) => boolean): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(MENTION_RE)) {
    const name = m[2]!.replace(/[.-]+$/, '').toLowerCase();
    if (!name || !known(name)) continue;
    const start = m.index + m[1]!.length;
    const end = start + 1 + name.length;
    if (start > last) out.push({ text: text.slice(last, start) });
    out.push({ text: text.slice(start, end), mention: name });
    last = end;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

/**
 * The `@word` being typed just before the caret, if any: where it starts and
 * what has been typed after the `@`.
 */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|[^\p{L}\p{N}_@.-])@([a-z0-9._-]{0,32})$/iu.exec(before);
  if (!m) return null;
  return { start: m.index + m[1]!.length, query: m[2]!.toLowerCase() };
}

/** Usernames starting with `query` first, then containing it; at most `max`. */
export function suggest(names: string[], query: string, max = 8): string[] {
  const q = query.toLowerCase();
  const starts = names.filter((n) => n.startsWith(q));
  const inside = names.filter((n) => !n.startsWith(q) && n.includes(q));
  return [...starts.sort(), ...inside.sort()].slice(0, max);
}

/** The text with the `@word` at `start..caret` replaced by `@name `, and the new caret. */
export function complete(
  text: string,
  start: number,
  caret: number,
  name: string,
): { text: string; caret: number } {
  const insert = `@${name} `;
  const rest = text.slice(caret).replace(/^[a-z0-9._-]*/i, '');
  const next = text.slice(0, start) + insert + rest.replace(/^ /, '');
  return { text: next, caret: start + insert.length };
}
