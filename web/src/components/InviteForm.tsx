import { useEffect, useRef, useState } from 'preact/hooks';
import { describe } from '../state/errors.js';
import { invite } from '../state/moderation.js';

/** Invites someone by username; they may then join, even a private room. */
export function InviteForm(props: { room: string; onDone: () => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  async function send() {
    const who = name.trim().replace(/^@/, '');
    setDone('');
    if (!who) return setError('Enter the username of the person to invite.');
    setBusy(true);
    setError('');
    try {
      await invite(props.room, who);
      setDone(`Invited ${who.toLowerCase()} to #${props.room}.`);
      setName('');
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
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
      <label for="invite-input">Invite to #{props.room} (username)</label>
      <input
        id="invite-input"
        ref={input}
        autocomplete="off"
        autocapitalize="none"
        spellcheck={false}
        maxLength={64}
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
      />
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
