import { ParleyError } from '../errors.js';
import { except, type PepEvent } from '../events.js';
import { createRateLimiter } from '../limits/rate.js';
import type { Router } from '../router.js';
import type { PepAccess, PepNode, PepStore } from './store.js';

/**
 * Personal eventing (XMPP PEP, XEP-0163) beyond the nodes the profile backs:
 * any node an account publishes to (geolocation, mood, tune, software info...)
 * is made on its first publish and keeps its last item. Core decides who reads
 * and who is told, as for the profile: the owner always; with access
 * `presence` (the default) those who see the owner's presence; with `open`
 * anyone the owner has not blocked (told only if they see the presence);
 * with `whitelist` the owner alone. Nobody else learns that a node exists.
 */

/** Bounds (invariant 31): per node name, item id, payload, nodes per account, publishes. */
export const PEP_LIMITS = {
  nodeChars: 256,
  itemIdChars: 256,
  payloadBytes: 64 * 1024,
  nodes: 64,
  perMinute: 120,
} as const;

export const PEP_ACCESS: readonly PepAccess[] = ['presence', 'open', 'whitelist'];

export interface PepOwner {
  id: string;
  username: string;
}

export interface PepItem {
  id: string;
  payload: string;
}

export interface PepService {
  /**
   * Publishes the node's item (replacing the last one), making the node on its
   * first publish with `access` (default `presence`); an existing node keeps
   * its access unless `access` is given. The owner's other sessions and, unless
   * the node is `whitelist`, the owner's watchers are told (`pep.item`).
   */
  publish(
    owner: PepOwner,
    node: string,
    item: PepItem,
    opts?: { access?: PepAccess; exceptConnection?: string },
  ): Promise<void>;
  /** The node as `viewerId` may read it: `not-found` when it does not exist for them. */
  node(viewerId: string, ownerId: string, node: string): Promise<PepNode>;
  /** The nodes of `ownerId` that `viewerId` may read, by name. */
  nodes(viewerId: string, ownerId: string): Promise<PepNode[]>;
  /** Takes the item back (the node stays): `not-found` when it is not the node's item. */
  retract(owner: PepOwner, node: string, itemId: string, exceptConnection?: string): Promise<void>;
  /** Deletes the node: `not-found` when there is none. */
  remove(owner: PepOwner, node: string, exceptConnection?: string): Promise<void>;
}

function checkName(v: string, field: string, max: number): string {
  if (v.length === 0 || v.length > max || v.includes('\0') || v.trim() !== v)
    throw new ParleyError('bad-request', `${field} must be 1-${max} characters`, { field });
  return v;
}

export function createPepService(deps: {
  store: PepStore;
  router: Router;
  /** Who sees the owner's presence, minus those the owner blocked. */
  watchersOf(userId: string): Promise<readonly string[]>;
  isBlocked(ownerId: string, otherId: string): Promise<boolean>;
  now?: () => number;
  /** Publishes per account (default PEP_LIMITS.perMinute, a burst of 30). */
  rate?: { perSecond: number; burst: number };
}): PepService {
  const { store, router } = deps;
  const now = deps.now ?? Date.now;
  const rate = createRateLimiter(deps.rate ?? { perSecond: PEP_LIMITS.perMinute / 60, burst: 30 });

  async function mayRead(viewerId: string, n: PepNode): Promise<boolean> {
    if (viewerId === n.userId) return true;
    if (n.access === 'whitelist') return false;
    if (await deps.isBlocked(n.userId, viewerId)) return false;
    if (n.access === 'open') return true;
    return (await deps.watchersOf(n.userId)).includes(viewerId);
  }

  async function tell(owner: PepOwner, access: PepAccess, e: PepEvent): Promise<void> {
    router.deliver(owner.id, e);
    if (access === 'whitelist') return;
    for (const w of await deps.watchersOf(owner.id)) router.deliver(w, e);
  }

  async function own(owner: PepOwner, node: string): Promise<PepNode> {
    const n = await store.node(owner.id, checkName(node, 'node', PEP_LIMITS.nodeChars));
    if (!n) throw new ParleyError('not-found', 'no such node');
    return n;
  }

  return {
    async publish(owner, node, item, opts = {}) {
      checkName(node, 'node', PEP_LIMITS.nodeChars);
      checkName(item.id, 'item id', PEP_LIMITS.itemIdChars);
      if (Buffer.byteLength(item.payload) > PEP_LIMITS.payloadBytes)
        throw new ParleyError(
          'payload-too-large',
          `an item is at most ${PEP_LIMITS.payloadBytes} bytes`,
          {
            field: 'payload',
          },
        );
      if (item.payload.includes('\0'))
        throw new ParleyError('bad-request', 'an item must not contain NUL characters', {
          field: 'payload',
        });
      if (opts.access !== undefined && !PEP_ACCESS.includes(opts.access))
        throw new ParleyError('bad-request', 'access is presence, open or whitelist', {
          field: 'access',
        });
      rate.take(owner.id);
      const before = await store.node(owner.id, node);
      const access = opts.access ?? before?.access ?? 'presence';
      const ok = await store.put(
        {
          userId: owner.id,
          node,
          access,
          itemId: item.id,
          payload: item.payload,
          updatedAt: now(),
        },
        PEP_LIMITS.nodes,
      );
      if (!ok)
        throw new ParleyError('conflict', `at most ${PEP_LIMITS.nodes} nodes`, { field: 'node' });
      // Narrowed to the owner alone: those who could read it are told it is gone.
      if (before && before.access !== 'whitelist' && access === 'whitelist')
        await tell(owner, before.access, {
          name: 'pep.item',
          userId: owner.id,
          username: owner.username,
          node,
          deleted: true,
        });
      await tell(
        owner,
        access,
        except(
          { name: 'pep.item', userId: owner.id, username: owner.username, node, item: { ...item } },
          opts.exceptConnection,
        ),
      );
    },

    async node(viewerId, ownerId, node) {
      const n = await store.node(ownerId, checkName(node, 'node', PEP_LIMITS.nodeChars));
      if (!n || !(await mayRead(viewerId, n))) throw new ParleyError('not-found', 'no such node');
      return n;
    },

    async nodes(viewerId, ownerId) {
      const all = await store.nodes(ownerId, PEP_LIMITS.nodes);
      if (viewerId === ownerId) return all;
      const shared = all.filter((n) => n.access !== 'whitelist');
      if (shared.length === 0 || (await deps.isBlocked(ownerId, viewerId))) return [];
      // One read of who sees the presence, for every node that needs it.
      const sees = shared.some((n) => n.access === 'presence')
        ? (await deps.watchersOf(ownerId)).includes(viewerId)
        : false;
      return shared.filter((n) => n.access === 'open' || sees);
    },

    async retract(owner, node, itemId, exceptConnection) {
      const n = await own(owner, node);
      if (n.itemId !== itemId) throw new ParleyError('not-found', 'no such item');
      await store.put({ ...n, itemId: null, payload: null, updatedAt: now() }, PEP_LIMITS.nodes);
      await tell(
        owner,
        n.access,
        except(
          { name: 'pep.item', userId: owner.id, username: owner.username, node, retracted: itemId },
          exceptConnection,
        ),
      );
    },

    async remove(owner, node, exceptConnection) {
      const n = await own(owner, node);
      if (!(await store.remove(owner.id, node))) throw new ParleyError('not-found', 'no such node');
      await tell(
        owner,
        n.access,
        except(
          { name: 'pep.item', userId: owner.id, username: owner.username, node, deleted: true },
          exceptConnection,
        ),
      );
    },
  };
}
