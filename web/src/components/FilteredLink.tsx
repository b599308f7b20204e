import { filteredCount } from '../state/filtered.js';
import { pane, showPane } from '../state/nav.js';

/** The way to the filtered folder, with how many messages wait there. */
export function FilteredLink() {
  const { n, more } = filteredCount.value;
  const count = more ? `${n}+` : `${n}`;
  return (
    <button
      type="button"
      class="secondary wide folder-link"
      aria-pressed={pane.value === 'filtered'}
      onClick={() => showPane({ pane: 'filtered' })}
    >
      Filtered messages{' '}
      <span class={n > 0 ? 'badge' : 'zero'} data-testid="filtered-count">
        {count}
      </span>
    </button>
  );
}
