import { computed, effect } from '@preact/signals';
import { roomMentions } from './chats.js';
import { me, myRooms, roomUnread, unread } from './signals.js';

/**
 * Everything unread, as the tab title shows it: direct messages, and rooms by
 * my notify level (all: every unread message; mentions: only mentions; none:
 * nothing).
 */
export const totalUnread = computed(() => {
  if (!me.value) return 0;
  let n = 0;
  for (const count of Object.values(unread.value)) n += count;
  for (const r of Object.values(myRooms.value)) {
    if (r.notify === 'all') n += roomUnread.value[r.name] ?? 0;
    else if (r.notify === 'mentions') n += roomMentions.value[r.name] ?? 0;
  }
  return n;
});

effect(() => {
  const n = totalUnread.value;
  document.title = n > 0 ? `(${n}) Parley` : 'Parley';
});
