import { effect, signal } from '@preact/signals';
import type { Message } from '../../../src/sdk/index.js';
import { client } from './client.js';
import { describe } from './errors.js';
import { enqueue, logEntry } from './log.js';
import { connection, me } from './signals.js';

/**
 * The filtered folder (docs/protocol.md 5.43-5.49): messages my keyword
 * filters held. The `filtered.changed` event says a message was held, or
 * released or cleared on another device; the count is read again then, on
 * every (re)connect, whenever the folder is opened, and on a slow timer.
 */
const PAGE = 30;
const COUNT_LIMIT = 100;
const POLL_MS = 30_000;

/** Held messages waiting (releasable ones); `more`: at least this many. */
export const filteredCount = signal<{ n: number; more: boolean }>({ n: 0, more: false });

export interface FilteredView {
  /** Newest first, as the server pages them. */
  messages: Message[];
  next: string | undefined;
  loading: boolean;
  error: string;
}
export const filteredView = signal<FilteredView>({
  messages: [],
  next: undefined,
  loading: false,
  error: '',
});

export async function refreshFilteredCount(): Promise<void> {
  const page = await client.filtered({ limit: COUNT_LIMIT });
  filteredCount.value = {
    n: page.messages.filter((m) => !m.deleted).length,
    more: page.next !== undefined,
  };
}

let timer: ReturnType<typeof setInterval> | undefined;
effect(() => {
  clearInterval(timer);
  if (!me.value) {
    seen = false;
    filteredCount.value = { n: 0, more: false };
    filteredView.value = { messages: [], next: undefined, loading: false, error: '' };
    return;
  }
  if (connection.value !== 'online') return;
  void refreshFilteredCount().catch(() => {});
  timer = setInterval(() => void refreshFilteredCount().catch(() => {}), POLL_MS);
});

/** The folder was read once in this session: a change reloads its first page too. */
let seen = false;

/** `filtered.changed`: the count (and the folder, once opened) read again. */
export async function onFilteredChanged(d: Record<string, unknown>): Promise<void> {
  if (d.change !== 'held') {
    const id = String(d.messageId ?? '');
    const v = filteredView.value;
    if (v.messages.some((m) => m.id === id))
      filteredView.value = { ...v, messages: v.messages.filter((m) => m.id !== id) };
  } else if (seen) await loadFiltered();
  await refreshFilteredCount().catch(() => {});
}

/** The first page again (opening the folder), or the next one. */
export async function loadFiltered(more = false): Promise<void> {
  const v = filteredView.value;
  if (v.loading || (more && !v.next)) return;
  filteredView.value = { ...v, loading: true, error: '' };
  seen = true;
  try {
    const page = await client.filtered({ limit: PAGE, ...(more ? { before: v.next } : {}) });
    filteredView.value = {
      messages: more ? [...filteredView.value.messages, ...page.messages] : page.messages,
      next: page.next,
      loading: false,
      error: '',
    };
    if (!more) await refreshFilteredCount();
  } catch (err) {
    filteredView.value = { ...filteredView.value, loading: false, error: describe(err) };
  }
}

function drop(id: string): void {
  filteredView.value = {
    ...filteredView.value,
    messages: filteredView.value.messages.filter((m) => m.id !== id),
  };
  const c = filteredCount.value;
  filteredCount.value = { ...c, n: Math.max(0, c.n - 1) };
}

/** Puts a held message into its conversation, like one just received. */
export async function releaseFiltered(id: string): Promise<void> {
  const r = await client.release(id);
  drop(id);
  await enqueue(() =>
    logEntry(r.seq ?? undefined, 'message', { message: r.message, change: 'new' }),
  );
}

/** Takes a held message out of the folder for good; the conversation never gets it. */
export async function clearFiltered(id: string): Promise<void> {
  await client.clearFiltered(id);
  drop(id);
}
