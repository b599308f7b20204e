/**
 * How far one of my direct messages got, from the other person's markers
 * (conversation seqs, docs/protocol.md 5.38). Without markers (they do not
 * share receipts, or none were heard yet) a stored message is just "sent".
 */
export type Tick = 'sending' | 'failed' | 'sent' | 'delivered' | 'read';

export function tickFor(
  m: { seq: number; pending?: 'sending' | 'failed' },
  theirs: { delivered: number; read: number } | null | undefined,
): Tick {
  if (m.pending) return m.pending;
  if (theirs && m.seq <= theirs.read) return 'read';
  if (theirs && m.seq <= theirs.delivered) return 'delivered';
  return 'sent';
}

/** Markers only move forward; events may cross a fetch of them. */
export function laterMarkers(
  a: { delivered: number; read: number } | null | undefined,
  b: { delivered: number; read: number },
): { delivered: number; read: number } {
  return {
    delivered: Math.max(a?.delivered ?? 0, b.delivered, b.read),
    read: Math.max(a?.read ?? 0, b.read),
  };
}
