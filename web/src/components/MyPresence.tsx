import { useEffect, useState } from 'preact/hooks';
import { setMyShow, setMyStatus } from '../state/live.js';
import { myShow, myStatus, type Show } from '../state/signals.js';

const CHOICES: [Show, string][] = [
  ['available', 'Available'],
  ['away', 'Away'],
  ['dnd', 'Busy'],
  ['xa', 'Away for long'],
  ['invisible', 'Invisible'],
];

/** The server's limit (docs/protocol.md 5.26). */
const MAX_STATUS = 200;

/** What others see of me: how available I am, and a status text. */
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
