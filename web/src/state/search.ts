import type { Message, RoomMessage } from '../../../src/sdk/index.js';
import { client } from './client.js';
import { openConversation } from './chat.js';
import { jump } from './history.js';
import { openRoom } from './rooms.js';
import { dm, room, sourceOf, type Target } from './target.js';

/**
 * Searching one conversation's or one room's history (docs/protocol.md 5.42,
 * 12.27): newest first, a page at a time; `next` asks for the page after.
 */
export const SEARCH_PAGE = 20;
/** The server's limit on a query (UTF-16 code units). */
export const MAX_QUERY = 200;

export interface Found {
  message: Message | RoomMessage;
  snippet: string;
}

/** Words are runs of letters and digits; a query without one finds nothing (and the server refuses it). */
export function hasWord(q: string): boolean {
  return /[\p{L}\p{N}]/u.test(q);
}

/** `t` null: every conversation and room at once (the server searches them all). */
export function searchHistory(
  t: Target | null,
  q: string,
  next?: string,
): Promise<{ results: Found[]; next?: string }> {
  const page = { limit: SEARCH_PAGE, ...(next ? { before: next } : {}) };
  if (!t) return client.searchMessages(q, page);
  return t.kind === 'dm'
    ? client.searchMessages(q, { with: t.key, ...page })
    : client.rooms.search(t.name, q, page);
}

/** Where a found message lives: its room, or the other person of its direct conversation. */
export function whereFound(f: Found, myId: string | undefined): Target {
  const m = f.message;
  if ('room' in m && m.room) return room(m.room.name);
  const to = (m as Message).to;
  return dm((m.from.userId === myId ? to.username : m.from.username).toLowerCase());
}

/** Opens the chat a result is in, and shows the message there. */
export async function showFound(t: Target, seq: number): Promise<void> {
  if (t.kind === 'dm') await openConversation(t.key);
  else await openRoom(t.name);
  await jump(sourceOf(t), seq);
}
