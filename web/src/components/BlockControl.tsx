import { useState } from 'preact/hooks';
import { describe } from '../state/errors.js';
import { isBlockedName, unblock } from '../state/people.js';
import { BlockConfirm } from './ContactItem.js';
import './block-control.css';

/** Block or unblock the other person of a conversation, from its header. */
export function BlockControl({ username }: { username: string }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState('');
  const blocked = isBlockedName(username);
  return (
    <div class="block-control">
      {blocked ? (
        <button
          type="button"
          class="secondary"
          aria-label={`Unblock ${username}`}
          onClick={() => {
            setError('');
            void unblock(username).catch((e: unknown) => setError(describe(e)));
          }}
        >
          Unblock
        </button>
      ) : (
        <button
          type="button"
          class="secondary"
          aria-label={`Block ${username}`}
          aria-expanded={confirming}
          onClick={() => setConfirming(!confirming)}
        >
          Block
        </button>
      )}
      {confirming && !blocked && (
        <div class="block-pop">
          <BlockConfirm username={username} done={() => setConfirming(false)} />
        </div>
      )}
      {error && (
        <p class="error block-pop" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
