import { useState } from 'preact/hooks';
import { describe } from '../state/errors.js';
import { unblock } from '../state/people.js';
import './block-control.css';

/**
 * In place of the composer while I block the other person: the server refuses
 * my messages to someone I block (docs/protocol.md 5.21), so say why, and offer
 * the one way to write again.
 */
export function BlockedNotice({ username, name }: { username: string; name: string }) {
  const [error, setError] = useState('');
  return (
    <div class="blocked-notice" role="note">
      <p>
        You blocked {name}. Their messages do not reach you, and you cannot write to them until you
        unblock them.
      </p>
      <button
        type="button"
        onClick={() => {
          setError('');
          void unblock(username).catch((e: unknown) => setError(describe(e)));
        }}
      >
        Unblock to write
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
