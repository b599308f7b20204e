import { signal } from '@preact/signals';
import type { Contact } from '../../../src/sdk/index.js';
import { client } from './client.js';
import { renamed } from './names.js';
import { contacts } from './signals.js';

/**
 * Pictures as object URLs, fetched with the bearer token (an <img> cannot send
 * one) once per owner and hash: a new hash fetches again and frees the old.
 * People's by username, rooms' by room name (each record carries the hash).
 */
function pictureCache(fetchOne: (key: string, hash: string) => Promise<Blob | undefined>) {
  const urls = signal<Record<string, { hash: string; url: string }>>({});
  const loading = new Set<string>();
  /** The URL for `key`'s picture `hash` when fetched (else starts the fetch, undefined). */
  function get(key: string, hash: string): string | undefined {
    const have = urls.value[key];
    if (have?.hash === hash) return have.url;
    const k = `${key} ${hash}`;
    if (loading.has(k)) return undefined;
    loading.add(k);
    void fetchOne(key, hash)
      .then((blob) => {
        const old = urls.value[key];
        if (old) URL.revokeObjectURL(old.url);
        const next = { ...urls.value };
        if (blob) next[key] = { hash, url: URL.createObjectURL(blob) };
        else delete next[key];
        urls.value = next;
      })
      .catch(() => {}) // shown as initials; a later hash tries again
      .finally(() => loading.delete(k));
    return undefined;
  }
  return { urls, get };
}

const people = pictureCache((username) => client.avatar(username));
// With its hash in the URL the room's picture may come from the browser's cache.
const rooms = pictureCache((room, hash) => client.rooms.avatar(room, hash));

export const avatarUrls = people.urls;
/** My own avatar's hash (null: none; undefined: not read yet). */
export const myAvatar = signal<string | null | undefined>(undefined);

/** The URL for `username`'s avatar `hash` when fetched (else starts the fetch, undefined). */
export const avatarUrl = people.get;

/**
 * A room's picture for <Avatar picture>: an object URL once fetched, undefined
 * while it loads or when the room has none (`hash`: MyRoom.avatar / Room.avatar).
 */
export function roomPicture(room: string, hash: string | null | undefined): string | undefined {
  return hash ? rooms.get(room, hash) : undefined;
}

/** `contact.profile`: someone's name or avatar changed (mine too). */
export function onContactProfile(d: Record<string, unknown>, myId: string | undefined): void {
  const avatar = (d.avatar as { hash: string } | null)?.hash ?? null;
  if (d.userId === myId) {
    myAvatar.value = avatar;
    return;
  }
  const userId = String(d.userId);
  contacts.value = contacts.value.map((c): Contact => (c.userId === userId ? { ...c, avatar } : c));
  renamed(userId, String(d.displayName ?? ''));
}
