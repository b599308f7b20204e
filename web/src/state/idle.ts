import { effect } from '@preact/signals';
import { setIdleAway } from './live.js';
import { prefs } from './prefs.js';
import { idleAway, me, myShow } from './signals.js';

/**
 * Automatic away: after the chosen minutes without input (a hidden tab gets
 * none), this device shows me Away, and the next input ends it. It is this
 * device's alone (its connection's own show), never the account's choice: a
 * device in use elsewhere keeps me available, and a status I picked (Busy,
 * Away, Invisible) caps it anyway, so it only acts while I chose Available.
 */
const ACTIVITY = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;
const CHECK_MS = 1000;

let last = Date.now();

function activity(): void {
  last = Date.now();
  if (idleAway.value) setIdleAway(false);
}

function check(): void {
  const p = prefs.value;
  if (idleAway.value || !me.value || !p.autoAway || myShow.value !== 'available') return;
  if (Date.now() - last >= p.awayMinutes * 60_000) setIdleAway(true);
}

// A choice of mine ends an automatic away.
effect(() => {
  void myShow.value;
  if (idleAway.peek()) setIdleAway(false);
});

// Signing in counts as activity; signing out forgets an automatic away.
effect(() => {
  void me.value;
  last = Date.now();
  idleAway.value = false;
});

for (const name of ACTIVITY) addEventListener(name, activity, { passive: true, capture: true });
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') activity();
});
setInterval(check, CHECK_MS);
