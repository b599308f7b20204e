import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { groupContacts } from '../lib/groups.js';
import { loadBlocked } from '../state/people.js';
import { contacts } from '../state/signals.js';
import { ContactItem } from './ContactItem.js';
import './contacts.css';

/** Groups folded away by the user, by name (for this page's life). */
const folded = signal<Record<string, boolean>>({});

/** My contacts by group: a contact in two groups shows in both; the ungrouped under "Contacts". */
export function ContactList() {
  useEffect(() => void loadBlocked().catch(() => {}), []);
  const list = contacts.value.filter((c) => c.inRoster);
  const groups = groupContacts(list);
  return (
    <div class="contact-groups">
      {list.length === 0 && (
        <p class="hint">
          No contacts yet. Add someone by their username, or find people by name or city.
        </p>
      )}
      {groups.map(([g, members]) => {
        const open = !folded.value[g];
        const id = `group-${encodeURIComponent(g)}`;
        return (
          <div key={g} class="group" data-group={g}>
            {/* One list with no groups needs no fold: its heading is "Contacts" above. */}
            {(groups.length > 1 || g !== 'Contacts') && (
              <h3 class="group-h">
                <button
                  type="button"
                  class="fold"
                  aria-expanded={open}
                  aria-controls={id}
                  onClick={() => (folded.value = { ...folded.value, [g]: open })}
                >
                  <span aria-hidden="true" class="chev">
                    {open ? '▾' : '▸'}
                  </span>
                  {g} <span class="count">({members.length})</span>
                </button>
              </h3>
            )}
            {open && (
              <ul id={id} class="contacts">
                {members.map((c) => (
                  <ContactItem key={c.userId} c={c} />
                ))}
              </ul>
            )}
          </div>
        );
      })}
    </div>
  );
}
