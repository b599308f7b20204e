import { useEffect, useState } from 'preact/hooks';
import { setMyShow, setMyStatus } from '../state/live.js';
import { idleAway, myShow, myStatus, type Show } from '../state/signals.js';

const CHOICES: [Show, string][] = [
  ['available', 'Available'],
  ['away', 'Away'],
  ['dnd', 'Busy'],
  ['xa', 'Away for long'],
  ['invisible', 'Invisible'],
];

/** The server's limit (docs/protocol.md 5.26). */
const MAX_STATUS = 200;

/**
 * What others see of me: how available I am, and a status text. Both are the
 * account's (the server keeps them, every device shows the same), so a change
 * here shows on my other devices and survives a reload.
 */
export function MyPresence() {
  const [draft, setDraft] = useState(myStatus.value);
  // Follow changes made elsewhere (sign-out clears it).
  useEffect(() => setDraft(myStatus.value), [myStatus.value]);
  const save = () => {
    const text = draft.trim();
    if (text !== myStatus.value) void setMyStatus(text);
  };
  return (
    <div class="mypresence">
      <label>
        <span class="visually-hidden">My status</span>
        <select
          value={myShow.value}
          onChange={(e) => void setMyShow(e.currentTarget.value as Show)}
        >
          {CHOICES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {idleAway.value && (
        <span class="idle-note" title="Shown as away on this device until you are back">
          Away (idle)
        </span>
      )}
      <form
        class="status-form"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <label>
          <span class="visually-hidden">Status message</span>
          <input
            type="text"
            value={draft}
            maxLength={MAX_STATUS}
            placeholder="Set a status…"
            onInput={(e) => setDraft(e.currentTarget.value)}
            onBlur={save}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setDraft(myStatus.value);
            }}
          />
        </label>
      </form>
    </div>
  );
}
