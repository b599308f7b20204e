import { computed, effect, signal } from '@preact/signals';
import { client } from './client.js';
import { dmChats } from './chats.js';
import { contacts, me, roomViews } from './signals.js';

/**
 * What to call people (issue 15, bug 15): the same everywhere. My alias for a
 * contact, else the display name they chose, else their username; the
 * username goes beside it (as "@alice") where it tells people apart: in
 * lists of people, and wherever two known people share a name.
 */

/** My own display name ('' for none), from my profile; `profile.updated` keeps it current. */
export const myDisplayName = signal('');

let asked = '';
effect(() => {
  const u = me.value;
  if (!u) {
    asked = '';
    myDisplayName.value = '';
    return;
  }
  if (asked === u.id) return;
  asked = u.id;
  client
    .me()
    .then((r) => {
      if (me.peek()?.id === u.id) myDisplayName.value = r.profile.displayName;
    })
    // Not known yet: the username stands in until the next sign-in.
    .catch(() => undefined);
});

/** The names I know, by lowercase username (those I know no other name for are left out). */
const known = computed(() => {
  const out = new Map<string, string>();
  const put = (username: string, name: string | null | undefined) => {
    const n = name?.trim();
    if (n) out.set(username.toLowerCase(), n);
  };
  for (const v of Object.values(roomViews.value))
    for (const m of v.members ?? []) put(m.username, m.displayName);
  for (const c of Object.values(dmChats.value)) put(c.username, c.displayName);
  for (const c of contacts.value) put(c.username, c.alias || c.displayName);
  const u = me.value;
  if (u) put(u.username, myDisplayName.value);
  return out;
});

/** Names two or more known people go by (lowercase). */
const shared = computed(() => {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const n of known.value.values()) {
    const k = n.toLowerCase();
    if (seen.has(k)) twice.add(k);
    seen.add(k);
  }
  return twice;
});

/** The name to show for a username. */
export function nameOf(username: string): string {
  return known.value.get(username.toLowerCase()) ?? username;
}

/** "@alice" when the name shown is not the username itself, else ''. */
export function handleOf(username: string): string {
  return nameOf(username).toLowerCase() === username.toLowerCase() ? '' : `@${username}`;
}

/** The handle only where it tells two people apart (message authors, lines). */
export function handleIfShared(username: string): string {
  const h = handleOf(username);
  return h && shared.value.has(nameOf(username).toLowerCase()) ? h : '';
}

/** One line of text: "Alice Liddell (@alice)", or "alice" when that is all there is. */
export function fullName(username: string): string {
  const h = handleOf(username);
  return h ? `${nameOf(username)} (${h})` : username;
}

/** Usernames by user id, from everyone I know of (contacts, chats, room members, me). */
const byId = computed(() => {
  const out = new Map<string, string>();
  for (const v of Object.values(roomViews.value))
    for (const m of v.members ?? []) out.set(m.userId, m.username);
  for (const c of Object.values(dmChats.value)) out.set(c.userId, c.username);
  for (const c of contacts.value) out.set(c.userId, c.username);
  const u = me.value;
  if (u) out.set(u.id, u.username);
  return out;
});

/** What to call someone known only by id ("You" for me), or null when I know nothing of them. */
export function nameById(userId: string): string | null {
  if (userId === me.value?.id) return 'You';
  const u = byId.value.get(userId);
  return u ? nameOf(u) : null;
}

/** The name as <Name> shows it, as one string ("Alice Liddell @alice"): for labels that must match it. */
export function shownName(username: string): string {
  const h = handleOf(username);
  return h ? `${nameOf(username)} ${h}` : nameOf(username);
}

/**
 * Someone's display name changed (`contact.profile` from a contact, `room.profile`
 * from a room member): every list that carries it follows, so the chat list,
 * headers, member lists and message authors (all named through `nameOf`) show the
 * new name without a reload. '' means they cleared it: their username shows again.
 */
export function renamed(userId: string, displayName: string): void {
  if (contacts.value.some((c) => c.userId === userId && c.displayName !== displayName))
    contacts.value = contacts.value.map((c) => (c.userId === userId ? { ...c, displayName } : c));
  const chat = Object.entries(dmChats.value).find(([, c]) => c.userId === userId);
  if (chat && chat[1].displayName !== displayName)
    dmChats.value = { ...dmChats.value, [chat[0]]: { ...chat[1], displayName } };
  let views = roomViews.value;
  for (const [room, v] of Object.entries(roomViews.value)) {
    if (!v.members?.some((m) => m.userId === userId && (m.displayName ?? '') !== displayName))
      continue;
    const members = v.members.map((m) => {
      if (m.userId !== userId) return m;
      const { displayName: _old, ...rest } = m;
      return displayName ? { ...rest, displayName } : rest;
    });
    views = { ...views, [room]: { ...v, members } };
  }
  if (views !== roomViews.value) roomViews.value = views;
}
