import type { CoreEvent } from './events.js';
import { newId } from './ids.js';

/**
 * What a session asks of core beyond its user's events. Core respects them when
 * delivering (`wants`), so a door never filters what it is given:
 * - `echo`: its own sends come back as live events (IRC echo-message); without it
 *   the session that caused an event gets only the reply.
 * - `typing`, `receipts`: typing notifications and read/delivered receipts.
 * - `occupancy`: who is in a room right now (`room.occupant`, core/occupancy).
 * - `resources`: each session's presence (`presence.resource`: XMPP resources).
 * - `pep`: personal eventing items and private data changes (XMPP PEP).
 */
export type Capability =
  'echo' | 'typing' | 'receipts' | 'occupancy' | 'names' | 'resources' | 'pep' | 'notices';

/** Events a session gets only with the capability (any other event goes to every session). */
const NEEDS: Readonly<Record<string, Capability>> = {
  typing: 'typing',
  'room.typing': 'typing',
  receipt: 'receipts',
  'room.occupant': 'occupancy',
  'room.profile': 'names',
  'presence.resource': 'resources',
  'pep.item': 'pep',
  'private.changed': 'pep',
  notice: 'notices',
};

/**
 * A Session is one connected client on this node, whatever the door.
 * Doors implement it; core only ever sees this interface.
 */
export interface Session {
  /**
   * The login it runs under: a stored session's id (a token), or for a
   * connection-scoped login (`accounts.verify`) an id of its own, see `scoped`.
   */
  readonly id: string;
  /** Unique in the cluster (a time-ordered random id); with the node id it is the session's key. */
  readonly connectionId: string;
  readonly userId: string;
  readonly door: string; // 'ws', 'irc', 'xmpp'...
  /**
   * The name this session goes by among its user's sessions (XMPP resource, IRC
   * connection label, web device). The door proposes one (or '' for none); the
   * registry sets the final one when the session is added: unique per user on
   * this node, generated when empty.
   */
  resource: string;
  readonly capabilities: ReadonlySet<Capability>;
  /**
   * True for a login that has no stored session (a password checked for this
   * connection only, `accounts.verify`): no token exists to revoke, so it ends
   * with any revocation of all its user's sessions (password change, disable,
   * delete).
   */
  readonly scoped?: boolean;
  /** Hand an event to the client. Must not throw and must not block. */
  send(event: CoreEvent): void;
  /**
   * An event for this user that this session is not sent because it made the
   * change itself (`exceptSession`: its reply says so). A feed counts it as
   * delivered (core/feed.ts), so it is not taken for a gap.
   */
  passed?(event: CoreEvent): void;
  /**
   * End the connection with a reason the client can show, and why (default
   * `revoked`), which a door maps to its own form (XMPP: `replaced` is the
   * `<conflict/>` stream error of RFC 6120 7.7.2.2, `revoked` `<not-authorized/>`).
   */
  close(reason: string, cause?: SessionEnd): void;
}

/**
 * Why a session is ended: `revoked` (logged out, password changed, account
 * disabled or deleted: the login is no longer valid), `replaced` (a newer
 * login of the same client took its name: the login is still valid).
 */
export type SessionEnd = 'revoked' | 'replaced';

/** Whether core hands `event` to `s` (its capabilities and the echo rule). */
export function wants(s: Session, event: CoreEvent): boolean {
  // Core's own news between nodes (read by `router.onLocalEvent` hooks), for no client.
  if (event.name.startsWith('core.')) return false;
  if (event.exceptSession === s.connectionId && !s.capabilities.has('echo')) return false;
  const need = NEEDS[event.name];
  return need === undefined || s.capabilities.has(need);
}

/** A session's name cluster-wide: the node it is on and its connection id. */
export function sessionKey(nodeId: string, connectionId: string): string {
  return `${nodeId}/${connectionId}`;
}

export function parseSessionKey(key: string): { nodeId: string; connectionId: string } | null {
  const i = key.lastIndexOf('/');
  if (i <= 0 || i === key.length - 1) return null;
  return { nodeId: key.slice(0, i), connectionId: key.slice(i + 1) };
}

export const MAX_RESOURCE = 64;

export interface SessionRegistry {
  /** Registers a session and settles its `resource` (see Session.resource). */
  add(session: Session): void;
  remove(session: Session): void;
  of(userId: string): readonly Session[];
  /** This node's session with this connection id. */
  byConnection(connectionId: string): Session | undefined;
  /** This node's session of `userId` going by `resource`. */
  byResource(userId: string, resource: string): Session | undefined;
  all(): Iterable<Session>;
  count(): number;
  /** Called when a user gets their first session on this node, and when they lose the last. */
  onUserArrived(fn: (userId: string) => void): void;
  onUserLeft(fn: (userId: string) => void): void;
  /** Called for every session added and removed (after the per-user hooks on arrival, before them on leaving). */
  onSessionAdded(fn: (session: Session) => void): void;
  onSessionRemoved(fn: (session: Session) => void): void;
}

/** Control characters out, trimmed, at most MAX_RESOURCE characters. */
function cleanResource(r: string): string {
  // eslint-disable-next-line no-control-regex
  return [...r.replace(/[\u0000-\u001f\u007f]/g, ' ').trim()].slice(0, MAX_RESOURCE).join('');
}

export function createSessionRegistry(): SessionRegistry {
  const byUser = new Map<string, Session[]>();
  const byConn = new Map<string, Session>();
  const arrived: ((userId: string) => void)[] = [];
  const left: ((userId: string) => void)[] = [];
  const added: ((s: Session) => void)[] = [];
  const removed: ((s: Session) => void)[] = [];
  let total = 0;

  /** The proposed name when free among `others`, else the name with a suffix that is. */
  function settle(session: Session, others: readonly Session[]): void {
    const taken = new Set(others.map((o) => o.resource));
    const base = cleanResource(session.resource) || `${session.door}-${newId().slice(-8)}`;
    let r = base;
    for (let n = 2; taken.has(r); n++) r = `${[...base].slice(0, MAX_RESOURCE - 8).join('')}-${n}`;
    session.resource = r;
  }

  return {
    add(session) {
      const list = byUser.get(session.userId);
      if (list?.includes(session)) return;
      settle(session, list ?? []);
      byConn.set(session.connectionId, session);
      if (list) list.push(session);
      else {
        byUser.set(session.userId, [session]);
        for (const fn of arrived) fn(session.userId);
      }
      total++;
      for (const fn of added) fn(session);
    },
    remove(session) {
      const list = byUser.get(session.userId);
      if (!list) return;
      const i = list.indexOf(session);
      if (i < 0) return;
      list.splice(i, 1);
      if (byConn.get(session.connectionId) === session) byConn.delete(session.connectionId);
      total--;
      for (const fn of removed) fn(session);
      if (list.length === 0) {
        byUser.delete(session.userId);
        for (const fn of left) fn(session.userId);
      }
    },
    of(userId) {
      return byUser.get(userId) ?? [];
    },
    byConnection: (connectionId) => byConn.get(connectionId),
    byResource: (userId, resource) => byUser.get(userId)?.find((s) => s.resource === resource),
    *all() {
      for (const list of byUser.values()) yield* list;
    },
    count() {
      return total;
    },
    onUserArrived(fn) {
      arrived.push(fn);
    },
    onUserLeft(fn) {
      left.push(fn);
    },
    onSessionAdded(fn) {
      added.push(fn);
    },
    onSessionRemoved(fn) {
      removed.push(fn);
    },
  };
}
