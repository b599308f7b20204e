import { contacts } from '../state/signals.js';
import { ContactItem } from './ContactItem.js';

export function ContactList() {
  const list = contacts.value.filter((c) => c.inRoster);
  return (
    <section aria-labelledby="contacts-h">
      <h2 id="contacts-h">Contacts</h2>
      {list.length === 0 ? (
        <p class="hint">No contacts yet. Add someone by their username below.</p>
      ) : (
        <ul class="contacts">
          {list.map((c) => (
            <ContactItem key={c.userId} c={c} />
          ))}
        </ul>
      )}
    </section>
  );
}
