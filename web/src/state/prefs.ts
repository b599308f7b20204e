import { effect, signal } from '@preact/signals';
import { DEFAULT_PREFS, parsePrefs, type Prefs } from '../lib/prefs.js';
import { me } from './signals.js';

/**
 * This device's preferences for whoever is signed in (lib/prefs.ts), kept in
 * localStorage under their user id: two people sharing a browser keep their
 * own. The theme is applied to <html> as soon as they are known.
 */
const key = (userId: string) => `parley.prefs.${userId}`;

export const prefs = signal<Prefs>(DEFAULT_PREFS);

function read(userId: string): string | null {
  try {
    return localStorage.getItem(key(userId));
  } catch {
    return null;
  }
}

effect(() => {
  const user = me.value;
  prefs.value = user ? parsePrefs(read(user.id)) : DEFAULT_PREFS;
});

// "system" leaves it to prefers-color-scheme (styles.css); light and dark override it (theme.css).
effect(() => {
  const theme = prefs.value.theme;
  const root = document.documentElement;
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
});

export function setPrefs(patch: Partial<Prefs>): void {
  const next = { ...prefs.value, ...patch };
  prefs.value = next;
  const user = me.value;
  if (!user) return;
  try {
    localStorage.setItem(key(user.id), JSON.stringify(next));
  } catch {
    /* storage full or disabled: the choice lasts as long as the tab */
  }
}
