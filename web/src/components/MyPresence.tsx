import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { myAvatar } from '../state/avatars.js';
import { setMyShow, setMyStatus } from '../state/live.js';
import { myDisplayName } from '../state/names.js';
import { idleAway, me, myShow, myStatus, type Show } from '../state/signals.js';
import { Avatar } from './Avatar.js';
import { Name } from './Name.js';

const CHOICES: [Show, string, string][] = [
  ['available', 'Available', 'available'],
  ['away', 'Away', 'away'],
  ['dnd', 'Busy', 'dnd'],
  ['xa', 'Away for long', 'xa'],
  // Invisible: others see me offline, so its dot is the hollow one.
  ['invisible', 'Invisible', 'unknown'],
];

/** The server's limit (docs/protocol.md 5.26). */
const MAX_STATUS = 200;

const wordOf = (s: Show) => CHOICES.find(([v]) => v === s)?.[1] ?? 'Available';
const dotOf = (s: Show) => CHOICES.find(([v]) => v === s)?.[2] ?? 'available';

/**
 * Me, atop the sidebar: my avatar with my presence dot, my name, and my status
 * text (else how available I am). It opens a popover to choose Available, Away,
 * Busy, Away for long or Invisible and to write a status. Both are the
 * account's (the server keeps them, every device shows the same), so a change
 * here shows on my other devices and survives a reload.
 */
export function MyPresence() {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(myStatus.value);
  const trigger = useRef<HTMLButtonElement>(null);
  const pop = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  // Follow changes made elsewhere (another device; sign-out clears it).
  useEffect(() => setDraft(myStatus.value), [myStatus.value]);
  useLayoutEffect(() => {
    if (open) pop.current?.querySelector<HTMLInputElement>('input:checked')?.focus();
  }, [open]);
  useEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => {
      const t = e.target as Node;
      if (!pop.current?.contains(t) && !trigger.current?.contains(t)) close(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  });

  const save = () => {
    const text = draft.trim();
    if (text !== myStatus.value) void setMyStatus(text);
  };
  function close(refocus: boolean) {
    save();
    setOpen(false);
    if (refocus) trigger.current?.focus();
  }

  const u = me.value;
  if (!u) return null;
  const name = myDisplayName.value || u.username;
  const show = myShow.value;
  const line =
    idleAway.value && show === 'available' ? 'Away (idle)' : myStatus.value || wordOf(show);
  return (
    <div class="mypresence">
      <button
        ref={trigger}
        type="button"
        class="me-button"
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => (open ? close(false) : setOpen(true))}
      >
        <span class="with-dot">
          <Avatar username={u.username} name={name} hash={myAvatar.value} size={36} />
          <span class="dot" data-show={dotOf(show)} aria-hidden="true" />
        </span>
        <span class="names">
          <span class="me-name" data-testid="me">
            <Name username={u.username} />
          </span>
          <span class="status" data-testid="my-presence" data-show={show}>
            {line}
          </span>
        </span>
        {/* The name is what the button shows (axe: label-content-name-mismatch), then what it does. */}
        <span class="visually-hidden">. Change your status</span>
      </button>
      {open && (
        <div
          ref={pop}
          class="popover presence-pop"
          role="dialog"
          aria-label="Your status"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              if (e.target === input.current) setDraft(myStatus.value);
              close(true);
            }
          }}
        >
          <fieldset class="show-choices">
            <legend class="visually-hidden">Show me as</legend>
            {CHOICES.map(([v, label, dot]) => (
              <label key={v} class="show-choice">
                <input
                  type="radio"
                  name="my-show"
                  value={v}
                  checked={show === v}
                  onChange={() => void setMyShow(v)}
                />
                <span class="dot" data-show={dot} aria-hidden="true" />
                {label}
              </label>
            ))}
          </fieldset>
          {idleAway.value && <p class="hint">Shown as away on this device until you are back.</p>}
          <form
            class="status-form"
            onSubmit={(e) => {
              e.preventDefault();
              close(true);
            }}
          >
            <label for="my-status-text">Status message</label>
            <div class="status-row">
              <input
                ref={input}
                id="my-status-text"
                type="text"
                value={draft}
                maxLength={MAX_STATUS}
                placeholder="What are you up to?"
                onInput={(e) => setDraft(e.currentTarget.value)}
              />
              <button type="submit">Save</button>
            </div>
            {myStatus.value && (
              <button
                type="button"
                class="link clear-status"
                onClick={() => {
                  setDraft('');
                  void setMyStatus('');
                }}
              >
                Clear status
              </button>
            )}
          </form>
        </div>
      )}
    </div>
  );
}
