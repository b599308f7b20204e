import { pane } from '../state/nav.js';
import { addingContact } from '../state/sidebar.js';
import { browsing, selected, selectedRoom } from '../state/signals.js';
import { AddContact } from './AddContact.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { NoChatOpen } from './EmptyChat.js';
import { ConversationView } from './ConversationView.js';
import { PANES } from './panes.js';
import { RoomDirectory } from './RoomDirectory.js';
import { RoomView } from './RoomView.js';
import { LazySwitcher } from './LazySwitcher.js';
import { Sidebar } from './Sidebar.js';
import { switcherOpen } from './switcher-state.js';
import { useShortcuts } from './shortcuts.js';

/**
 * The signed-in screen: the sidebar (me, the menus, the chat list) beside the
 * open conversation; on a phone one at a time, the list first.
 */
export function Shell() {
  useShortcuts();
  const dm = selected.value;
  const room = selectedRoom.value;
  const named = pane.value ? PANES[pane.value] : undefined;
  const open = dm ?? room ?? (browsing.value ? 'directory' : named ? pane.value : null);
  return (
    <div class={`shell ${open ? 'has-open' : ''}${dm || room ? ' in-chat' : ''}`}>
      <ConnectionBanner />
      <div class="panes">
        <Sidebar />
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
      {addingContact.value && <AddContact />}
      {switcherOpen.value && <LazySwitcher />}
    </div>
  );
}
