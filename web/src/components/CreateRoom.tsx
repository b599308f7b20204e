import { useState } from 'preact/hooks';
import { describe } from '../state/errors.js';
import { createRoom } from '../state/rooms.js';

export function CreateRoom() {
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [priv, setPriv] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await createRoom(name.trim(), topic.trim(), priv ? 'private' : 'public');
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  }

  return (
    <form class="create" onSubmit={(e) => void submit(e)} aria-labelledby="create-h">
      <h2 id="create-h">Create a room</h2>
      <label for="room-name">Room name</label>
      <input
        id="room-name"
        required
        autoCapitalize="none"
        spellcheck={false}
        placeholder="#tea"
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <label for="room-topic">Topic (optional)</label>
      <input
        id="room-topic"
        maxLength={512}
        value={topic}
        onInput={(e) => setTopic(e.currentTarget.value)}
      />
      <label class="check">
        <input type="checkbox" checked={priv} onChange={(e) => setPriv(e.currentTarget.checked)} />{' '}
        Private (by invitation only)
      </label>
      <button type="submit" disabled={busy}>
        Create room
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
