import { randomBytes } from 'node:crypto';
import { newId } from '../../src/core/ids.js';
import type { LogPayload, StoredMessage } from '../../src/core/messages/store.js';
import type { Store } from '../../src/core/store.js';

/** Contract-test fixtures written straight to a store (no server). */
export const tag = () => randomBytes(5).toString('hex');

/** openStore options for a database from backend.make(). */
export function storeOptions(
  m: { url: string; dataDir: string; pgSchema?: string },
  poolSize = 3,
): { url: string; dataDir: string; poolSize: number; schema?: string } {
  return {
    url: m.url,
    dataDir: m.dataDir,
    poolSize,
    ...(m.pgSchema ? { schema: m.pgSchema } : {}),
  };
}

/** Accounts with unique names (`<prefix><tag>`), one per prefix. */
export async function storeUsers(
  store: Store,
  prefixes: readonly string[],
): Promise<{ id: string; username: string }[]> {
  const users = prefixes.map((p) => ({ id: newId(), username: `${p}${tag()}` }));
  for (const u of users)
    await store.accounts.createUser({ ...u, passwordHash: 'x', createdAt: 1, disabled: false });
  return users;
}

export const payload: LogPayload = (m) => ({ name: 'message', data: { id: m.id } });
export const both = (m: StoredMessage) => [m.senderId, m.recipientId];

/**
 * A sender of direct messages from `a` to `b` through MessageStore.insert, with
 * its own clock; `store` is read at each send (a test may reopen it).
 */
export function directSender(store: () => Store, a: { id: string }, b: { id: string }) {
  let clock = 1_700_000_000_000;
  return (text: string) => {
    const t = ++clock;
    return store().messages.insert(
      {
        id: newId(t),
        conversationId: a.id < b.id ? `dm:${a.id}:${b.id}` : `dm:${b.id}:${a.id}`,
        senderId: a.id,
        recipientId: b.id,
        clientId: `c-${tag()}`,
        text,
        replyTo: null,
        createdAt: t,
        visibleToRecipient: true,
      },
      both,
      payload,
    );
  };
}
