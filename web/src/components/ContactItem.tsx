import { useState } from 'preact/hooks';
import type { Contact, Presence } from '../../../src/sdk/index.js';
import { timeAgo } from '../lib/reltime.js';
import { openConversation } from '../state/chat.js';
import { now } from '../state/clock.js';
import { block, isBlocked, removeContact, unblock } from '../state/people.js';
import { connection, notice, presence, selected, unread } from '../state/signals.js';
import { describe } from '../state/errors.js';
import { Confirm } from './Confirm.js';
import { GroupsForm, RenameForm } from './ContactEdit.js';
import { Menu } from './Menu.js';
import { Avatar } from './Avatar.js';
import { PresenceDot, UNKNOWN_OFFLINE, presenceWord } from './PresenceDot.js';

/** What I call a contact: my alias, else their display name, else their username. */
export function contactName(c: Contact): string {
  return c.alias || c.displayName || c.username;
}

/** Presence in words, with "Last seen 5 minutes ago" for someone offline who shares it. */
export function presenceText(p: Presence | undefined): string {
  if (connection.value !== 'online') return UNKNOWN_OFFLINE;
  if (p?.show === 'offline' && p.lastSeen) return `Last seen ${timeAgo(p.lastSeen, now.value)}`;
  return p?.status || presenceWord(p);
}

type Mode = 'rename' | 'groups' | 'remove' | 'block' | null;

/** One contact: presence dot, name, status text; opens the conversation; a menu of changes. */
export function ContactItem({ c }: { c: Contact }) {
  const [mode, setMode] = useState<Mode>(null);
  const key = c.username.toLowerCase();
  const sees = c.subscription === 'to' || c.subscription === 'both';
  const blocked = isBlocked(c.userId);
  // Without consent any presence held is stale (it was the "offline" sent when it ended).
  const p = sees ? presence.value[c.userId] : undefined;
  const status = blocked
    ? 'Blocked'
    : !sees
      ? c.ask
        ? 'Waiting for approval'
        : 'Presence not shared'
      : presenceText(p);
  const count = unread.value[key] ?? 0;
  const name = contactName(c);
  const done = () => setMode(null);
  return (
    <li class="contact-row">
      <div class="contact-line">
        <div data-contact={key} class="contact-main">
          <button
            type="button"
            class="contact"
            title={name === c.username ? undefined : c.username}
            aria-current={selected.value === key ? 'true' : undefined}
            onClick={() => void openConversation(c.username)}
          >
            <span class="with-dot">
              <Avatar username={c.username} name={name} hash={c.avatar} size={40} />
              <PresenceDot p={p} />
            </span>
            <span class="names">
              <span class="name">
                {name}
                {name !== c.username && <span class="handle"> @{c.username}</span>}
              </span>
              <span class="status">{status}</span>
            </span>
            {count > 0 && (
              <span class="badge" aria-label={`${count} unread`}>
                {count}
              </span>
            )}
          </button>
        </div>
        <Menu
          label={`Options for ${c.username}`}
          items={[
            { label: 'Rename', run: () => setMode('rename') },
            { label: 'Groups', run: () => setMode('groups') },
            { label: 'Remove', run: () => setMode('remove') },
            blocked
              ? {
                  label: 'Unblock',
                  run: () =>
                    void unblock(c.username).catch((e: unknown) => (notice.value = describe(e))),
                }
              : { label: 'Block', run: () => setMode('block') },
          ]}
        />
      </div>
      {mode === 'rename' && <RenameForm c={c} done={done} />}
      {mode === 'groups' && <GroupsForm c={c} done={done} />}
      {mode === 'remove' && (
        <Confirm
          question={`Remove ${c.username} from your contacts?`}
          detail="You stop seeing each other's presence and any waiting request is dropped. Your conversation stays."
          action="Remove"
          run={() => removeContact(c.username, c.userId)}
          done={done}
        />
      )}
      {mode === 'block' && <BlockConfirm username={c.username} done={done} />}
    </li>
  );
}

/** Blocking, with what the server will do about it (docs/protocol.md 5.21). */
export function BlockConfirm(props: { username: string; done: () => void }) {
  return (
    <Confirm
      question={`Block ${props.username}?`}
      detail="They will see you as offline, and nothing they send reaches you: no messages, requests or typing. They are not told. You can unblock them in Settings."
      action="Block"
      run={() => block(props.username)}
      done={props.done}
    />
  );
}
