/**
 * Search snippets mark each match between U+0002 and U+0003 (docs/protocol.md
 * 5.42). They are split into text pieces, the marked ones to be shown as
 * <mark>: never parsed as HTML. An unmatched marker (a message text may carry
 * its own) is dropped, not shown.
 */
export interface Piece {
  text: string;
  mark: boolean;
}

export function snippetPieces(snippet: string): Piece[] {
  const out: Piece[] = [];
  let mark = false;
  let text = '';
  const flush = () => {
    if (text) out.push({ text, mark });
    text = '';
  };
  for (const ch of snippet) {
    if (ch === '\u0002' || ch === '\u0003') {
      flush();
      mark = ch === '\u0002';
    } else text += ch;
  }
  flush();
  return out;
}
