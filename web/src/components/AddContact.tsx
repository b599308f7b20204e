import { useState } from 'preact/hooks';
import { requestContact } from '../state/contacts.js';
import { describe } from '../state/errors.js';
import { pane, showPane } from '../state/nav.js';

/** Ask someone, by username, to share their presence (with an optional note), or go find people. */
export function AddContact() {
  const [username, setUsername] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    const who = username.trim();
    if (!who) return;
    setBusy(true);
    setMessage(null);
    try {
      await requestContact(who, note.trim());
      setUsername('');
      setNote('');
      setMessage({ error: false, text: `Request sent to ${who}.` });
    } catch (err) {
      setMessage({ error: true, text: describe(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="add-h">
      <h2 id="add-h">Add a contact</h2>
      <form class="add" onSubmit={(e) => void submit(e)}>
        <label for="add-username">Their username</label>
        <input
          id="add-username"
          autoCapitalize="none"
          spellcheck={false}
          required
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <label for="add-note">Note (optional)</label>
        <input
          id="add-note"
          maxLength={500}
          value={note}
          onInput={(e) => setNote(e.currentTarget.value)}
        />
        <button type="submit" disabled={busy}>
          Send request
        </button>
        {message && (
          <p class={message.error ? 'error' : 'hint'} role={message.error ? 'alert' : 'status'}>
            {message.text}
          </p>
        )}
      </form>
      <button
        type="button"
        class="secondary wide"
        aria-pressed={pane.value === 'people'}
        onClick={() => showPane({ pane: 'people' })}
      >
        Find people
      </button>
    </section>
  );
}
