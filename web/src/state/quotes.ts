import type { Shown } from './signals.js';

/**
 * What a reply's quote needs of the message it answers, for messages this
 * device has seen: the history window drops old pages, so the original of a
 * reply is often no longer in the list. Bounded; the oldest entries go first.
 */
export interface Quoted {
  id: string;
  seq: number;
  author: string;
  text: string;
  deleted: boolean;
}

const MAX = 5000;
const seen = new Map<string, Quoted>();

export function remember(messages: readonly Shown[]): void {
  for (const m of messages) {
    if (m.pending) continue;
    seen.delete(m.id);
    seen.set(m.id, {
      id: m.id,
      seq: m.seq,
      author: m.from.username,
      text: m.text,
      deleted: m.deleted,
    });
  }
  for (const id of seen.keys()) {
    if (seen.size <= MAX) break;
    seen.delete(id);
  }
}

export function quoted(id: string): Quoted | undefined {
  return seen.get(id);
}

export function forgetQuotes(): void {
  seen.clear();
}
