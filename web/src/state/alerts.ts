import { shouldAlert } from '../lib/alerting.js';
import { openConversation } from './chat.js';
import { onIncoming, type Incoming } from './incoming.js';
import { prefs } from './prefs.js';
import { openRoom } from './rooms.js';
import { contacts, myRooms, myShow, selected, selectedRoom } from './signals.js';
import { chime } from './sound.js';

/**
 * Telling the user about a new message they are not looking at: a desktop
 * notification while the tab is hidden, and a chime, each when switched on in
 * Preferences. Rooms follow my notify level (all / mentions / nothing); my own
 * messages never alert (they are not Incoming), nor do held ones (the server
 * never sends them), nor anything while I am Busy.
 */

export function notificationsSupported(): boolean {
  return typeof Notification !== 'undefined';
}

/** Asks the browser, only when the user turns notifications on; the answer. */
export async function askPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (!notificationsSupported()) return 'unsupported';
  if (Notification.permission !== 'default') return Notification.permission;
  return Notification.requestPermission();
}

function wanted(m: Incoming): boolean {
  return shouldAlert({
    ...m,
    now: Date.now(),
    level: m.kind === 'room' ? (myRooms.value[m.key]?.notify ?? 'all') : 'all',
    myShow: myShow.value,
    hidden: document.visibilityState === 'hidden',
    onScreen: m.kind === 'dm' ? selected.value === m.key : selectedRoom.value === m.key,
  });
}

function title(m: Incoming): string {
  if (m.kind === 'room') return `${m.from} in #${m.key}`;
  const c = contacts.value.find((x) => x.username.toLowerCase() === m.key);
  return c?.alias || c?.displayName || m.from;
}

function notify(m: Incoming): void {
  const body = m.text.length > 200 ? `${m.text.slice(0, 199)}…` : m.text;
  try {
    // One notification per conversation: a newer message replaces the last.
    const n = new Notification(title(m), { body, tag: `${m.kind}:${m.key}` });
    n.onclick = () => {
      window.focus();
      void (m.kind === 'dm' ? openConversation(m.key) : openRoom(m.key));
      n.close();
    };
  } catch {
    /* some browsers only notify from a service worker: nothing to show then */
  }
}

onIncoming((m) => {
  const p = prefs.value;
  if ((!p.notify && !p.sound) || !wanted(m)) return;
  if (p.sound) chime();
  if (
    p.notify &&
    document.visibilityState === 'hidden' &&
    notificationsSupported() &&
    Notification.permission === 'granted'
  )
    notify(m);
});
