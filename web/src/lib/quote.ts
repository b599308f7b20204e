/** The first line of a text, cut to `max` characters (code points) with an ellipsis. */
export function firstLine(text: string, max = 80): string {
  const line = (text.split('\n').find((l) => l.trim()) ?? '').trim();
  const chars = Array.from(line);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : line;
}
