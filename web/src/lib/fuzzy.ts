/**
 * Matching what someone types against names (the quick switcher, invite
 * suggestions, emoji search): a name that starts with the query comes first,
 * then one with a word starting with it, then one containing it, then one
 * holding its letters in order. Case and accents do not matter. Pure.
 */

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/** Lower is better; null: no match. */
export function score(query: string, name: string): number | null {
  const q = fold(query.trim());
  const n = fold(name);
  if (!q) return 0;
  if (n.startsWith(q)) return 0;
  const at = n.indexOf(q);
  if (at > 0 && /[\s@#._:-]/.test(n[at - 1]!)) return 1;
  if (at > 0) return 2;
  let i = 0;
  for (const ch of n) if (ch === q[i]) i++;
  return i === q.length ? 3 : null;
}

/**
 * The items whose best name matches, best first (then in their given order),
 * at most `limit`. `names` gives each item's names (a display name, a username...).
 */
export function rank<T>(
  items: readonly T[],
  query: string,
  names: (t: T) => string[],
  limit: number,
): T[] {
  const scored: { t: T; s: number; i: number }[] = [];
  items.forEach((t, i) => {
    let best: number | null = null;
    for (const n of names(t)) {
      const s = score(query, n);
      if (s !== null && (best === null || s < best)) best = s;
    }
    if (best !== null) scored.push({ t, s: best, i });
  });
  scored.sort((a, b) => a.s - b.s || a.i - b.i);
  return scored.slice(0, limit).map((x) => x.t);
}
