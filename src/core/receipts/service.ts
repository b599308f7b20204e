import { lookupName } from '../accounts/username.js';
import { ParleyError } from '../errors.js';
import { except } from '../events.js';
import { createRateLimiter } from '../limits/rate.js';
import { dmConversationId } from '../messages/service.js';
import type { Router } from '../router.js';
import type { MarkerStore } from './store.js';

/** Typing stops by itself after this long unless renewed (clients renew every few seconds while typing). */
export const TYPING_EXPIRES_MS = 6000;

export interface ReceiptUsers {
  byUsername(username: string): Promise<{ id: string; username: string } | undefined>;
  usernameOf(id: string): Promise<string | undefined>;
  isBlocked(ownerId: string, otherId: string): Promise<boolean>;
}

export interface MarkerView {
  conversationId: string;
  with: { userId: string; username: string };
  delivered: number;
  read: number;
  /** Messages from them after your read marker. */
  unread: number;
}

export interface ReceiptService {
  /** Moves your delivered/read markers in the conversation with `with` forward. */
  mark(
    userId: string,
    req: { with: string; delivered?: number; read?: number },
    connectionId?: string,
  ): Promise<MarkerView>;
  markers(
    userId: string,
    withUser: string,
  ): Promise<
    MarkerView & { theirs: { delivered: number; read: number; unseen?: number[] } | null }
  >;
  /** `state`: "start" or "stop", checked here. */
  typing(userId: string, to: string, state: string): Promise<void>;
  sendReceipts(userId: string): Promise<boolean>;
  setSendReceipts(userId: string, on: boolean): Promise<void>;
}

/** `unseen` only when there is any (most conversations never have a hidden message). */
function nonEmpty(unseen: number[]): { unseen?: number[] } {
  return unseen.length ? { unseen } : {};
}

function seqField(v: number | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isSafeInteger(v) || v < 0)
    throw new ParleyError('bad-request', `${field} must be a whole number, 0 or more`, { field });
  return v;
}

/**
 * Delivered and read markers per conversation (never stored per message, never
 * going back), shared with one's own devices always and with the other person
 * unless they turned receipts off; and typing notices, which are never stored.
 */
export function createReceiptService(deps: {
  store: MarkerStore;
  users: ReceiptUsers;
  router: Router;
  typingPerSecond?: number;
  now?: () => number;
}): ReceiptService {
  const { store, users, router } = deps;
  const now = deps.now ?? Date.now;
  const typingLimit = createRateLimiter({ perSecond: deps.typingPerSecond ?? 2, burst: 10 });

  async function other(userId: string, name: string, field: string) {
    if (name.length > 64)
      throw new ParleyError('bad-request', `${field} must be a username`, { field });
    const possible = lookupName(name);
    const u = possible === undefined ? undefined : await users.byUsername(possible);
    if (!u) throw new ParleyError('not-found', 'no such user', { field });
    if (u.id === userId) throw new ParleyError('bad-request', 'that is you', { field });
    return u;
  }

  return {
    async mark(userId, req, connectionId) {
      const them = await other(userId, req.with, 'with');
      const delivered = seqField(req.delivered, 'delivered');
      const read = seqField(req.read, 'read');
      if (delivered === undefined && read === undefined)
        throw new ParleyError('bad-request', 'give delivered, read or both', { field: 'read' });
      const conversationId = dmConversationId(userId, them.id);
      // Capped at what you can see, so a marker never vouches for messages hidden from you
      // (a sender must not learn from read ticks that they are blocked or filtered).
      const head = await store.visibleHead(userId, conversationId);
      // Nothing can be read that does not exist yet; read implies delivered.
      const to = {
        delivered: Math.min(Math.max(delivered ?? 0, read ?? 0), head),
        ...(read !== undefined ? { read: Math.min(read, head) } : {}),
      };
      const { marker, changed, before } = await store.advance(userId, conversationId, to, now());
      const unread = await store.unreadCount(userId, conversationId, marker.read);
      const view: MarkerView = {
        conversationId,
        with: { userId: them.id, username: them.username },
        delivered: marker.delivered,
        read: marker.read,
        unread,
      };
      if (changed) {
        // Your other devices clear their badges; the other person sees ticks unless you opted out.
        router.deliver(userId, except({ name: 'marker', ...view }, connectionId));
        if ((await store.sendReceipts(userId)) && !(await users.isBlocked(userId, them.id)))
          router.deliver(them.id, {
            name: 'receipt',
            conversationId,
            userId,
            username: (await users.usernameOf(userId)) ?? '',
            delivered: marker.delivered,
            read: marker.read,
            // Their messages the markers just passed that I never saw: never "read" for them.
            ...nonEmpty(
              await store.unseen(userId, conversationId, before.delivered, marker.delivered),
            ),
          });
      }
      return view;
    },

    async markers(userId, withUser) {
      const them = await other(userId, withUser, 'with');
      const conversationId = dmConversationId(userId, them.id);
      const list = await store.markers(userId, [conversationId]);
      const mine = list[0] ?? { delivered: 0, read: 0 };
      // null: they do not share receipts with you (turned off, or they blocked you).
      const shares =
        (await store.sendReceipts(them.id)) && !(await users.isBlocked(them.id, userId));
      const theirsList = shares
        ? ((await store.markers(them.id, [conversationId]))[0] ?? { delivered: 0, read: 0 })
        : undefined;
      return {
        conversationId,
        with: { userId: them.id, username: them.username },
        delivered: mine.delivered,
        read: mine.read,
        unread: await store.unreadCount(userId, conversationId, mine.read),
        theirs: theirsList
          ? {
              delivered: theirsList.delivered,
              read: theirsList.read,
              ...nonEmpty(await store.unseen(them.id, conversationId, 0, theirsList.delivered)),
            }
          : null,
      };
    },

    async typing(userId, to, state) {
      const them = await other(userId, to, 'to');
      if (state !== 'start' && state !== 'stop')
        throw new ParleyError('bad-request', 'state must be "start" or "stop"', { field: 'state' });
      typingLimit.take(userId);
      // Someone who blocked you never sees you typing (and you are not told).
      if (await users.isBlocked(them.id, userId)) return;
      router.deliver(them.id, {
        name: 'typing',
        conversationId: dmConversationId(userId, them.id),
        userId,
        username: (await users.usernameOf(userId)) ?? '',
        state,
        expiresInMs: state === 'start' ? TYPING_EXPIRES_MS : 0,
      });
    },

    sendReceipts: (userId) => store.sendReceipts(userId),
    setSendReceipts: (userId, on) => store.setSendReceipts(userId, on),
  };
}
