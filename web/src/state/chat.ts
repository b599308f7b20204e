import { newClientId } from '../lib/ids.js';
import { client } from './client.js';
import { describe } from './errors.js';
import { latest, older } from './history.js';
import { enqueue, logEntry, merge } from './log.js';
import { showPane } from './nav.js';
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
  void loadMarkers(key);
  conversations.value = {
    ...conversations.value,
    [key]: { with: key, messages: [], more: false, loading: true, error: '' },
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

/** Sends text to `key`; shown at once as pending, replaced by the stored message. */
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
  const pending: ChatMessage = {
    id: `pending:${clientId}`,
    conversationId: '',
    seq: 0,
    from: { userId: user.id, username: user.username },
    to: { userId: '', username: key },
    clientId,
    text,
    replyTo,
    createdAt: Date.now(),
    editedAt: null,
    deleted: false,
    reactions: [],
    pending: 'sending',
  };
  update(key, (c) => ({ ...c, messages: merge(c.messages, [pending]) }));
  try {
    // A retry reuses the client id: the server answers with the same message, never a duplicate.
    const r = await client.sendMessage(key, text, clientId, replyTo ?? undefined);
    await enqueue(() => logEntry(r.seq ?? undefined, 'message', { message: r.message }));
  } catch (err) {
    update(key, (c) => ({
      ...c,
      messages: c.messages.map((m) => (m.id === pending.id ? { ...m, pending: 'failed' } : m)),
      error: describe(err),
    }));
  }
}

export function retry(key: string, m: ChatMessage): Promise<void> {
  update(key, (c) => ({ ...c, messages: c.messages.filter((x) => x.id !== m.id), error: '' }));
  return send(key, m.text, m.clientId, m.replyTo);
}
