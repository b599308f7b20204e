import type { Message, RoomMessage } from '../../../src/sdk/index.js';
import { client } from './client.js';
import type { Target } from './target.js';

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

export function searchHistory(
  t: Target,
  q: string,
  next?: string,
): Promise<{ results: Found[]; next?: string }> {
  const page = { limit: SEARCH_PAGE, ...(next ? { before: next } : {}) };
  return t.kind === 'dm'
    ? client.searchMessages(q, { with: t.key, ...page })
    : client.rooms.search(t.name, q, page);
}
