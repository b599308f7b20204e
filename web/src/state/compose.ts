import { signal } from '@preact/signals';
import { forgetQuotes } from './quotes.js';
import { forgetReceipts } from './receipts.js';
import { me, type Shown } from './signals.js';

/** The message being edited in place (its id), or null: one at a time. */
export const editing = signal<string | null>(null);

/**
 * Text to put back into a composer (a failed message taken back to edit), by
 * target key; the composer of that conversation takes it and clears this.
 */
export const refill = signal<{ key: string; text: string } | null>(null);

/** The message each view's composer is replying to, by target key (state/target.ts). */
export const replying = signal<Record<string, Shown | null>>({});

export function replyTo(key: string, m: Shown | null): void {
  replying.value = { ...replying.value, [key]: m };
}

/** Signing out: nothing of this account's messages stays behind. */
export function forgetMessageState(): void {
  refill.value = null;
  editing.value = null;
  replying.value = {};
  forgetQuotes();
  forgetReceipts();
}

/** My last message that can still be edited (Up in an empty composer). */
export function lastEditable(messages: Shown[]): Shown | undefined {
  const myId = me.value?.id;
  return messages.findLast((m) => m.from.userId === myId && !m.pending && !m.deleted);
}
