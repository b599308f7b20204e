import { filteredCount } from '../state/filtered.js';
import { showPane } from '../state/nav.js';
import { signOut } from '../state/session.js';
import { addingContact, sideView } from '../state/sidebar.js';
import { contacts } from '../state/signals.js';
import { Icon } from './icons.js';
import { Menu } from './Menu.js';
import { MyPresence } from './MyPresence.js';

/** The filtered folder's count, live ("2", "50+"), in the menu; on the menu button when not zero. */
function FilteredCount() {
  const { n, more } = filteredCount.value;
  return (
    <span class={n > 0 ? 'badge' : 'zero'} data-testid="filtered-count">
      {more ? `${n}+` : `${n}`}
    </span>
  );
}

/**
 * The top of the sidebar: me and my status (a popover), my contacts, "New chat"
 * (add a contact, find people, rooms) and one menu for the rest, with Sign out
 * set apart at its end.
 */
export function SideHeader() {
  const { n } = filteredCount.value;
  const waiting = contacts.value.filter((c) => c.pendingIn).length;
  const inContacts = sideView.value === 'contacts';
  return (
    <header class="side-head">
      <MyPresence />
      <div class="side-actions">
        <button
          type="button"
          class="icon-button"
          aria-label={waiting ? `Contacts, ${waiting} waiting` : 'Contacts'}
          aria-pressed={inContacts}
          title="Contacts"
          onClick={() => (sideView.value = inContacts ? 'chats' : 'contacts')}
        >
          <Icon name="people" />
          {waiting > 0 && <span class="pip" aria-hidden="true" />}
        </button>
        <Menu
          label="New chat"
          class="icon-menu"
          icon={<Icon name="compose" />}
          items={[
            { label: 'Add a contact', run: () => (addingContact.value = true) },
            { label: 'Find people', run: () => showPane({ pane: 'people' }) },
            { label: 'Create or browse rooms', run: () => showPane({ browse: true }) },
          ]}
        />
        <Menu
          label={n > 0 ? `Menu, ${n} filtered` : 'Menu'}
          class="icon-menu"
          icon={<Icon name="menu" />}
          // Something filtered shows at once (issue 15, bug 11), without opening the menu.
          badge={
            n > 0 && (
              <span class="badge corner" aria-hidden="true" data-testid="filtered-badge">
                {filteredCount.value.more ? `${n}+` : n}
              </span>
            )
          }
          items={[
            { label: 'Settings', run: () => showPane({ pane: 'settings' }) },
            { label: 'Preferences', run: () => showPane({ pane: 'preferences' }) },
            {
              label: 'Filtered messages',
              extra: <FilteredCount />,
              run: () => showPane({ pane: 'filtered' }),
            },
            { label: 'Sign out', apart: true, run: () => void signOut() },
          ]}
        />
      </div>
    </header>
  );
}
