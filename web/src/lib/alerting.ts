import type { NotifyLevel } from '../../../src/sdk/index.js';

/** Messages older than this are a catch-up after time offline: not worth a ping each. */
export const FRESH_MS = 10 * 60_000;

/**
 * Whether a new message from someone else deserves a chime or a notification:
 * not while I am Busy, not for a catch-up of old messages, in a room only as
 * its notify level says, and not when I am looking at that very conversation.
 */
export function shouldAlert(m: {
  kind: 'dm' | 'room';
  mentionsMe: boolean;
  createdAt: number;
  now: number;
  level: NotifyLevel;
  myShow: string;
  hidden: boolean;
  onScreen: boolean;
}): boolean {
  if (m.myShow === 'dnd') return false;
  if (Math.abs(m.now - m.createdAt) > FRESH_MS) return false;
  if (m.kind === 'room' && (m.level === 'none' || (m.level === 'mentions' && !m.mentionsMe)))
    return false;
  return m.hidden || !m.onScreen;
}
