import { useState } from 'preact/hooks';
import type { Message } from '../../../src/sdk/index.js';
import { timeAgo } from '../lib/reltime.js';
import { now } from '../state/clock.js';
import { describe } from '../state/errors.js';
import { clearFiltered, releaseFiltered } from '../state/filtered.js';
import { Confirm } from './Confirm.js';

/** One held message: who, when, the text (as text), and what to do with it. */
export function FilteredItem({ m }: { m: Message }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [confirming, setConfirming] = useState(false);
  const who = m.from.username;
  async function act(fn: (id: string) => Promise<void>) {
    setBusy(true);
    setError('');
    try {
      await fn(m.id);
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  }
  return (
    <li class="request held" data-filtered={m.id}>
      <p>
        <strong>{who}</strong>{' '}
        <time
          class="hint"
          dateTime={new Date(m.createdAt).toISOString()}
          title={new Date(m.createdAt).toLocaleString()}
        >
          {timeAgo(m.createdAt, now.value)}
        </time>
      </p>
      {m.deleted ? <p class="hint">{who} deleted this message.</p> : <p class="text">{m.text}</p>}
      {!m.deleted && (
        <div class="row tight">
          <button
            type="button"
            disabled={busy}
            aria-label={`Release message from ${who}`}
            onClick={() => void act(releaseFiltered)}
          >
            Release
          </button>
          <button
            type="button"
            class="secondary"
            disabled={busy}
            aria-label={`Delete message from ${who}`}
            onClick={() => setConfirming(true)}
          >
            Delete
          </button>
        </div>
      )}
      {confirming && (
        <Confirm
          question={`Delete this message from ${who} for good?`}
          detail="It will not reach the conversation; the sender keeps their copy and is not told."
          action="Delete"
          run={() => clearFiltered(m.id)}
          done={() => setConfirming(false)}
        />
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
