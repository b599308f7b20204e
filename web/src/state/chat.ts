import type { User } from '../../../src/sdk/index.js';
import { newClientId } from '../lib/ids.js';
import { client } from './client.js';
import { describe } from './errors.js';
import { enqueue, logEntry, merge } from './log.js';
import { showPane } from './nav.js';
import { post, registerSender, waiting, type Outgoing } from './outbox.js';
import { conversations, me, unread, type ChatMessage, type Conversation } from './signals.js';

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
  conversations.value = {
    ...conversations.value,
    [key]: { with: key, messages: waitingHere, more: false, loading: true, error: '' },
  };
  try {
    const page = await client.history(key, { limit: PAGE });
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
export async function loadOlder(key: string): Promise<void> {
  const c = conversations.value[key];
  const first = c?.messages.find((m) => !m.pending);
  if (!c || !c.more || c.loading || !first) return;
  update(key, (x) => ({ ...x, loading: true }));
  try {
    const page = await client.history(key, { before: first.seq, limit: PAGE });
    update(key, (x) => ({
      ...x,
      messages: merge(x.messages, page.messages),
      more: page.more,
      loading: false,
    }));
  } catch (err) {
    update(key, (x) => ({ ...x, loading: false, error: describe(err) }));
  }
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
  sent: (_o, r) => enqueue(() => logEntry(r.seq ?? undefined, 'message', { message: r.message })),
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
 * Offline, it waits in the outbox (kept across reloads) and goes on reconnect.
 */
export function send(key: string, text: string, clientId = newClientId()): void {
  const user = me.value;
  if (!user) return;
  const o: Outgoing = { clientId, kind: 'dm', to: key, text, createdAt: Date.now() };
  update(key, (c) => ({ ...c, messages: merge(c.messages, [pendingMessage(o, user)]) }));
  post(o);
}

export function retry(key: string, m: ChatMessage): void {
  update(key, (c) => ({ ...c, messages: c.messages.filter((x) => x.id !== m.id), error: '' }));
  send(key, m.text, m.clientId);
}
