import { effect, signal } from '@preact/signals';
import { liveConnection } from './conn.js';
import { dmChats, dmMarker, roomMarker, setReadingCheck } from './chats.js';
import {
  connection,
  conversations,
  myRooms,
  roomUnread,
  roomViews,
  selected,
  selectedRoom,
  unread,
} from './signals.js';

/**
 * Marks what is on screen as read: while a conversation or room is open and the
 * tab is visible and focused, my read marker follows its newest message. The
 * server tells my other devices (`marker`, `room.marker`), so their badges clear.
 * Requests are coalesced: at most one in flight, a short pause between them.
 */
const PAUSE_MS = 300;

function looking(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus();
}

/** The user can see the page now. */
export const attentive = signal(looking());
const update = () => (attentive.value = looking());
document.addEventListener('visibilitychange', update);
addEventListener('focus', update);
addEventListener('blur', update);
// A page can gain focus without a focus event reaching it (it loaded in the background,
// or focus is emulated); a click or a key press there says the user is looking.
addEventListener('pointerdown', update, { capture: true, passive: true });
addEventListener('keydown', update, { capture: true, passive: true });

setReadingCheck(
  (kind, key) =>
    attentive.value && (kind === 'dm' ? selected.value === key : selectedRoom.value === key),
);

const newest = (list: { seq: number; pending?: unknown }[] | undefined) =>
  (list ?? []).reduce((n, m) => (m.pending ? n : Math.max(n, m.seq)), 0);

interface Target {
  id: string;
  run(): Promise<void>;
}

/** What should be marked read now, if anything. */
function target(): Target | null {
  if (!attentive.value || connection.value !== 'online') return null;
  const dm = selected.value;
  if (dm) {
    const chat = dmChats.value[dm];
    const seq = Math.max(newest(conversations.value[dm]?.messages), chat?.last.seq ?? 0);
    const read = Math.max(chat?.read ?? 0, asked.get(`dm:${dm}`) ?? 0);
    if (seq > read) return { id: `dm:${dm}`, run: () => markDm(dm, seq) };
    // Everything shown is read already: a leftover local count is stale.
    if ((unread.value[dm] ?? 0) > 0) unread.value = { ...unread.value, [dm]: 0 };
    return null;
  }
  const room = selectedRoom.value;
  if (room) {
    const r = myRooms.value[room];
    if (!r) return null;
    const seq = newest(roomViews.value[room]?.messages);
    const read = Math.max(r.read, asked.get(`room:${room}`) ?? 0);
    if (seq > read) return { id: `room:${room}`, run: () => markRoom(room, seq) };
    if ((roomUnread.value[room] ?? 0) > 0) roomUnread.value = { ...roomUnread.value, [room]: 0 };
  }
  return null;
}

/** The highest seq asked for per chat, so a request is not repeated while it runs. */
const asked = new Map<string, number>();
let timer: ReturnType<typeof setTimeout> | undefined;
let busy = false;

async function markDm(who: string, seq: number): Promise<void> {
  const c = liveConnection();
  if (!c) return;
  asked.set(`dm:${who}`, seq);
  dmMarker(await c.markRead(who, seq));
}

async function markRoom(room: string, seq: number): Promise<void> {
  const c = liveConnection();
  if (!c) return;
  asked.set(`room:${room}`, seq);
  roomMarker(room, await c.markRoomRead(room, seq));
}

async function flush(): Promise<void> {
  const t = target();
  if (!t || busy) return;
  busy = true;
  try {
    await t.run();
  } catch {
    // Offline or refused: asked again when something changes (reconnecting, a new message).
    asked.delete(t.id);
  } finally {
    busy = false;
  }
  // Something newer may have arrived while the request ran.
  if (target()) timer = setTimeout(() => void flush(), PAUSE_MS);
}

// At once (a quick look at a chat counts), and then at most one request at a time:
// whatever arrives meanwhile is marked by the next one, after a short pause.
effect(() => {
  if (target() && !busy) queueMicrotask(() => void flush());
});

/** Signed out: the next person starts clean. */
export function forgetReading(): void {
  asked.clear();
  clearTimeout(timer);
}
