import { WINDOW, keepNewest, keepOldest } from '../lib/window.js';
import { describe } from './errors.js';
import { merge } from './log.js';
import { remember } from './quotes.js';
import type { Shown, Windowing } from './signals.js';

/**
 * Moving a history view's window (lib/window.ts) over the server's history,
 * the same for a direct conversation and a room: older pages when scrolling
 * up, newer ones when scrolling down after a jump, a jump to any message, and
 * back to the newest. Pages are by message `seq` (a room's are roomSeqs).
 */
const PAGE = 30;
/** Messages loaded on each side of a message jumped to. */
const AROUND = 20;

export type HistoryView<T extends Shown> = Windowing & {
  messages: T[];
  more: boolean;
  loading: boolean;
  error: string;
};

export interface Source<T extends Shown> {
  view(): HistoryView<T> | undefined;
  patch(fn: (v: HistoryView<T>) => Partial<HistoryView<T>>): void;
  page(q: { before?: number; after?: number; limit: number }): Promise<{
    messages: T[];
    more: boolean;
  }>;
}

const stored = <T extends Shown>(list: T[]) => list.filter((m) => !m.pending);

/** Runs one page load at a time per view, showing its failure in the view. */
async function loading<T extends Shown>(src: Source<T>, job: () => Promise<void>): Promise<void> {
  const v = src.view();
  if (!v || v.loading) return;
  src.patch(() => ({ loading: true, error: '' }));
  try {
    await job();
    src.patch(() => ({ loading: false }));
  } catch (err) {
    src.patch(() => ({ loading: false, error: describe(err) }));
  }
}

/** The page before the oldest message shown; the newest ones beyond the window go. */
export function older<T extends Shown>(src: Source<T>): Promise<void> {
  const v = src.view();
  const first = v && stored(v.messages)[0];
  if (!v || !v.more || !first) return Promise.resolve();
  return loading(src, async () => {
    const page = await src.page({ before: first.seq, limit: PAGE });
    remember(page.messages);
    src.patch((x) => {
      const kept = keepOldest(merge(x.messages, page.messages), WINDOW);
      return { messages: kept.list, more: page.more, newer: !!x.newer || kept.dropped };
    });
  });
}

/** The page after the newest message shown (the window stopped short of it). */
export function newer<T extends Shown>(src: Source<T>): Promise<void> {
  const v = src.view();
  const last = v && stored(v.messages).at(-1);
  if (!v || !v.newer || !last) return Promise.resolve();
  return loading(src, async () => {
    const page = await src.page({ after: last.seq, limit: PAGE });
    remember(page.messages);
    src.patch((x) => {
      const kept = keepNewest(merge(x.messages, page.messages), WINDOW);
      return { messages: kept.list, newer: page.more, more: x.more || kept.dropped };
    });
  });
}

/** Shows the messages around `seq` and asks the list to scroll to it. */
export function jump<T extends Shown>(src: Source<T>, seq: number): Promise<void> {
  const v = src.view();
  if (!v) return Promise.resolve();
  if (v.messages.some((m) => m.seq === seq && !m.pending)) {
    src.patch(() => ({ jump: { seq, at: Date.now() } }));
    return Promise.resolve();
  }
  return loading(src, async () => {
    const [before, after] = await Promise.all([
      src.page({ before: seq + 1, limit: AROUND }),
      src.page({ after: seq, limit: AROUND }),
    ]);
    remember(before.messages);
    remember(after.messages);
    src.patch((x) => ({
      messages: merge(
        x.messages.filter((m) => m.pending),
        [...before.messages, ...after.messages],
      ),
      more: before.more,
      newer: after.more,
      jump: { seq, at: Date.now() },
    }));
  });
}

/** Back to the newest page (after a jump), scrolled to the end. */
export function latest<T extends Shown>(src: Source<T>): Promise<void> {
  const v = src.view();
  if (!v) return Promise.resolve();
  if (!v.newer) {
    src.patch(() => ({ jump: { seq: 'latest', at: Date.now() } }));
    return Promise.resolve();
  }
  return loading(src, async () => {
    const page = await src.page({ limit: PAGE });
    remember(page.messages);
    src.patch((x) => ({
      messages: merge(
        x.messages.filter((m) => m.pending),
        page.messages,
      ),
      more: page.more,
      newer: false,
      jump: { seq: 'latest', at: Date.now() },
    }));
  });
}

/**
 * Jumps to the message `id` (the original of a reply) when only its id is
 * known: it is older than `below`, so pages back from there, a bounded number
 * of times.
 */
const SEEK_PAGES = 10;
export async function jumpToId<T extends Shown>(
  src: Source<T>,
  id: string,
  below: number,
): Promise<void> {
  let before = below;
  try {
    for (let i = 0; i < SEEK_PAGES; i++) {
      const page = await src.page({ before, limit: 100 });
      remember(page.messages);
      const found = page.messages.find((m) => m.id === id);
      if (found) return jump(src, found.seq);
      const first = page.messages[0];
      if (!page.more || !first) break;
      before = first.seq;
    }
    src.patch(() => ({
      error: 'That message is too far back to show here. Try searching for it.',
    }));
  } catch (err) {
    src.patch(() => ({ error: describe(err) }));
  }
}
