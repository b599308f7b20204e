import type { Presence } from '../../../src/sdk/index.js';

const WORDS: Record<string, string> = {
  available: 'Online',
  away: 'Away',
  dnd: 'Busy',
  xa: 'Away for long',
  offline: 'Offline',
  unknown: 'Presence not shared',
};

export function presenceWord(p: Presence | undefined): string {
  return WORDS[p?.show ?? 'unknown'] ?? 'Offline';
}

/** A coloured dot for someone's presence; its meaning is also given in words. */
export function PresenceDot({ p }: { p: Presence | undefined }) {
  const show = p?.show ?? 'unknown';
  return <span class="dot" data-show={show} role="img" aria-label={presenceWord(p)} />;
}
