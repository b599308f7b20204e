/**
 * What was typed and not sent, per conversation (a target key, state/target.ts),
 * kept in localStorage per user so it survives switching chats and reloads.
 * Bounded: at most MAX_DRAFTS conversations (the oldest-written goes first) and
 * the server's message size per draft. Signing out on purpose forgets them.
 */
const MAX_DRAFTS = 100;
const MAX_CHARS = 16 * 1024;

let userId = '';
let drafts = new Map<string, string>();

const storeKey = (id: string) => `parley.drafts.${id}`;

function persist(): void {
  if (!userId) return;
  try {
    if (drafts.size) localStorage.setItem(storeKey(userId), JSON.stringify([...drafts]));
    else localStorage.removeItem(storeKey(userId));
  } catch {
    /* storage full or disabled: drafts then last as long as the tab */
  }
}

export function loadDrafts(id: string): void {
  userId = id;
  drafts = new Map();
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(storeKey(id)) ?? '[]');
    if (!Array.isArray(raw)) return;
    for (const e of raw.slice(-MAX_DRAFTS))
      if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string' && e[1])
        drafts.set(e[0], e[1].slice(0, MAX_CHARS));
  } catch {
    /* nothing kept, or not ours to read: start empty */
  }
}

export function closeDrafts(discard: boolean): void {
  if (discard) {
    drafts.clear();
    persist();
  }
  drafts = new Map();
  userId = '';
}

export function draftOf(key: string): string {
  return drafts.get(key) ?? '';
}

export function saveDraft(key: string, text: string): void {
  drafts.delete(key);
  if (text.trim()) drafts.set(key, text.slice(0, MAX_CHARS));
  while (drafts.size > MAX_DRAFTS) drafts.delete(drafts.keys().next().value!);
  persist();
}
