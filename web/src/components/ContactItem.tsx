import type { Contact } from '../../../src/sdk/index.js';
import { openConversation } from '../state/chat.js';
import { presence, selected, unread } from '../state/signals.js';
import { PresenceDot, presenceWord } from './PresenceDot.js';

/** One contact: presence dot, name, status text; opens the conversation. */
export function ContactItem({ c }: { c: Contact }) {
  const key = c.username.toLowerCase();
  const p = presence.value[c.userId];
  const sees = c.subscription === 'to' || c.subscription === 'both';
  const status = c.ask && !sees ? 'Waiting for approval' : p?.status || presenceWord(p);
  const count = unread.value[key] ?? 0;
  return (
    <li data-contact={key}>
      <button
        type="button"
        class="contact"
        aria-current={selected.value === key ? 'true' : undefined}
        onClick={() => void openConversation(c.username)}
      >
        <PresenceDot p={p} />
        <span class="names">
          <span class="name">{c.alias || c.displayName || c.username}</span>
          <span class="status">{status}</span>
        </span>
        {count > 0 && (
          <span class="badge" aria-label={`${count} unread`}>
            {count}
          </span>
        )}
      </button>
    </li>
  );
}
