import { client } from './client.js';
import { upsertContact, apply } from './log.js';

/** Asks to see someone's presence; they approve or deny. */
export async function requestContact(username: string, note: string): Promise<void> {
  upsertContact(await client.requestContact(username, note || undefined));
}

export async function approve(username: string): Promise<void> {
  upsertContact(await client.approveContact(username));
}

export async function deny(username: string, userId: string): Promise<void> {
  const c = await client.denyContact(username);
  if (c) upsertContact(c);
  else apply('contact.removed', { userId });
}
