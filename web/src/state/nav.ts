import { browsing, selected, selectedRoom } from './signals.js';

/** What the main pane shows: one conversation, one room, the room directory, or nothing. */
export function showPane(p: { dm?: string; room?: string; browse?: boolean }): void {
  selected.value = p.dm ?? null;
  selectedRoom.value = p.room ?? null;
  browsing.value = p.browse ?? false;
}
