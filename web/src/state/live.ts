import type {
  ChosenPresence,
  ParleyConnection,
  Presence,
  ServerEvent,
} from '../../../src/sdk/index.js';
import { ParleyApiError } from '../../../src/sdk/index.js';
import { backoffDelay } from '../lib/backoff.js';
import { client } from './client.js';
import { setLiveConnection } from './conn.js';
import { isSignedOut } from './errors.js';
import { loadChats, markerEvent } from './chats.js';
import { catchUp, currentCursor, cursorReady, enqueue, logEntry, resetCursor } from './log.js';
import { onFilteredChanged } from './filtered.js';
import { loadBlocked } from './people.js';
import { loadMyRooms, roomCatchUp, roomCursors, roomEvent } from './rooms.js';
import { flush } from './outbox.js';
import { flush as flushDelivered, loadMarkers, onReceipt } from './receipts.js';
import { onTyping } from './typing.js';
import { onContactProfile } from './avatars.js';
import { myDisplayName, renamed } from './names.js';
import {
  blocked,
  connection,
  contacts,
  conversations,
  idleAway,
  me,
  lostConnection,
  myShow,
  myStatus,
  notice,
  presence,
  type Show,
} from './signals.js';

/**
 * The live WebSocket: connects with the log cursor (the server replays what was
 * missed, then `sync.done`), and after a drop reconnects with backoff.
 */
let conn: ParleyConnection | null = null;
let running = false;
let attempt = 0;
/** A connect is under way (so the 'online' event does not start a second one). */
let connecting = false;
let timer: ReturnType<typeof setTimeout> | undefined;
let onSignedOut: (why: string) => void = () => {};

const LOGGED = new Set([
  'message',
  'contact.updated',
  'contact.removed',
  'block.added',
  'block.removed',
  'room.joined',
  'room.left',
  'room.invited',
  'room.declined',
]);
/** Room timeline events: ordered by each room's own roomSeq. */
const TIMELINE = new Set(['room.created', 'room.member', 'room.updated', 'room.message']);

export function startLive(signedOut: (why: string) => void): void {
  onSignedOut = signedOut;
  running = true;
  attempt = 0;
  addEventListener('online', reconnectNow);
  void connect();
}

export function stopLive(): void {
  running = false;
  clearTimeout(timer);
  removeEventListener('online', reconnectNow);
  const c = conn;
  conn = null;
  setLiveConnection(null);
  c?.close();
  connection.value = 'offline';
  lostConnection.value = false;
}

/** The browser says the network is back, or the person asks: do not wait for the backoff. */
export function reconnectNow(): void {
  if (!running || conn || connecting) return;
  clearTimeout(timer);
  attempt = 0;
  void connect();
}

function schedule(): void {
  if (!running) return;
  clearTimeout(timer);
  timer = setTimeout(() => void connect(), backoffDelay(attempt++));
}

async function connect(): Promise<void> {
  if (!running || conn || connecting) return;
  connecting = true;
  try {
    await open();
  } finally {
    connecting = false;
  }
}

async function open(): Promise<void> {
  connection.value = 'connecting';
  let c: ParleyConnection;
  try {
    // Without a known cursor, start from the end of the log (never replay it all).
    if (!cursorReady()) await resetCursor();
    // Before the replay: a room message from someone I block is folded and never a mention.
    if (blocked.value === null) await loadBlocked().catch(() => {});
    const rooms = roomCursors();
    c = await client.connect({
      cursor: currentCursor(),
      ...(Object.keys(rooms).length ? { rooms } : {}),
      onEvent: (e) => void enqueue(() => onEvent(e)),
    });
  } catch (err) {
    if (!running) return;
    if (isSignedOut(err)) return onSignedOut('Your session has ended. Please sign in again.');
    // A cursor from before a database restore: start again from the end of the log.
    if (err instanceof ParleyApiError && err.field === 'cursor')
      await resetCursor().catch(() => {});
    connection.value = 'offline';
    lostConnection.value = true;
    return schedule();
  }
  if (!running) return c.close();
  conn = c;
  setLiveConnection(c);
  attempt = 0;
  connection.value = 'online';
  lostConnection.value = false;
  // Whatever was typed while offline goes now, in order.
  void flush();
  void c.closed.then(({ code }) => {
    if (conn !== c) return;
    conn = null;
    setLiveConnection(null);
    if (!running) return;
    // 4002: this session was signed out or revoked. Anything else (4001 included:
    // the next auth tells whether the token is still good) is worth another try.
    if (code === 4002) return onSignedOut('You were signed out.');
    connection.value = 'offline';
    lostConnection.value = true;
    schedule();
  });
  // The account's chosen status comes as `presence.chosen`; only this device's idleness is ours.
  if (idleAway.value) void c.setPresence('away').catch(() => {});
  // Display names and anything missed while away that the log does not carry.
  void enqueue(async () => {
    contacts.value = (await client.contacts()).sort((a, b) => a.username.localeCompare(b.username));
    await loadMyRooms();
    await loadChats();
    // Receipts are not replayed: read the markers of the open conversations again.
    flushDelivered();
    for (const key of Object.keys(conversations.value)) void loadMarkers(key);
  });
}

async function onEvent(e: ServerEvent): Promise<void> {
  const d = e.data;
  if (LOGGED.has(e.name)) {
    await logEntry(d.seq, e.name, d);
    // A block changes what counts: a blocked person's mentions (rooms) and chats.
    if (e.name === 'block.added' || e.name === 'block.removed')
      await loadMyRooms()
        .then(loadChats)
        .catch(() => {}); // the next reconnect loads them anyway
    return;
  }
  if (TIMELINE.has(e.name)) return roomEvent(e.name, d);
  switch (e.name) {
    case 'presence':
      return applyPresence(d as unknown as Presence & { at?: number });
    case 'typing':
      return onTyping(d);
    case 'marker':
    case 'room.marker':
    case 'room.notify':
      return markerEvent(e.name, d);
    case 'receipt':
      return onReceipt(d);
    case 'filtered.changed':
      return onFilteredChanged(d);
    case 'profile.updated':
      myDisplayName.value = (d.profile as { displayName?: string } | undefined)?.displayName ?? '';
      return;
    case 'presence.chosen':
      return applyChosen(d as unknown as ChosenPresence);
    case 'contact.profile':
      return onContactProfile(d, me.value?.id);
    case 'room.profile': {
      // A room member's new display name (once per room we share).
      const user = d.user as { id?: unknown } | undefined;
      if (typeof user?.id === 'string' && user.id !== me.value?.id)
        renamed(user.id, typeof d.displayName === 'string' ? d.displayName : '');
      return;
    }
    case 'presence.snapshot':
      for (const p of (d.contacts as Presence[]) ?? []) applyPresence(p);
      return;
    case 'sync.failed':
      await catchUp();
      for (const room of Object.keys(roomCursors())) await roomCatchUp(room);
      return;
  }
}

function applyPresence(p: Presence & { at?: number }): void {
  const old = presence.value[p.userId];
  if (old?.at !== undefined && p.at !== undefined && p.at < old.at) return;
  presence.value = { ...presence.value, [p.userId]: p };
}

function applyChosen(c: ChosenPresence): void {
  myShow.value = c.show;
  myStatus.value = c.status;
}

/** Chooses what others see of me, on every device: the server keeps it for the account. */
export async function setMyShow(show: Show): Promise<void> {
  myShow.value = show;
  await chooseMyPresence();
}

/** Sets my status text ("" clears it), for every device like the show. */
export async function setMyStatus(text: string): Promise<void> {
  myStatus.value = text;
  await chooseMyPresence();
}

async function chooseMyPresence(): Promise<void> {
  try {
    // The server clears a status left out, so it always goes with the show.
    const r = await (conn ?? client).choosePresence(myShow.value, myStatus.value);
    applyChosen(r.chosen);
  } catch (err) {
    notice.value = `Could not change your status: ${(err as Error).message}`;
  }
}

/**
 * This device alone looks away while nobody uses it (idle.ts): its connection's own
 * show, which the account's choice still caps, so another device in use keeps me
 * available and Busy or Invisible chosen anywhere still holds.
 */
export function setIdleAway(on: boolean): void {
  if (idleAway.value === on) return;
  idleAway.value = on;
  void conn?.setPresence(on ? 'away' : 'available').catch(() => {});
}
