import type { Presence } from '../../../src/sdk/index.js';
import { connection } from '../state/signals.js';

const WORDS: Record<string, string> = {
  available: 'Online',
  away: 'Away',
  dnd: 'Busy',
  xa: 'Away for long',
  offline: 'Offline',
  unknown: 'Presence not shared',
};

/** While my own connection is down, nobody's presence is known (issue 15, bug 21). */
export const UNKNOWN_OFFLINE = 'Not known while you are offline';

export function presenceWord(p: Presence | undefined): string {
  if (connection.value !== 'online') return UNKNOWN_OFFLINE;
  return WORDS[p?.show ?? 'unknown'] ?? 'Offline';
}

/**
 * A coloured dot for someone's presence; its meaning is also given in words.
 * Grey and hollow while I am disconnected: what was last heard may be stale.
 */
export function PresenceDot({ p }: { p: Presence | undefined }) {
  const show = connection.value === 'online' ? (p?.show ?? 'unknown') : 'unknown';
  return <span class="dot" data-show={show} role="img" aria-label={presenceWord(p)} />;
}
