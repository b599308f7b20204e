import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { rank } from '../lib/fuzzy.js';
import { openConversation } from '../state/chat.js';
import { dmChats } from '../state/chats.js';
import { nameOf } from '../state/names.js';
import { openRoom } from '../state/rooms.js';
import { contacts, myRooms } from '../state/signals.js';
import { switcherOpen } from './switcher-state.js';
import './combo.css';

interface Place {
  key: string;
  kind: 'dm' | 'room';
  /** Lowercase username or room name. */
  id: string;
  label: string;
  /** What else it answers to (the username, "#room"). */
  also: string;
}

const SHOWN = 8;
const LIST_ID = 'switcher-options';

/** Every chat, contact and room I can jump to: chats first (most recent), then the rest. */
function places(): Place[] {
  const out = new Map<string, Place>();
  const chats = Object.values(dmChats.value).sort((a, b) => b.last.at - a.last.at);
  for (const c of chats)
    out.set(`dm:${c.username}`, {
      key: `dm:${c.username}`,
      kind: 'dm',
      id: c.username,
      label: nameOf(c.username),
      also: `@${c.username}`,
    });
  for (const r of Object.values(myRooms.value))
    out.set(`room:${r.name}`, {
      key: `room:${r.name}`,
      kind: 'room',
      id: r.name,
      label: `#${r.name}`,
      also: r.name,
    });
  for (const c of contacts.value) {
    const id = c.username.toLowerCase();
    if (!c.inRoster || out.has(`dm:${id}`)) continue;
    out.set(`dm:${id}`, { key: `dm:${id}`, kind: 'dm', id, label: nameOf(id), also: `@${id}` });
  }
  return [...out.values()];
}

/**
 * Jump to any chat, contact or room by typing part of its name: the arrow
 * keys move, Enter opens, Escape closes and gives the focus back.
 */
export default function QuickSwitcher() {
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const before = useRef<Element | null>(null);
  const all = places();
  const found = rank(all, q.replace(/^[@#]/, ''), (p) => [p.label, p.also, p.id], SHOWN);
  const at = Math.min(active, Math.max(0, found.length - 1));

  useLayoutEffect(() => {
    before.current = document.activeElement;
    input.current?.focus();
  }, []);

  function close(refocus: boolean) {
    switcherOpen.value = false;
    if (refocus && before.current instanceof HTMLElement) before.current.focus();
  }

  function go(p: Place | undefined) {
    if (!p) return;
    close(false);
    // The composer of what opens takes the focus.
    void (p.kind === 'dm' ? openConversation(p.id) : openRoom(p.id));
  }

  function onKeyDown(e: KeyboardEvent) {
    const n = found.length;
    if (e.key === 'Escape') close(true);
    else if (e.key === 'ArrowDown' && n) setActive((at + 1) % n);
    else if (e.key === 'ArrowUp' && n) setActive((at - 1 + n) % n);
    else if (e.key === 'Enter') go(found[at]);
    else if (e.key === 'Tab') e.preventDefault();
    else return;
    e.preventDefault();
  }

  return (
    <div class="switcher-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close(true)}>
      <div class="switcher" role="dialog" aria-modal="true" aria-label="Jump to a conversation">
        <div class="combo">
          <input
            ref={input}
            role="combobox"
            aria-label="Jump to a chat, contact or room"
            aria-expanded={found.length > 0}
            aria-controls={LIST_ID}
            aria-activedescendant={found.length ? `${LIST_ID}-${at}` : undefined}
            aria-autocomplete="list"
            autocomplete="off"
            spellcheck={false}
            placeholder="Jump to… (name, @user or #room)"
            value={q}
            onInput={(e) => {
              setQ(e.currentTarget.value);
              setActive(0);
            }}
            onKeyDown={onKeyDown}
          />
          <ul id={LIST_ID} role="listbox" aria-label="Matches" class="switcher-list">
            {found.map((p, i) => (
              <li
                key={p.key}
                id={`${LIST_ID}-${i}`}
                role="option"
                aria-selected={i === at}
                data-place={p.key}
                onMouseDown={(e) => {
                  e.preventDefault();
                  go(p);
                }}
              >
                {p.label}
                {p.kind === 'dm' && p.label.toLowerCase() !== p.id && (
                  <span class="handle"> {p.also}</span>
                )}
                <span class="kind">{p.kind === 'dm' ? 'Chat' : 'Room'}</span>
              </li>
            ))}
          </ul>
          {!found.length && <p class="hint switcher-none">Nothing matches “{q}”.</p>}
        </div>
        <p class="hint switcher-keys">↑ ↓ to choose · Enter to open · Esc to close</p>
      </div>
    </div>
  );
}
