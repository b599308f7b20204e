import { useEffect, useRef, useState } from 'preact/hooks';
import { describe } from '../state/errors.js';
import { updateRoom } from '../state/moderation.js';

/** Changes the room's topic (one line, at most 512 characters; empty clears it). */
export function TopicForm(props: { room: string; topic: string; onDone: () => void }) {
  const [topic, setTopic] = useState(props.topic);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  async function save() {
    setBusy(true);
    setError('');
    try {
      await updateRoom(props.room, { topic: topic.trim() });
      props.onDone();
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  }

  return (
    <form
      class="room-panel"
      aria-label="Edit topic"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      onKeyDown={(e) => e.key === 'Escape' && props.onDone()}
    >
      <label for="topic-input">Topic of #{props.room}</label>
      <input
        id="topic-input"
        ref={input}
        maxLength={512}
        value={topic}
        onInput={(e) => setTopic(e.currentTarget.value)}
      />
      <div class="row">
        <button type="submit" disabled={busy}>
          Save topic
        </button>
        <button type="button" class="secondary" onClick={props.onDone}>
          Cancel
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
