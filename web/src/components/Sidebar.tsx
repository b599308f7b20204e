import { useEffect, useRef } from 'preact/hooks';
import { addingContact, chatFilter, contactNote, sideView } from '../state/sidebar.js';
import { showPane } from '../state/nav.js';
import { ChatList } from './ChatList.js';
import { ContactList } from './ContactList.js';
import { Icon } from './icons.js';
import { Requests } from './Requests.js';
import { SideHeader } from './SideHeader.js';
import './sidebar.css';

/**
 * The filter atop the chat list: narrows it as one types; Enter opens the
 * first chat found, Down moves into the list, Escape clears.
 */
function ChatFilter() {
  const input = useRef<HTMLInputElement>(null);
  const rows = () => [...document.querySelectorAll<HTMLElement>('.chats li > button.contact')];
  return (
    <div class="chat-filter" role="search">
      <Icon name="search" size={18} />
      <input
        ref={input}
        type="search"
        aria-label="Search chats and contacts"
        placeholder="Search"
        autoComplete="off"
        spellcheck={false}
        maxLength={100}
        value={chatFilter.value}
        onInput={(e) => (chatFilter.value = e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            if (chatFilter.value.trim()) rows()[0]?.click();
          } else if (e.key === 'ArrowDown') {
            const first = rows()[0];
            if (first) {
              e.preventDefault();
              first.focus();
            }
          } else if (e.key === 'Escape' && chatFilter.value) {
            e.preventDefault();
            chatFilter.value = '';
          }
        }}
      />
    </div>
  );
}

/** My contacts in the sidebar's place: requests first, then by group, each with its menu. */
function ContactsView() {
  // "Request sent to bob." is news once: gone when the contacts are left.
  useEffect(() => () => void (contactNote.value = ''), []);
  return (
    <section class="contacts-view" aria-labelledby="contacts-h">
      <header class="side-sub">
        <button
          type="button"
          class="icon-button"
          aria-label="Back to chats"
          onClick={() => (sideView.value = 'chats')}
        >
          <Icon name="back" />
        </button>
        <h2 id="contacts-h">Contacts</h2>
        <button type="button" class="secondary small" onClick={() => (addingContact.value = true)}>
          Add
        </button>
      </header>
      {contactNote.value && (
        <p class="hint side-note" role="status">
          {contactNote.value}
        </p>
      )}
      <Requests />
      <ContactList />
      <button type="button" class="secondary wide" onClick={() => showPane({ pane: 'people' })}>
        Find people
      </button>
    </section>
  );
}

/** Up and Down move between the chat list's rows (Tab leaves the list). */
function moveInList(e: KeyboardEvent) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const at = e.target as HTMLElement;
  if (!at.matches('.chats li > button.contact')) return;
  const rows = [...document.querySelectorAll<HTMLElement>('.chats li > button.contact')];
  const i = rows.indexOf(at) + (e.key === 'ArrowDown' ? 1 : -1);
  e.preventDefault();
  if (i >= 0 && i < rows.length) rows[i]!.focus();
  else if (i < 0) document.querySelector<HTMLElement>('.chat-filter input')?.focus();
}

/** The sidebar: me and the menus on top, then the chat list (with its filter) or my contacts. */
export function Sidebar() {
  const chats = sideView.value === 'chats';
  return (
    <aside class="side" aria-label={chats ? 'Chats' : 'Contacts'}>
      <SideHeader />
      {chats ? (
        <>
          <ChatFilter />
          <div class="side-scroll" onKeyDown={moveInList}>
            <ChatList />
          </div>
        </>
      ) : (
        <div class="side-scroll">
          <ContactsView />
        </div>
      )}
    </aside>
  );
}
