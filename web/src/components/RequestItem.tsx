import { useState } from 'preact/hooks';
import type { Contact } from '../../../src/sdk/index.js';
import { approve, deny } from '../state/contacts.js';
import { describe } from '../state/errors.js';

export function RequestItem({ c }: { c: Contact }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  async function act(fn: () => Promise<void>) {
    setBusy(true);
    setError('');
    try {
      await fn();
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <li class="request" data-request={c.username.toLowerCase()}>
      <p>
        <strong>{c.displayName || c.username}</strong>
        {c.displayName && c.displayName.toLowerCase() !== c.username.toLowerCase() && (
          <span class="handle"> @{c.username}</span>
        )}{' '}
        wants to see when you are online.
      </p>
      {c.note && <p class="note">“{c.note}”</p>}
      <div class="row">
        <button type="button" disabled={busy} onClick={() => void act(() => approve(c.username))}>
          Approve
        </button>
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() => void act(() => deny(c.username, c.userId))}
        >
          Deny
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
