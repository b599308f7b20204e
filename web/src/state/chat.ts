import type { User } from '../../../src/sdk/index.js';
import { newClientId } from '../lib/ids.js';
import { client } from './client.js';
import { describe } from './errors.js';
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
  void loadMarkers(key);
  conversations.value = {
    ...conversations.value,
    [key]: { with: key, messages: waitingHere, more: false, loading: true, error: '' },
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
  send: (o) => client.sendMessage(o.to, o.text, o.clientId, o.replyTo),
  // The send result is the log entry of a new message: applied as one, so the chat list
  // takes it even when the live event comes later and is then skipped as already seen.
  sent: (_o, r) =>
    enqueue(() => logEntry(r.seq ?? undefined, 'message', { message: r.message, change: 'new' })),
  failed: (o, err) =>
    update(o.to, (c) => ({
      ...c,
      messages: c.messages.map((m) =>
        m.id === `pending:${o.clientId}` ? { ...m, pending: 'failed' } : m,
      ),
      error: describe(err),
    })),
});

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
  };
  update(key, (c) => ({ ...c, messages: merge(c.messages, [pendingMessage(o, user)]) }));
  post(o);
}

export function retry(key: string, m: ChatMessage): Promise<void> {
  update(key, (c) => ({ ...c, messages: c.messages.filter((x) => x.id !== m.id), error: '' }));
  return send(key, m.text, m.clientId, m.replyTo);
}
