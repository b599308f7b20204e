import { signal } from '@preact/signals';
import type { Contact } from '../../../src/sdk/index.js';
import { client } from './client.js';
import { contacts } from './signals.js';

/**
 * Avatars as object URLs, fetched with the bearer token (an <img> cannot send
 * one) once per username and hash: a new hash fetches again and frees the old.
 */
export const avatarUrls = signal<Record<string, { hash: string; url: string }>>({});
/** My own avatar's hash (null: none; undefined: not read yet). */
export const myAvatar = signal<string | null | undefined>(undefined);
const loading = new Set<string>();

/** The URL for `username`'s avatar `hash` when fetched (else starts the fetch, undefined). */
export function avatarUrl(username: string, hash: string): string | undefined {
  const have = avatarUrls.value[username];
  if (have?.hash === hash) return have.url;
  const key = `${username} ${hash}`;
  if (loading.has(key)) return undefined;
  loading.add(key);
  void client
    .avatar(username)
    .then((blob) => {
      const old = avatarUrls.value[username];
      if (old) URL.revokeObjectURL(old.url);
      const next = { ...avatarUrls.value };
      if (blob) next[username] = { hash, url: URL.createObjectURL(blob) };
      else delete next[username];
      avatarUrls.value = next;
    })
    .catch(() => {}) // shown as initials; a later hash tries again
    .finally(() => loading.delete(key));
  return undefined;
}

/** `contact.profile`: someone's name or avatar changed (mine too). */
export function onContactProfile(d: Record<string, unknown>, myId: string | undefined): void {
  const avatar = (d.avatar as { hash: string } | null)?.hash ?? null;
  if (d.userId === myId) {
    myAvatar.value = avatar;
    return;
  }
  contacts.value = contacts.value.map((c): Contact =>
    c.userId === d.userId ? { ...c, avatar, displayName: String(d.displayName ?? '') } : c,
  );
}
