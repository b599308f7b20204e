/**
 * A history view keeps a bounded window of messages, not the whole
 * conversation: the DOM (and memory) stay small however long the history is,
 * and pages the window dropped are read again from the server when the user
 * scrolls back to them (the store is the truth, rule 4).
 *
 * WINDOW is the bound: at most 120 stored messages are held and rendered per
 * view (plus the user's own sends still pending). Live messages may overshoot
 * it by SLACK before the oldest are dropped, so a burst does not trim the
 * messages someone is reading one at a time.
 */
export const WINDOW = 120;
export const SLACK = 30;

interface Item {
  id: string;
  clientId: string;
  pending?: 'sending' | 'failed';
}

/** Keeps the newest `max` stored messages (and every pending one); `dropped`: some older ones went. */
export function keepNewest<T extends Item>(
  list: T[],
  max: number,
): { list: T[]; dropped: boolean } {
  const stored = list.filter((m) => !m.pending).length;
  if (stored <= max) return { list, dropped: false };
  let drop = stored - max;
  return { list: list.filter((m) => m.pending || drop-- <= 0), dropped: true };
}

/**
 * Keeps the oldest `max` stored messages (and every pending one, which a send
 * after the user returns to the newest will find); `dropped`: newer ones went.
 */
export function keepOldest<T extends Item>(
  list: T[],
  max: number,
): { list: T[]; dropped: boolean } {
  const stored = list.filter((m) => !m.pending).length;
  if (stored <= max) return { list, dropped: false };
  let keep = max;
  return { list: list.filter((m) => m.pending || keep-- > 0), dropped: true };
}

/**
 * While the window does not reach the newest message (after a jump), a live
 * message can only update one already shown: a new one would sit after a gap.
 * A pending send that the server has now stored leaves the window too.
 */
export function detachedUpdate<T extends Item>(
  list: T[],
  incoming: T[],
): { list: T[]; shown: T[] } {
  const ids = new Set(list.map((m) => m.id));
  const landed = new Set(incoming.filter((m) => !m.pending).map((m) => m.clientId));
  return {
    list: list.filter((m) => !(m.pending && landed.has(m.clientId))),
    shown: incoming.filter((m) => ids.has(m.id)),
  };
}
