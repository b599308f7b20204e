import { useState } from 'preact/hooks';
import { ParleyApiError } from '../../../src/sdk/index.js';
import { requestContact } from '../state/contacts.js';
import { describe } from '../state/errors.js';
import { showPane } from '../state/nav.js';
import { addingContact, contactNote, sideView } from '../state/sidebar.js';
import { Dialog } from './Dialog.js';

/**
 * Ask someone, by username, to share their presence (with an optional note),
 * in a dialog from "New chat"; done, the contacts show them as waiting.
 */
export function AddContact() {
  const [username, setUsername] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const close = () => (addingContact.value = false);

  async function submit(e: Event) {
    e.preventDefault();
    const who = username.trim();
    if (!who) return;
    setBusy(true);
    setError('');
    try {
      await requestContact(who, note.trim());
      contactNote.value = `Request sent to ${who}.`;
      sideView.value = 'contacts';
      close();
    } catch (err) {
      setError(
        err instanceof ParleyApiError && err.condition === 'not-found'
          ? `No one here is called “${who}”. Check the spelling, or find people by name or city.`
          : describe(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title="Add a contact" close={close}>
      <form class="add" onSubmit={(e) => void submit(e)}>
        <p class="hint">They see your request with its note, and choose to share their presence.</p>
        <label for="add-username">Their username</label>
        <input
          id="add-username"
          autoCapitalize="none"
          autoComplete="off"
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
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row dialog-actions">
          <button
            type="button"
            class="link"
            onClick={() => {
              close();
              showPane({ pane: 'people' });
            }}
          >
            Find people by name or city
          </button>
          <button type="submit" disabled={busy}>
            Send request
          </button>
        </div>
      </form>
    </Dialog>
  );
}
