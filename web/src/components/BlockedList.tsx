import { useEffect } from 'preact/hooks';
import { blocked, loadBlocked, unblock } from '../state/people.js';
import { Outcome, useAction } from './useAction.js';

/** People I block, by name, each with Unblock. */
export function BlockedList() {
  const a = useAction();
  useEffect(() => void a.run(loadBlocked), []);
  const list = Object.values(blocked.value ?? {}).sort((x, y) =>
    x.username.localeCompare(y.username),
  );
  return (
    <section aria-labelledby="set-blocked-h">
      <h3 id="set-blocked-h">Blocked people</h3>
      <p class="hint">
        People you block see you as offline, and what they send never reaches you. They are not
        told.
      </p>
      {blocked.value && list.length === 0 && <p class="hint">You block nobody.</p>}
      <ul class="blocked">
        {list.map((b) => (
          <li key={b.userId} data-blocked={b.username} class="device">
            <span class="name">{b.username}</span>
            <button
              type="button"
              class="secondary"
              disabled={a.busy}
              aria-label={`Unblock ${b.username}`}
              onClick={() => void a.run(() => unblock(b.username), `${b.username} is unblocked.`)}
            >
              Unblock
            </button>
          </li>
        ))}
      </ul>
      <Outcome error={a.error} done={a.done} />
    </section>
  );
}
