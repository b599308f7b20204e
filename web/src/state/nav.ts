import { signal } from '@preact/signals';
import { browsing, selected, selectedRoom } from './signals.js';

/**
 * A main pane that is neither a conversation, a room nor the directory
 * (settings, people search, the filtered folder, ...), by name; null: none.
 * Shell maps names to components (components/panes.tsx).
 */
export const pane = signal<string | null>(null);

/** What the main pane shows: one conversation, one room, the room directory, a named pane, or nothing. */
export function showPane(p: { dm?: string; room?: string; browse?: boolean; pane?: string }): void {
  selected.value = p.dm ?? null;
  selectedRoom.value = p.room ?? null;
  browsing.value = p.browse ?? false;
  pane.value = p.pane ?? null;
}
