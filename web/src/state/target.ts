import { client } from './client.js';
import type { HistoryView, Source } from './history.js';
import { linesForPage } from './rooms.js';
import { conversations, roomViews, type Shown } from './signals.js';

/** A history view's subject: a direct conversation (by lowercase username) or a room (by name). */
export type Target = { kind: 'dm'; key: string } | { kind: 'room'; name: string };

export const dm = (key: string): Target => ({ kind: 'dm', key });
export const room = (name: string): Target => ({ kind: 'room', name });

/** One string per target, for per-view state (the reply being written...). */
export const targetKey = (t: Target) => (t.kind === 'dm' ? `dm:${t.key}` : `room:${t.name}`);

/**
 * The history of a target as history.ts moves over it. Direct and room
 * messages share every field a view uses, so both are handled as Shown.
 */
export function sourceOf(t: Target): Source<Shown> {
  if (t.kind === 'dm') {
    const key = t.key;
    return {
      view: () => conversations.value[key] as HistoryView<Shown> | undefined,
      patch(fn) {
        const c = conversations.value[key];
        if (c)
          conversations.value = { ...conversations.value, [key]: { ...c, ...fn(c) } as typeof c };
      },
      page: (q) => client.history(key, q),
    };
  }
  const name = t.name;
  return {
    view: () => roomViews.value[name] as HistoryView<Shown> | undefined,
    patch(fn) {
      const v = roomViews.value[name];
      if (v) roomViews.value = { ...roomViews.value, [name]: { ...v, ...fn(v) } as typeof v };
    },
    async page(q) {
      const p = await client.rooms.history(name, q);
      // The joins, kicks and topic changes among them; the messages do not wait for these.
      void linesForPage(name, q, p.messages).catch(() => {});
      return p;
    },
  };
}
