import { pane } from '../state/nav.js';
import { browsing, selected, selectedRoom } from '../state/signals.js';
import { AddContact } from './AddContact.js';
import { ChatList } from './ChatList.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { ContactList } from './ContactList.js';
import { NoChatOpen } from './EmptyChat.js';
import { ConversationView } from './ConversationView.js';
import { FilteredLink } from './FilteredLink.js';
import { Header } from './Header.js';
import { PANES } from './panes.js';
import { Requests } from './Requests.js';
import { RoomDirectory } from './RoomDirectory.js';
import { RoomList } from './RoomList.js';
import { RoomView } from './RoomView.js';
import { LazySwitcher } from './LazySwitcher.js';
import { switcherOpen } from './switcher-state.js';
import { useShortcuts } from './shortcuts.js';

/** The signed-in screen: contacts beside the open conversation (one at a time on a phone). */
export function Shell() {
  useShortcuts();
  const dm = selected.value;
  const room = selectedRoom.value;
  const named = pane.value ? PANES[pane.value] : undefined;
  const open = dm ?? room ?? (browsing.value ? 'directory' : named ? pane.value : null);
  return (
    <div class={`shell ${open ? 'has-open' : ''}${dm || room ? ' in-chat' : ''}`}>
      <Header />
      <ConnectionBanner />
      <div class="panes">
        <aside class="side" aria-label="Contacts">
          <Requests />
          <ChatList />
          <ContactList />
          <RoomList />
          <AddContact />
          <FilteredLink />
        </aside>
        <main class="main">
          {dm ? (
            <ConversationView key={dm} who={dm} />
          ) : room ? (
            <RoomView key={room} name={room} />
          ) : browsing.value ? (
            <RoomDirectory />
          ) : named ? (
            named()
          ) : (
            <NoChatOpen />
          )}
        </main>
      </div>
      {switcherOpen.value && <LazySwitcher />}
    </div>
  );
}
