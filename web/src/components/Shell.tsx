import { selected } from '../state/signals.js';
import { AddContact } from './AddContact.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { ContactList } from './ContactList.js';
import { ConversationView } from './ConversationView.js';
import { Header } from './Header.js';
import { Requests } from './Requests.js';

/** The signed-in screen: contacts beside the open conversation (one at a time on a phone). */
export function Shell() {
  const open = selected.value;
  return (
    <div class={`shell ${open ? 'has-open' : ''}`}>
      <Header />
      <ConnectionBanner />
      <div class="panes">
        <aside class="side" aria-label="Contacts">
          <Requests />
          <ContactList />
          <AddContact />
        </aside>
        <main class="main">
          {open ? (
            <ConversationView key={open} who={open} />
          ) : (
            <p class="empty">Choose a contact to start talking.</p>
          )}
        </main>
      </div>
    </div>
  );
}
