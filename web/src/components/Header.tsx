import { pane, showPane } from '../state/nav.js';
import { signOut } from '../state/session.js';
import { me } from '../state/signals.js';
import { MyPresence } from './MyPresence.js';
import { Name } from './Name.js';

export function Header() {
  return (
    <header class="top">
      <h1>Parley</h1>
      <span class="who" data-testid="me">
        {me.value && <Name username={me.value.username} />}
      </span>
      <MyPresence />
      <button
        type="button"
        class="secondary"
        aria-pressed={pane.value === 'settings'}
        onClick={() => showPane({ pane: 'settings' })}
      >
        Settings
      </button>
      <button
        type="button"
        class="secondary prefs-button"
        aria-pressed={pane.value === 'preferences'}
        onClick={() => showPane({ pane: 'preferences' })}
      >
        <span class="prefs-icon" aria-hidden="true">
          ⚙
        </span>
        <span class="prefs-label">Preferences</span>
      </button>
      <button type="button" class="secondary" onClick={() => void signOut()}>
        Sign out
      </button>
    </header>
  );
}
