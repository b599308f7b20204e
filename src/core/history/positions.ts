import type { Bound } from './store.js';

/**
 * Where a history request points: a message by id, a time (ms since the epoch),
 * or a position (`seq`) in the conversation. A message id and a position name
 * the same place; a time falls between messages.
 */
export type Anchor = { id: string } | { at: number } | { seq: number };

/** An anchor resolved inside one conversation: a position (with its message's time when known) or a time. */
export type Point = { seq: number; at?: number } | { at: number };

/** What a door asks for (IRCv3 CHATHISTORY's subcommands; XMPP MAM maps onto them). */
export type Selector =
  /** The newest messages, optionally only those after `after`. */
  | { kind: 'latest'; after?: Anchor }
  /** The messages just before the anchor (never the anchor itself). */
  | { kind: 'before'; anchor: Anchor }
  /** The messages just after the anchor (never the anchor itself). */
  | { kind: 'after'; anchor: Anchor }
  /** Messages on both sides, the anchor's own message included. */
  | { kind: 'around'; anchor: Anchor }
  /**
   * Messages strictly between the two, read from `from` towards `to`: the
   * oldest ones when `from` is the earlier, the newest when it is the later.
   */
  | { kind: 'between'; from: Anchor; to: Anchor };

const isPosition = (p: Point): p is { seq: number; at?: number } => 'seq' in p;

/** Strictly before the point. */
export const beforePoint = (p: Point): Bound => (isPosition(p) ? { seq: p.seq } : { at: p.at });

/** Strictly after the point. */
export const afterPoint = (p: Point): Bound => (isPosition(p) ? { seq: p.seq } : { at: p.at });

/** At or after the point: a message anchor's own message belongs to what follows it. */
export const fromPoint = (p: Point): Bound =>
  isPosition(p) ? { seq: p.seq - 1 } : { at: p.at - 1 };

/**
 * Which of two points comes first: positions compare by seq, times by time, a
 * message by its time against a time. A bare position and a time cannot be
 * compared (undefined): there may be no message at that position to give it one.
 */
export function comparePoints(a: Point, b: Point): -1 | 0 | 1 | undefined {
  const sign = (x: number, y: number) => (x < y ? -1 : x > y ? 1 : 0);
  if (isPosition(a) && isPosition(b)) return sign(a.seq, b.seq);
  if (a.at !== undefined && b.at !== undefined) return sign(a.at, b.at);
  return undefined;
}

/**
 * Around a point: about half the page from before it, the rest from it on; a
 * side with too few messages leaves its share to the other. `older` is newest
 * first, `newer` oldest first, each read with up to `limit` + 1 rows.
 */
export function centre<T>(
  older: readonly T[],
  newer: readonly T[],
  limit: number,
): { list: T[]; more: boolean } {
  const fromOlder = Math.min(older.length, Math.max(Math.floor(limit / 2), limit - newer.length));
  const fromNewer = Math.min(newer.length, limit - fromOlder);
  return {
    list: [...older.slice(0, fromOlder).reverse(), ...newer.slice(0, fromNewer)],
    more: older.length > fromOlder || newer.length > fromNewer,
  };
}
