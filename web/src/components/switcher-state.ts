import { signal } from '@preact/signals';

/** The quick switcher is open (Ctrl+K or Cmd+K, components/shortcuts.ts). */
export const switcherOpen = signal(false);
