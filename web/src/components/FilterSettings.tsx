import { useEffect, useState } from 'preact/hooks';
import { addFilter, filters, removeFilter } from '../state/account.js';
import { showPane } from '../state/nav.js';
import { Outcome, useAction } from './useAction.js';

/** Keyword filters (docs/protocol.md 5.43): words or phrases whose messages wait aside. */
export function FilterSettings() {
  const [list, setList] = useState<string[] | null>(null);
  const [phrase, setPhrase] = useState('');
  const a = useAction();
  useEffect(() => void a.run(async () => setList(await filters())), []);

  async function add(e: Event) {
    e.preventDefault();
    const p = phrase.trim();
    if (!p) return a.setError('Type a word or phrase to filter.');
    if (await a.run(async () => setList(await addFilter(p)), `Added “${p}”.`)) setPhrase('');
  }

  return (
    <section aria-labelledby="set-filters-h">
      <h3 id="set-filters-h">Keyword filters</h3>
      <p class="hint">
        A direct message to you that contains one of these words or phrases (as whole words, in any
        case) goes to{' '}
        <button type="button" class="link" onClick={() => showPane({ pane: 'filtered' })}>
          Filtered messages
        </button>{' '}
        instead of the conversation, where you can release or delete it. Only new messages are
        filtered, and the sender is not told.
      </p>
      <form class="settings-form" onSubmit={(e) => void add(e)}>
        <label for="filter-phrase">Word or phrase</label>
        <div class="row tight">
          <input
            id="filter-phrase"
            maxLength={100}
            value={phrase}
            onInput={(e) => setPhrase(e.currentTarget.value)}
          />
          <button type="submit" disabled={a.busy}>
            Add filter
          </button>
        </div>
      </form>
      {list && list.length === 0 && <p class="hint">No filters yet.</p>}
      <ul class="filters">
        {(list ?? []).map((f) => (
          <li key={f} data-filter={f} class="device">
            <span class="name">{f}</span>
            <button
              type="button"
              class="secondary"
              disabled={a.busy}
              aria-label={`Remove filter ${f}`}
              onClick={() =>
                void a.run(async () => setList(await removeFilter(f)), `Removed “${f}”.`)
              }
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <Outcome error={a.error} done={a.done} />
    </section>
  );
}
