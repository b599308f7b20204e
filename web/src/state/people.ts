import { effect } from '@preact/signals';
import type { DirectoryPage, DirectoryQuery } from '../../../src/sdk/index.js';
import { client } from './client.js';
import { apply, handleLogged, upsertContact } from './log.js';
import { blocked, me } from './signals.js';

/**
 * Managing people: the directory, my names and groups for contacts, removing
 * and blocking. Contact changes come back through the log as well; applying
 * the reply at once only makes the screen quicker.
 */

export { blocked, isBlocked } from './signals.js';

export async function loadBlocked(): Promise<void> {
  const list = await client.blocked();
  blocked.value = Object.fromEntries(list.map((b) => [b.userId, b]));
}

handleLogged('block.added', (d) => {
  const userId = d.userId as string;
  const b = { userId, username: d.username as string, createdAt: Date.now() };
  // Loaded later from the server anyway; until then the event alone is enough to show it.
  blocked.value = { ...(blocked.value ?? {}), [userId]: blocked.value?.[userId] ?? b };
});
handleLogged('block.removed', (d) => {
  if (!blocked.value) return;
  const { [d.userId as string]: _gone, ...rest } = blocked.value;
  blocked.value = rest;
});

export function isBlockedName(username: string): boolean {
  const u = username.toLowerCase();
  return Object.values(blocked.value ?? {}).some((b) => b.username === u);
}

export function searchPeople(q: DirectoryQuery): Promise<DirectoryPage> {
  return client.search(q);
}

export async function rename(username: string, alias: string): Promise<void> {
  upsertContact(await client.updateContact(username, { alias }));
}

export async function setGroups(username: string, groups: string[]): Promise<void> {
  upsertContact(await client.updateContact(username, { groups }));
}

export async function removeContact(username: string, userId: string): Promise<void> {
  await client.removeContact(username);
  apply('contact.removed', { userId });
}

/** Blocks anyone by username (a contact or not); the list is read again for their id. */
export async function block(username: string): Promise<void> {
  await client.block(username);
  await loadBlocked();
}

export async function unblock(username: string): Promise<void> {
  await client.unblock(username);
  await loadBlocked();
}

// Signing out: nothing of the last user stays.
effect(() => {
  if (!me.value) blocked.value = null;
});
