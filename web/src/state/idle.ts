import { effect } from '@preact/signals';
import { setMyShow } from './live.js';
import { prefs } from './prefs.js';
import { me, myShow } from './signals.js';

/**
 * Automatic away: after the chosen minutes without input (a hidden tab gets
 * none), Available becomes Away, and the next input brings Available back.
 * Only Available is ever changed: a status the user picked (Busy, Away for
 * long, Invisible, or Away itself) is theirs, and any choice they make while
 * auto-away ends it.
 */
const ACTIVITY = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;
const CHECK_MS = 1000;

let last = Date.now();
/** I set Away myself, and may put Available back. */
let auto = false;
/** A change of myShow made here (not a choice of the user). */
let mine = false;

function set(show: 'away' | 'available'): void {
  mine = true;
  void setMyShow(show);
  mine = false;
}

function activity(): void {
  last = Date.now();
  if (!auto) return;
  auto = false;
  if (myShow.value === 'away') set('available');
}

function check(): void {
  const p = prefs.value;
  if (auto || !me.value || !p.autoAway || myShow.value !== 'available') return;
  if (Date.now() - last >= p.awayMinutes * 60_000) {
    set('away');
    auto = true;
  }
}

effect(() => {
  void myShow.value;
  if (!mine) auto = false;
});

// Signing in counts as activity; signing out forgets an automatic away.
effect(() => {
  void me.value;
  last = Date.now();
  auto = false;
});

for (const name of ACTIVITY) addEventListener(name, activity, { passive: true, capture: true });
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') activity();
});
setInterval(check, CHECK_MS);
