import { useEffect } from 'preact/hooks';
import { filteredView, loadFiltered } from '../state/filtered.js';
import { showPane } from '../state/nav.js';
import { FilteredItem } from './FilteredItem.js';
import './filtered.css';

/** Messages my keyword filters held: release each into its conversation, or delete it. */
export function Filtered() {
  useEffect(() => void loadFiltered(), []);
  const v = filteredView.value;
  return (
    <section class="directory" aria-labelledby="filtered-h">
      <header class="conv-head">
        <button type="button" class="back secondary" onClick={() => showPane({})}>
          <span aria-hidden="true">←</span> Back
        </button>
        <h2 id="filtered-h">Filtered messages</h2>
        <button
          type="button"
          class="secondary leave"
          disabled={v.loading}
          onClick={() => void loadFiltered()}
        >
          Refresh
        </button>
      </header>
      <div class="pad">
        <p class="hint">
          Direct messages with one of your keyword filters wait here instead of in the conversation.
          The sender is not told. Change your filters in{' '}
          <button type="button" class="link" onClick={() => showPane({ pane: 'settings' })}>
            Settings
          </button>
          .
        </p>
        {v.error && (
          <p class="error" role="alert">
            {v.error}
          </p>
        )}
        {!v.loading && !v.error && v.messages.length === 0 && (
          <p class="hint">Nothing has been filtered.</p>
        )}
        <ul class="filtered" aria-label="Filtered messages">
          {v.messages.map((m) => (
            <FilteredItem key={m.id} m={m} />
          ))}
        </ul>
        {v.next && (
          <button
            type="button"
            class="secondary wide"
            disabled={v.loading}
            onClick={() => void loadFiltered(true)}
          >
            Show older
          </button>
        )}
        {v.loading && <p class="hint">Loading…</p>}
      </div>
    </section>
  );
}
