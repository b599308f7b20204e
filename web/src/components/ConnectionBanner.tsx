import { connection, notice } from '../state/signals.js';

/** Says when the live connection is down (messages then arrive after it comes back). */
export function ConnectionBanner() {
  const state = connection.value;
  return (
    <div class="banner" role="status" aria-live="polite">
      {state === 'connecting' && <span>Connecting…</span>}
      {state === 'offline' && <span>Offline: reconnecting…</span>}
      {notice.value && (
        <span class="error">
          {notice.value}{' '}
          <button type="button" class="link" onClick={() => (notice.value = '')}>
            Dismiss
          </button>
        </span>
      )}
    </div>
  );
}
