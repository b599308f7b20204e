import { contacts } from '../state/signals.js';
import { RequestItem } from './RequestItem.js';

/** People who asked to see my presence and wait for an answer. */
export function Requests() {
  const waiting = contacts.value.filter((c) => c.pendingIn);
  if (waiting.length === 0) return null;
  return (
    <section aria-labelledby="requests-h" class="requests">
      <h2 id="requests-h">Requests</h2>
      <ul>
        {waiting.map((c) => (
          <RequestItem key={c.userId} c={c} />
        ))}
      </ul>
    </section>
  );
}
