import type { User } from '../../../src/sdk/index.js';
import { newClientId } from '../lib/ids.js';
import { client } from './client.js';
import { describe } from './errors.js';
import { sendRefusal } from './refusals.js';
import { latest, older } from './history.js';
import { enqueue, logEntry, merge } from './log.js';
import { showPane } from './nav.js';
import { post, registerSender, waiting, type Outgoing } from './outbox.js';
import { remember } from './quotes.js';
import { arrived, loadMarkers } from './receipts.js';
import { conversations, me, unread, type ChatMessage, type Conversation } from './signals.js';
import { dm, sourceOf } from './target.js';

const PAGE = 30;

function update(key: string, fn: (c: Conversation) => Conversation): void {
  const c = conversations.value[key];
  if (c) conversations.value = { ...conversations.value, [key]: fn(c) };
}

/** Shows the conversation with `username`, loading its latest page the first time. */
export async function openConversation(username: string): Promise<void> {
  const key = username.toLowerCase();
  showPane({ dm: key });
  unread.value = { ...unread.value, [key]: 0 };
  if (conversations.value[key]) return;
  const user = me.value;
  const waitingHere = user ? waiting('dm', key).map((o) => pendingMessage(o, user)) : [];
  const refused = refusedEarlier.get(key) ?? [];
  refusedEarlier.delete(key);
  void loadMarkers(key);
  conversations.value = {
    ...conversations.value,
    [key]: {
      with: key,
      messages: [...waitingHere, ...refused.map((r) => r.m)],
      more: false,
      loading: true,
      error: refused.at(-1)?.error ?? '',
    },
  };
  try {
    const page = await client.history(key, { limit: PAGE });
    remember(page.messages);
    const theirs = page.messages.filter((m) => m.from.userId !== me.value?.id).at(-1);
    if (theirs) arrived(key, theirs.seq);
    update(key, (c) => ({
      ...c,
      messages: merge(c.messages, page.messages),
      more: page.more,
      loading: false,
    }));
  } catch (err) {
    update(key, (c) => ({ ...c, loading: false, error: describe(err) }));
  }
}

export function closeConversation(): void {
  showPane({});
}

/** Loads the page of messages before the oldest one shown. */
export function loadOlder(key: string): Promise<void> {
  return older(sourceOf(dm(key)));
}

function pendingMessage(o: Outgoing, user: User): ChatMessage {
  return {
    id: `pending:${o.clientId}`,
    conversationId: '',
    seq: 0,
    from: { userId: user.id, username: user.username },
    to: { userId: '', username: o.to },
    clientId: o.clientId,
    text: o.text,
    replyTo: o.replyTo ?? null,
    createdAt: o.createdAt,
    editedAt: null,
    deleted: false,
    reactions: [],
    pending: 'sending',
  };
}

registerSender('dm', {
  send: (o) => client.sendMessage(o.to, o.text, o.clientId, o.replyTo, o.attachments),
  // The send result is the log entry of a new message: applied as one, so the chat list
  // takes it even when the live event comes later and is then skipped as already seen.
  sent: (_o, r) =>
    enqueue(() => logEntry(r.seq ?? undefined, 'message', { message: r.message, change: 'new' })),
  failed: (o, err) => {
    const user = me.value;
    // Refused before its conversation was opened (an outbox from an earlier visit):
    // kept for it, never dropped unseen.
    if (!conversations.value[o.to] && user) {
      const m: ChatMessage = { ...pendingMessage(o, user), pending: 'failed' };
      refusedEarlier.set(o.to, [
        ...(refusedEarlier.get(o.to) ?? []),
        { m, error: sendRefusal(err) },
      ]);
      return;
    }
    update(o.to, (c) => {
      const id = `pending:${o.clientId}`;
      // A chat opened by its address before the outbox was replayed holds no pending
      // copy of this message yet: the refused one is added, never dropped unseen.
      const messages = c.messages.some((m) => m.id === id)
        ? c.messages.map((m) => (m.id === id ? { ...m, pending: 'failed' as const } : m))
        : user
          ? [...c.messages, { ...pendingMessage(o, user), pending: 'failed' as const }]
          : c.messages;
      return { ...c, messages, error: sendRefusal(err) };
    });
  },
});

/** Messages refused while their conversation was not open, by username; bounded by the outbox. */
const refusedEarlier = new Map<string, { m: ChatMessage; error: string }[]>();

export function forgetRefused(): void {
  refusedEarlier.clear();
}

/**
 * Takes a message the server refused out of the conversation (deleted, or back
 * in the composer to edit); the error goes with the last one.
 */
export function dropFailed(key: string, m: ChatMessage): void {
  update(key, (c) => {
    const messages = c.messages.filter((x) => x.id !== m.id);
    const left = messages.some((x) => x.pending === 'failed');
    return { ...c, messages, error: left ? c.error : '' };
  });
}

/**
 * Sends text to `key`: shown at once as pending, replaced by the stored message.
 * Offline, it waits in the outbox (kept across reloads) and goes on reconnect;
 * a retry reuses the client id, so the server never stores it twice.
 */
export async function send(
  key: string,
  text: string,
  clientId = newClientId(),
  replyTo: string | null = null,
  attachments?: string[],
): Promise<void> {
  const user = me.value;
  if (!user) return;
  // Sending from an older part of the history: the new message shows with the newest.
  if (conversations.value[key]?.newer) await latest(sourceOf(dm(key)));
  const o: Outgoing = {
    clientId,
    kind: 'dm',
    to: key,
    text,
    createdAt: Date.now(),
    ...(replyTo ? { replyTo } : {}),
    ...(attachments?.length ? { attachments } : {}),
  };
  update(key, (c) => ({ ...c, messages: merge(c.messages, [pendingMessage(o, user)]) }));
  post(o);
}
