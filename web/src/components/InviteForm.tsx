import { useEffect, useRef, useState } from 'preact/hooks';
import { rank } from '../lib/fuzzy.js';
import { describe } from '../state/errors.js';
import { invite } from '../state/moderation.js';
import { fullName } from '../state/names.js';
import { contacts, isBlocked, roomViews } from '../state/signals.js';
import { contactName } from './ContactItem.js';
import './combo.css';

const LIST_ID = 'invite-options';
const SUGGESTED = 6;

/**
 * Invites someone by username; they may then join, even a private room. My
 * contacts who are not in the room are suggested as I type (the combobox
 * pattern: arrow keys move, Enter or Tab picks, Escape closes the list).
 */
export function InviteForm(props: { room: string; onDone: () => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const [listOpen, setListOpen] = useState(false);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const inRoom = new Set((roomViews.value[props.room]?.members ?? []).map((m) => m.userId));
  const candidates = contacts.value.filter(
    (c) => c.inRoster && !inRoom.has(c.userId) && !isBlocked(c.userId),
  );
  const options = listOpen
    ? rank(candidates, name.replace(/^@/, ''), (c) => [contactName(c), c.username], SUGGESTED)
    : [];
  const shown = options.length > 0;

  function pick(username: string) {
    setName(username);
    setListOpen(false);
    input.current?.focus();
  }

  async function send() {
    const who = name.trim().replace(/^@/, '');
    setDone('');
    if (!who) return setError('Enter the username of the person to invite.');
    setBusy(true);
    setError('');
    setListOpen(false);
    try {
      await invite(props.room, who);
      setDone(`Invited ${fullName(who.toLowerCase())} to #${props.room}.`);
      setName('');
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      e.stopPropagation();
      if (shown) setListOpen(false);
      else props.onDone();
      return;
    }
    if (!shown) {
      if (e.key === 'ArrowDown') {
        setListOpen(true);
        setActive(0);
        e.preventDefault();
      }
      return;
    }
    const n = options.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      setActive((active + (e.key === 'ArrowDown' ? 1 : -1) + n) % n);
      e.preventDefault();
    } else if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey) {
      const o = options[Math.min(active, n - 1)];
      // Enter on a name already complete sends it.
      if (!o || o.username.toLowerCase() === name.trim().toLowerCase()) return;
      e.preventDefault();
      pick(o.username);
    }
  }

  return (
    <form
      class="room-panel"
      aria-label="Invite"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
      onKeyDown={(e) => e.key === 'Escape' && props.onDone()}
    >
      <label for="invite-input">Invite to #{props.room}</label>
      <div class="combo">
        <input
          id="invite-input"
          ref={input}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={shown}
          aria-controls={LIST_ID}
          aria-activedescendant={
            shown ? `${LIST_ID}-${Math.min(active, options.length - 1)}` : undefined
          }
          aria-describedby="invite-hint"
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          maxLength={64}
          value={name}
          onInput={(e) => {
            setName(e.currentTarget.value);
            setListOpen(true);
            setActive(0);
          }}
          onFocus={() => setListOpen(true)}
          onBlur={() => setListOpen(false)}
          onKeyDown={onKeyDown}
        />
        <ul
          id={LIST_ID}
          role="listbox"
          aria-label="Contacts to invite"
          class="combo-list"
          hidden={!shown}
        >
          {options.map((c, i) => (
            <li
              key={c.userId}
              id={`${LIST_ID}-${i}`}
              role="option"
              data-username={c.username}
              aria-selected={i === Math.min(active, options.length - 1)}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(c.username);
              }}
            >
              {contactName(c)}
              {contactName(c).toLowerCase() !== c.username.toLowerCase() && (
                <span class="handle"> @{c.username}</span>
              )}
            </li>
          ))}
        </ul>
      </div>
      <p class="hint" id="invite-hint">
        A contact’s name, or anyone’s username.
      </p>
      <div class="row">
        <button type="submit" disabled={busy}>
          Send invitation
        </button>
        <button type="button" class="secondary" onClick={props.onDone}>
          Close
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p class="hint" role="status">
          {done}
        </p>
      )}
    </form>
  );
}
