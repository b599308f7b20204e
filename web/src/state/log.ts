import type { Contact, Message } from '../../../src/sdk/index.js';
import { saveCursor, savedCursor } from '../lib/storage.js';
import { SLACK, WINDOW, detachedUpdate, keepNewest } from '../lib/window.js';
import { client } from './client.js';
import { isSignedOut } from './errors.js';
import { chatMessage } from './chats.js';
import { incoming } from './incoming.js';
import { remember } from './quotes.js';
import { arrived } from './receipts.js';
import { contacts, conversations, me, type Shown, type Windowing } from './signals.js';
import { stoppedTyping } from './typing.js';

/**
 * The per-user log (docs/protocol.md 5.31): every change to my messages and
 * contacts has the next `seq`. Changes are applied once, in order, and the
 * highest applied `seq` is kept as the cursor, so a reconnect asks the server
 * for exactly what was missed.
 */
let cursor = 0;
let userId = '';
let ready = false;
/** Everything that touches the log runs one at a time, in arrival order. */
let queue: Promise<void> = Promise.resolve();

export function enqueue(job: () => Promise<void> | void): Promise<void> {
  // A job cut short by signing out (its request refused with 401) is not a fault:
  // the sign-out itself takes the app back to the sign-in page.
  const run = queue.then(job).catch((err: unknown) => {
    if (!isSignedOut(err)) console.error('parley:', err);
  });
  queue = run;
  return run;
}

export function currentCursor(): number {
  return cursor;
}

/** Starts from the stored cursor, or (a new device) from the end of the log. */
export async function initCursor(id: string): Promise<number> {
  userId = id;
  ready = false;
  cursor = 0;
  const saved = savedCursor(id);
  if (saved === null) return resetCursor();
  ready = true;
  return (cursor = saved);
}

/** False until the cursor is known (a new device that could not reach the server yet). */
export function cursorReady(): boolean {
  return ready;
}

/** Jumps to the head of the log (a new device, or a cursor the server refused). */
export async function resetCursor(): Promise<number> {
  const page = await client.sync(0, 1);
  setCursor(page.head);
  ready = true;
  return cursor;
}

function setCursor(seq: number): void {
  cursor = seq;
  if (userId) saveCursor(userId, seq);
}

/** Applies one log entry unless already applied; a gap is filled from the server first. */
export async function logEntry(seq: unknown, name: string, data: Record<string, unknown>) {
  if (typeof seq !== 'number') return apply(name, data);
  if (seq <= cursor) return;
  if (seq > cursor + 1) {
    await catchUp();
    if (seq <= cursor) return;
  }
  apply(name, data);
  setCursor(seq);
}

/** Reads the log from the cursor to its end. */
export async function catchUp(): Promise<void> {
  for (;;) {
    const page = await client.sync(cursor, 200);
    for (const e of page.events) {
      if (e.seq <= cursor) continue;
      apply(e.name, e.data);
      setCursor(e.seq);
    }
    if (!page.more || page.events.length === 0) return;
  }
}

/** Log entries other modules handle (rooms: `room.joined`, `room.left`, `room.invited`). */
const handlers = new Map<string, (data: Record<string, unknown>) => void>();
export function handleLogged(name: string, fn: (data: Record<string, unknown>) => void): void {
  handlers.set(name, fn);
}

export function apply(name: string, data: Record<string, unknown>): void {
  handlers.get(name)?.(data);
  switch (name) {
    case 'message':
      return applyMessage(data.message as Message, data.change as string | undefined);
    case 'contact.updated':
      return upsertContact(data.contact as Contact);
    case 'contact.removed':
      contacts.value = contacts.value.filter((c) => c.userId !== data.userId);
      return;
  }
}

export function upsertContact(c: Contact): void {
  const rest = contacts.value.filter((x) => x.userId !== c.userId);
  contacts.value = [...rest, c].sort((a, b) => a.username.localeCompare(b.username));
}

/** Merges messages by id (and a pending send by its client id), oldest first, pending last. */
export function merge<T extends Shown>(list: T[], incoming: T[]): T[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) {
    for (const [id, old] of byId)
      if (old.pending && old.clientId === m.clientId && !m.pending) byId.delete(id);
    byId.set(m.id, m);
  }
  return [...byId.values()].sort((a, b) => {
    if (!!a.pending !== !!b.pending) return a.pending ? 1 : -1;
    return a.pending ? a.createdAt - b.createdAt : a.seq - b.seq;
  });
}

/**
 * Merges live messages into a history window (lib/window.ts): appended at the
 * newest end and trimmed at the oldest, or, while the window stops short of the
 * newest (after a jump), only updating the messages it shows.
 */
export function mergeLive<T extends Shown>(
  v: Windowing & { messages: T[]; more: boolean },
  incoming: T[],
): { messages: T[]; more: boolean } {
  remember(incoming);
  if (v.newer) {
    const d = detachedUpdate(v.messages, incoming);
    return { messages: merge(d.list, d.shown), more: v.more };
  }
  const merged = merge(v.messages, incoming);
  const stored = merged.filter((m) => !m.pending).length;
  if (stored <= WINDOW + SLACK) return { messages: merged, more: v.more };
  const kept = keepNewest(merged, WINDOW);
  return { messages: kept.list, more: v.more || kept.dropped };
}

function applyMessage(m: Message, change: string | undefined): void {
  const mine = m.from.userId === me.value?.id;
  const key = (mine ? m.to.username : m.from.username).toLowerCase();
  const conv = conversations.value[key];
  if (conv)
    conversations.value = {
      ...conversations.value,
      [key]: { ...conv, ...mergeLive(conv, [m]) },
    };
  if (!mine && change === 'new') arrived(key, m.seq);
  if (!mine && change === 'new') stoppedTyping(key);
  // The chat list, unread counts included (state/chats.ts).
  chatMessage(m, change);
  if (!mine && change === 'new' && !m.deleted)
    incoming({
      kind: 'dm',
      key,
      from: m.from.username,
      text: m.text,
      mentionsMe: true,
      createdAt: m.createdAt,
    });
}
