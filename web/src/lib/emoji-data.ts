/**
 * Every emoji with its name, for the emoji and reaction pickers. Loaded on
 * first use (its own chunk, about 400 kB raw), never at first paint.
 */
export interface EmojiEntry {
  e: string;
  name: string;
  group: string;
}

let loading: Promise<{ groups: string[]; all: EmojiEntry[] }> | null = null;

export function loadEmoji(): Promise<{ groups: string[]; all: EmojiEntry[] }> {
  loading ??= import('unicode-emoji-json/data-by-group.json')
    .then((m) => {
      const groups: string[] = [];
      const all: EmojiEntry[] = [];
      for (const g of m.default) {
        // Flags and the like are kept; the "Component" group (bare skin tones) is not.
        if (g.slug === 'component') continue;
        groups.push(g.name);
        for (const x of g.emojis) all.push({ e: x.emoji, name: x.name, group: g.name });
      }
      return { groups, all };
    })
    .catch((err: unknown) => {
      loading = null;
      throw err;
    });
  return loading;
}
