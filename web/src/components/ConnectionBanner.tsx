import { reconnectNow } from '../state/live.js';
import { connection, lostConnection, notice } from '../state/signals.js';

/**
 * Says when the live connection is down: what still works (writing: it is
 * sent on reconnecting) and what does not (presence is not known), with a way
 * to try again now. Messages missed meanwhile arrive when it comes back.
 */
export function ConnectionBanner() {
  // A retry under way is still "offline" to the person: the banner does not flicker.
  const state =
    connection.value !== 'online' && lostConnection.value ? 'offline' : connection.value;
  return (
    <div class="banner" role="status" aria-live="polite" data-state={state}>
      {state === 'connecting' && (
        <p class="conn">
          <span class="spinner" aria-hidden="true" />
          Connecting…
        </p>
      )}
      {state === 'offline' && (
        <p class="conn offline">
          <span class="conn-icon" aria-hidden="true">
            ⚠
          </span>
          <span>
            <strong>You are offline.</strong> Reconnecting… What you write is sent when the
            connection is back; presence is not known meanwhile.
          </span>
          <button type="button" class="secondary" onClick={reconnectNow}>
            Retry now
          </button>
        </p>
      )}
      {notice.value && (
        <p class="conn error">
          <span>{notice.value}</span>
          <button type="button" class="link" onClick={() => (notice.value = '')}>
            Dismiss
          </button>
        </p>
      )}
    </div>
  );
}
