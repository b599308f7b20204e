/**
 * How far one of my direct messages got, from the other person's markers
 * (conversation seqs, docs/protocol.md 5.38). Without markers (they do not
 * share receipts, or none were heard yet) a stored message is just "sent".
 */
export type Tick = 'sending' | 'failed' | 'sent' | 'delivered' | 'read';

/**
 * Their markers, with `unseen`: my messages the markers passed that they never saw
 * (they had blocked me, or their filters hold it); those stay "sent" for good.
 */
export interface Markers {
  delivered: number;
  read: number;
  unseen?: readonly number[];
}

/** How many unseen seqs a conversation keeps (the server tells at most 200 at a time). */
const MAX_UNSEEN = 1000;

export function tickFor(
  m: { seq: number; pending?: 'sending' | 'failed' },
  theirs: Markers | null | undefined,
): Tick {
  if (m.pending) return m.pending;
  if (theirs?.unseen?.includes(m.seq)) return 'sent';
  if (theirs && m.seq <= theirs.read) return 'read';
  if (theirs && m.seq <= theirs.delivered) return 'delivered';
  return 'sent';
}

/** Markers only move forward; events may cross a fetch of them. */
export function laterMarkers(a: Markers | null | undefined, b: Markers): Markers {
  const unseen = [...new Set([...(a?.unseen ?? []), ...(b.unseen ?? [])])]
    .sort((x, y) => x - y)
    .slice(-MAX_UNSEEN);
  return {
    delivered: Math.max(a?.delivered ?? 0, b.delivered, b.read),
    read: Math.max(a?.read ?? 0, b.read),
    ...(unseen.length ? { unseen } : {}),
  };
}
