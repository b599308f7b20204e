import { effect, signal } from '@preact/signals';
import { me } from '../state/signals.js';

/** The quick switcher is open (Ctrl+K or Cmd+K, components/shortcuts.ts). */
export const switcherOpen = signal(false);

// Signing out closes it: the next person to sign in does not find it open.
effect(() => {
  if (!me.value) switcherOpen.value = false;
});
