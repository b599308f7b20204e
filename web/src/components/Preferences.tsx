import { useState } from 'preact/hooks';
import { MAX_AWAY_MINUTES, readMinutes, type Theme } from '../lib/prefs.js';
import { askPermission, notificationsSupported } from '../state/alerts.js';
import '../state/idle.js';
import { showPane } from '../state/nav.js';
import { prefs, setPrefs } from '../state/prefs.js';
import { chime, unlockSound } from '../state/sound.js';
import './theme.css';

const THEMES: [Theme, string][] = [
  ['system', 'Same as my device'],
  ['light', 'Light'],
  ['dark', 'Dark'],
];

/** How this browser alerts me, when it shows me away, and how it looks. */
export function Preferences() {
  const p = prefs.value;
  const [minutes, setMinutes] = useState(
    String(Number.isInteger(p.awayMinutes) ? p.awayMinutes : 1),
  );
  const [error, setError] = useState('');
  const [notifyError, setNotifyError] = useState('');

  async function toggleNotify(on: boolean) {
    setNotifyError('');
    if (!on) return setPrefs({ notify: false });
    const answer = await askPermission();
    if (answer === 'granted') return setPrefs({ notify: true });
    setPrefs({ notify: false });
    setNotifyError(
      answer === 'unsupported'
        ? 'This browser cannot show notifications.'
        : 'Notifications are blocked for this site. Allow them in the browser’s site settings, then try again.',
    );
  }

  function saveMinutes(e: Event) {
    e.preventDefault();
    const v = readMinutes(minutes);
    if (typeof v === 'string') return setError(v);
    setError('');
    setPrefs({ awayMinutes: v });
  }

  return (
    <section class="conversation prefs" aria-labelledby="prefs-h">
      <header class="conv-head">
        <button type="button" class="back secondary" onClick={() => showPane({})}>
          <span aria-hidden="true">←</span> Back
        </button>
        <h2 id="prefs-h">Preferences</h2>
      </header>
      <div class="pad">
        <p class="hint">These settings are kept in this browser only.</p>

        <fieldset>
          <legend>New messages</legend>
          <label class="check">
            <input
              type="checkbox"
              checked={p.notify}
              disabled={!notificationsSupported()}
              onChange={(e) => void toggleNotify(e.currentTarget.checked)}
            />
            Desktop notifications while Parley is in the background
          </label>
          {p.notify && notificationsSupported() && Notification.permission !== 'granted' && (
            <p class="error" role="alert">
              Notifications are switched on here but blocked by the browser: allow them in the site
              settings.
            </p>
          )}
          {notifyError && (
            <p class="error" role="alert">
              {notifyError}
            </p>
          )}
          <label class="check">
            <input
              type="checkbox"
              checked={p.sound}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                if (on) unlockSound();
                setPrefs({ sound: on });
              }}
            />
            Play a sound
          </label>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              unlockSound();
              setTimeout(chime, 50);
            }}
          >
            Play a test sound
          </button>
          <p class="hint">
            Rooms follow each room’s own setting (Room settings, “Notify me about”). Nothing alerts
            while you are Busy.
          </p>
        </fieldset>

        <fieldset>
          <legend>Away</legend>
          <label class="check">
            <input
              type="checkbox"
              checked={p.autoAway}
              onChange={(e) => setPrefs({ autoAway: e.currentTarget.checked })}
            />
            Show me as away when I am not using Parley
          </label>
          <form class="row tight minutes" noValidate onSubmit={saveMinutes}>
            <label for="away-minutes">After (minutes)</label>
            <input
              id="away-minutes"
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_AWAY_MINUTES}
              step={1}
              value={minutes}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'away-error' : undefined}
              onInput={(e) => setMinutes(e.currentTarget.value)}
            />
            <button type="submit" class="secondary">
              Save
            </button>
          </form>
          {error && (
            <p class="error" id="away-error" role="alert">
              {error}
            </p>
          )}
          <p class="hint">
            Only Available turns into Away (and back when you return); Busy, Away for long and
            Invisible stay as you chose.
          </p>
        </fieldset>

        <fieldset>
          <legend>Theme</legend>
          <label for="theme">Colours</label>
          <select
            id="theme"
            value={p.theme}
            onChange={(e) => setPrefs({ theme: e.currentTarget.value as Theme })}
          >
            {THEMES.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </fieldset>
      </div>
    </section>
  );
}
