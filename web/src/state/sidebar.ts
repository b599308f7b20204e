import { effect, signal } from '@preact/signals';
import { me } from './signals.js';

/**
 * What the sidebar shows (components/Sidebar.tsx): the chat list, or my
 * contacts (with requests, groups and each contact's menu) in its place, as
 * Telegram's left column does. Not an address: the main pane keeps its own.
 */
export const sideView = signal<'chats' | 'contacts'>('chats');
/** What the filter at the top of the chat list holds ('' shows every chat). */
export const chatFilter = signal('');
/** The "Add a contact" dialog is open. */
export const addingContact = signal(false);
/** What the last contact request said ("Request sent to bob."), shown atop the contacts. */
export const contactNote = signal('');

// The next person to sign in starts at their chat list.
effect(() => {
  if (me.value) return;
  sideView.value = 'chats';
  chatFilter.value = '';
  addingContact.value = false;
  contactNote.value = '';
});
