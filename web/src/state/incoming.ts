/**
 * New messages from others, as they are applied (live or caught up), for
 * whoever wants to alert the user (state/alerts.ts). A registry rather than an
 * import, so the log and rooms modules do not depend on notifications.
 */
export interface Incoming {
  /** A direct message (key: the other person's username) or a room message (key: the room). */
  kind: 'dm' | 'room';
  key: string;
  from: string;
  text: string;
  /** The message mentions me (always true for a direct message). */
  mentionsMe: boolean;
  createdAt: number;
}

const listeners = new Set<(m: Incoming) => void>();

export function onIncoming(fn: (m: Incoming) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function incoming(m: Incoming): void {
  for (const fn of listeners) fn(m);
}
