import { ParleyApiError } from '../../../src/sdk/index.js';
import { backoffDelay } from '../lib/backoff.js';
import { parseOutbox, worthRetrying, type Outgoing } from '../lib/outbox.js';
import { isSignedOut } from './errors.js';

export type { Outgoing };

/**
 * Sends go through here, one at a time and in the order they were typed. An
 * entry leaves the outbox only when the server has stored it (acknowledged
 * means durable) or refused it for good; until then it is kept in
 * localStorage and tried again on reconnect, after a backoff, or at the next
 * page load, always with its own client id so the server never stores it twice.
 */
interface Sender<R> {
  send(o: Outgoing): Promise<R>;
  /** The server stored it: show the stored message. */
  sent(o: Outgoing, result: R): Promise<void> | void;
  /** The server refused it for good: show why, offer a retry. */
  failed(o: Outgoing, err: unknown): void;
}

const senders: Partial<Record<Outgoing['kind'], Sender<unknown>>> = {};
let items: Outgoing[] = [];
let userId = '';
let pumping = false;
let attempt = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

const key = (id: string) => `parley.outbox.${id}`;

function persist(): void {
  if (!userId) return;
  try {
    if (items.length) localStorage.setItem(key(userId), JSON.stringify(items));
    else localStorage.removeItem(key(userId));
  } catch {
    /* storage full or disabled: the outbox then lasts as long as the tab */
  }
}

export function registerSender<R>(kind: Outgoing['kind'], s: Sender<R>): void {
  senders[kind] = s as Sender<unknown>;
}

/** Takes up the outbox left by an earlier visit of this user (sent by the next `flush`). */
export function loadOutbox(id: string): void {
  userId = id;
  attempt = 0;
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(key(id));
  } catch {
    /* no storage: nothing was kept */
  }
  items = parseOutbox(raw);
}

/** Stops sending. `discard`: also forget what was kept (the person signed out on purpose). */
export function closeOutbox(discard: boolean): void {
  clearTimeout(timer);
  if (discard) {
    items = [];
    persist();
  }
  items = [];
  userId = '';
}

/** What is still waiting for one conversation or room, oldest first. */
export function waiting(kind: Outgoing['kind'], to: string): Outgoing[] {
  return items.filter((o) => o.kind === kind && o.to === to);
}

/** Whether a message waiting to be sent carries this file. */
export function carries(fileId: string): boolean {
  return items.some((o) => o.attachments?.includes(fileId) === true);
}

export function post(o: Outgoing): void {
  if (!userId || items.some((x) => x.clientId === o.clientId)) return;
  items = [...items, o];
  persist();
  void flush();
}

function drop(clientId: string): void {
  items = items.filter((x) => x.clientId !== clientId);
  persist();
}

function later(ms: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => void flush(), ms);
}

/** Sends what is waiting, in order; stops at the first send worth retrying later. */
export async function flush(): Promise<void> {
  if (pumping || !userId) return;
  pumping = true;
  clearTimeout(timer);
  const owner = userId;
  try {
    while (items.length && userId === owner) {
      const o = items[0]!;
      const s = senders[o.kind];
      if (!s) return;
      let result: unknown;
      try {
        result = await s.send(o);
      } catch (err) {
        if (userId !== owner) return;
        // The session is over: keep the message for when this person signs in again.
        if (isSignedOut(err)) return;
        const api = err instanceof ParleyApiError ? err : undefined;
        if (!api || worthRetrying(api.condition, api.status)) {
          const wait = api?.retryAfter ? api.retryAfter * 1000 : backoffDelay(attempt++);
          return later(wait);
        }
        drop(o.clientId);
        s.failed(o, err);
        continue;
      }
      attempt = 0;
      drop(o.clientId);
      try {
        await s.sent(o, result);
      } catch (err) {
        console.error('parley:', err);
      }
    }
  } finally {
    pumping = false;
  }
}
