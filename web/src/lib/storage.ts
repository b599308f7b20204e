import type { User } from '../../../src/sdk/index.js';

/** What the client keeps in localStorage: the token, who it belongs to, and the log cursor. */
const TOKEN = 'parley.token';
const USER = 'parley.user';
const cursorKey = (userId: string) => `parley.cursor.${userId}`;

function get(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function put(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    /* storage full or disabled: the session then lasts as long as the tab */
  }
}

export function savedSession(): { token: string; user: User } | null {
  const token = get(TOKEN);
  const user = get(USER);
  if (!token || !user) return null;
  try {
    return { token, user: JSON.parse(user) as User };
  } catch {
    return null;
  }
}

export function saveSession(token: string, user: User): void {
  put(TOKEN, token);
  put(USER, JSON.stringify(user));
}

export function forgetSession(userId?: string): void {
  put(TOKEN, null);
  put(USER, null);
  if (userId) put(cursorKey(userId), null);
}

export function savedCursor(userId: string): number | null {
  const v = Number(get(cursorKey(userId)));
  return get(cursorKey(userId)) !== null && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

export function saveCursor(userId: string, cursor: number): void {
  put(cursorKey(userId), String(cursor));
}
