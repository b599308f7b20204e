import { signal } from '@preact/signals';
import { type Route, urlOf } from '../lib/route.js';
import { browsing, selected, selectedRoom } from './signals.js';

/**
 * A main pane that is neither a conversation, a room nor the directory
 * (settings, people search, the filtered folder, ...), by name; null: none.
 * Shell maps names to components (components/panes.tsx).
 */
export const pane = signal<string | null>(null);

/** Set while the screen follows the address bar (Back, a reload): it must not push again. */
let following = false;

/** Runs `fn` (which shows what the address says) without adding a history entry. */
export function fromAddress(fn: () => void): void {
  following = true;
  try {
    fn();
  } finally {
    following = false;
  }
}

/**
 * What the main pane shows: one conversation, one room, the room directory, a named
 * pane, or nothing. Each is an address (lib/route.ts): showing one adds it to the
 * browser's history, so Back returns to the screen before.
 */
export function showPane(p: Route): void {
  selected.value = p.dm ?? null;
  selectedRoom.value = p.room ?? null;
  browsing.value = p.browse ?? false;
  pane.value = p.pane ?? null;
  if (following) return;
  const url = urlOf(p);
  if (url !== location.pathname) history.pushState(null, '', url);
}
