/**
 * What the per-user log and a room's timeline keep: domain records, never a
 * door's view, and never a name that can go stale. A person in a record is kept
 * by id; the username (and display name) beside it is stored blank and filled
 * in from the directory when the record is read back, so a replay after a
 * rename or a deletion names people as they are now ('' once deleted). A
 * message change keeps only the kind of change: the message itself is read from
 * the messages table (the log row's `message_id`), as it is now, so neither an
 * edited nor a deleted text lives on in a log (invariant 14).
 *
 * A person is any object with a string `id` or `userId` and a `username` key
 * (UserRef, ContactItem, PresenceInfo...).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The names a record may hold, looked up in one go for a page of records. */
export interface NameDirectory {
  /** Current usernames by id (missing: the account is gone). */
  usernames(ids: readonly string[]): Promise<Map<string, string>>;
  /** Current display names by id (missing or '': none). */
  displayNames(ids: readonly string[]): Promise<Map<string, string>>;
}

function personId(o: { [key: string]: unknown }): string | undefined {
  if (!('username' in o)) return undefined;
  if (typeof o.id === 'string') return o.id;
  if (typeof o.userId === 'string') return o.userId;
  return undefined;
}

/** A deep copy of `data` with every person's username and display name blanked. */
export function blankNames<T>(data: T): T {
  if (Array.isArray(data)) return data.map((v: unknown) => blankNames(v)) as T;
  if (data === null || typeof data !== 'object') return data;
  const o = data as { [key: string]: unknown };
  const person = personId(o) !== undefined;
  const out: { [key: string]: unknown } = {};
  for (const [k, v] of Object.entries(o)) {
    if (person && (k === 'username' || k === 'displayName')) out[k] = '';
    else out[k] = blankNames(v);
  }
  return out as T;
}

function collect(data: unknown, ids: Set<string>, displayIds: Set<string>): void {
  if (Array.isArray(data)) {
    for (const v of data) collect(v, ids, displayIds);
    return;
  }
  if (data === null || typeof data !== 'object') return;
  const o = data as { [key: string]: unknown };
  const id = personId(o);
  if (id !== undefined) {
    ids.add(id);
    if ('displayName' in o) displayIds.add(id);
  }
  for (const v of Object.values(o)) collect(v, ids, displayIds);
}

function fill(
  data: unknown,
  names: ReadonlyMap<string, string>,
  displays: ReadonlyMap<string, string>,
): void {
  if (Array.isArray(data)) {
    for (const v of data) fill(v, names, displays);
    return;
  }
  if (data === null || typeof data !== 'object') return;
  const o = data as { [key: string]: unknown };
  const id = personId(o);
  if (id !== undefined) {
    o.username = names.get(id) ?? '';
    if ('displayName' in o) o.displayName = displays.get(id) ?? '';
  }
  for (const v of Object.values(o)) fill(v, names, displays);
}

/**
 * Fills in, in place, the names of every person in these records (parsed JSON),
 * plus the ids in `extra` (returned map includes them), with one look-up each
 * for usernames and display names.
 */
export async function fillNames(
  records: readonly unknown[],
  dir: NameDirectory,
  extra: Iterable<string> = [],
): Promise<Map<string, string>> {
  const ids = new Set<string>(extra);
  const displayIds = new Set<string>();
  for (const r of records) collect(r, ids, displayIds);
  const names = ids.size ? await dir.usernames([...ids]) : new Map<string, string>();
  const displays = displayIds.size
    ? await dir.displayNames([...displayIds])
    : new Map<string, string>();
  for (const r of records) fill(r, names, displays);
  return names;
}
