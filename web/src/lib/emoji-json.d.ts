// The emoji list the pickers load on demand (lib/emoji-data.ts): unicode-emoji-json's groups.
declare module 'unicode-emoji-json/data-by-group.json' {
  const groups: {
    name: string;
    slug: string;
    emojis: { emoji: string; name: string; slug: string }[];
  }[];
  export default groups;
}
