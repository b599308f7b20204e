import { signal } from '@preact/signals';
import { laterMarkers, type Markers } from '../lib/ticks.js';
import { client } from './client.js';
import { liveConnection } from './conn.js';

/**
 * Delivery and read receipts of direct messages (docs/protocol.md 5.38).
 * `theirMarkers` holds how far the other person of each conversation has
 * received and read (conversation seqs), from `receipt` events and from
 * `GET .../markers` when a conversation opens or the connection comes back
 * (markers are state, never replayed). null: they do not share receipts.
 */
export const theirMarkers = signal<Record<string, Markers | null>>({});

function set(key: string, m: Markers | null): void {
  theirMarkers.value = {
    ...theirMarkers.value,
    [key]: m === null ? null : laterMarkers(theirMarkers.value[key], m),
  };
}

/** A `receipt` event: the other person moved their markers. */
export function onReceipt(d: Record<string, unknown>): void {
  const key = String(d.username ?? '').toLowerCase();
  if (!key || typeof d.delivered !== 'number' || typeof d.read !== 'number') return;
  const unseen = Array.isArray(d.unseen)
    ? d.unseen.filter((n): n is number => typeof n === 'number')
    : [];
  set(key, { delivered: d.delivered, read: d.read, unseen });
}

/** Reads the markers of a conversation (failures leave the ticks as they were). */
export async function loadMarkers(key: string): Promise<void> {
  try {
    const m = await client.markers(key);
    set(key, m.theirs ?? null);
  } catch {
    /* offline: receipt events and the next (re)connect bring them */
  }
}

/**
 * Tells the server a message from `key` reached this device. Arrivals come in
 * bursts (a replay, a history page), so reports are gathered for a second and
 * only the highest seq is sent; markers never go back, so order does not matter.
 */
const THROTTLE_MS = 1000;
const wanted = new Map<string, number>();
const told = new Map<string, number>();
let timer: ReturnType<typeof setTimeout> | undefined;

export function arrived(key: string, seq: number): void {
  if (seq <= Math.max(told.get(key) ?? 0, wanted.get(key) ?? 0)) return;
  wanted.set(key, seq);
  timer ??= setTimeout(flush, THROTTLE_MS);
}

/** Sends what is waiting now (also when the connection comes back). */
export function flush(): void {
  timer = undefined;
  const conn = liveConnection();
  if (!conn) return; // kept in `wanted`: the next arrival retries, with a connection by then
  for (const [key, seq] of wanted) {
    wanted.delete(key);
    told.set(key, seq);
    void conn.markDelivered(key, seq).catch(() => {
      told.delete(key);
      wanted.set(key, Math.max(wanted.get(key) ?? 0, seq));
    });
  }
}

export function forgetReceipts(): void {
  clearTimeout(timer);
  timer = undefined;
  wanted.clear();
  told.clear();
  theirMarkers.value = {};
}
