import { useState } from 'preact/hooks';
import type { Profile } from '../../../src/sdk/index.js';
import { requestContact } from '../state/contacts.js';
import { describe } from '../state/errors.js';
import { contacts, me } from '../state/signals.js';

/** Where I stand with someone found in the directory, in words (null: a stranger). */
function relation(p: Profile): string | null {
  if (p.userId === me.value?.id) return 'This is you';
  const c = contacts.value.find((x) => x.userId === p.userId);
  if (!c) return null;
  const sees = c.subscription === 'to' || c.subscription === 'both';
  if (c.pendingIn) return 'Wants to add you: answer in Requests';
  if (c.ask && !sees) return 'Request pending';
  if (c.inRoster) return 'In your contacts';
  return null;
}

function age(birthYear: number | null): string {
  return birthYear ? `${new Date().getFullYear() - birthYear}` : '';
}

/** One person found: who they are, and a contact request with an optional note. */
export function PersonResult({ p }: { p: Profile }) {
  const [asking, setAsking] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const rel = relation(p);
  const details = [p.city, p.country, age(p.birthYear) && `age ${age(p.birthYear)}`].filter(
    Boolean,
  );
  const noteId = `note-${p.userId}`;

  async function send(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await requestContact(p.username, note.trim());
      setAsking(false);
      setNote('');
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <li class="request person" data-person={p.username}>
      <p>
        <strong>{p.displayName || p.username}</strong>
        {p.displayName && <span class="handle"> @{p.username}</span>}
      </p>
      {details.length > 0 && <p class="hint">{details.join(' · ')}</p>}
      {p.about && <p class="about">{p.about}</p>}
      {rel ? (
        <p class="relation" data-relation>
          {rel}
        </p>
      ) : asking ? (
        <form class="add" onSubmit={(e) => void send(e)} aria-label={`Add ${p.username}`}>
          <label for={noteId}>Note to {p.username} (optional)</label>
          <input
            id={noteId}
            maxLength={500}
            value={note}
            autoFocus
            onInput={(e) => setNote(e.currentTarget.value)}
          />
          <div class="row tight">
            <button type="submit" disabled={busy}>
              Send request
            </button>
            <button type="button" class="secondary" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button
          type="button"
          onClick={() => setAsking(true)}
          aria-label={`Add contact: ${p.username}`}
        >
          Add contact
        </button>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
