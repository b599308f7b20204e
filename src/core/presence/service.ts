import { ParleyError } from '../errors.js';
import {
  except,
  type MessageRoute,
  type PresenceEvent,
  type PresenceResourceEvent,
} from '../events.js';
import { type Hooks, NO_HOOKS } from '../hooks.js';
import type { Router } from '../router.js';
import { type Session, type SessionRegistry, sessionKey } from '../sessions.js';
import {
  type Choice,
  DEFAULT_CHOICE,
  type NodePresence,
  type PresenceStore,
  type SessionPresence,
  type Show,
} from './store.js';

/** What a session may set. `invisible`: connected, but looks offline to everyone else. */
export type SessionShow = Show | 'invisible';

export const SHOWS: readonly SessionShow[] = ['available', 'away', 'dnd', 'xa', 'invisible'];
export const MAX_STATUS = 200;
/** XMPP's range for a resource's priority (RFC 6121 4.7.2.3). */
export const PRIORITY_RANGE = [-128, 127] as const;

/** "Most available" first: someone at a desk on do-not-disturb is more reachable than someone away. */
const RANK: Record<Show, number> = { available: 0, dnd: 1, away: 2, xa: 3 };

/** A user's presence as others see it (docs/protocol.md, "Presence"). */
export interface PresenceInfo {
  userId: string;
  username: string;
  show: Show | 'offline';
  status: string;
  /** When this state began (ms). */
  since: number;
  /** When the server worked this out (ms): of two events about someone, keep the later `at`. */
  at: number;
  /** When they were last online, if offline and they allow it; else null. */
  lastSeen: number | null;
}

export interface PresenceService {
  /**
   * Sets one session's presence; answers with the user's resulting presence.
   * `priority` (XMPP, -128..127) is kept when left out. The session stops
   * following the account's chosen status, which still caps it (`choose`).
   */
  set(session: Session, show: string, status?: string, priority?: number): Promise<PresenceInfo>;
  /**
   * Chooses the account's status, kept in the store: every session that has not set
   * its own (`set`) shows it, and it caps every session's show (none looks more
   * available than the choice; `invisible` hides them all). The user's sessions get
   * `presence.chosen` (but `exceptSession`), the watchers the resulting presence.
   */
  choose(
    userId: string,
    show: string,
    status?: string,
    exceptSession?: string,
  ): Promise<{ chosen: Choice; presence: PresenceInfo }>;
  /** The account's chosen status (the default: available, no text). */
  chosen(userId: string): Promise<Choice>;
  /** Puts a session back to following the account's choice (IRC `AWAY` without text). */
  follow(session: Session): Promise<PresenceInfo>;
  /**
   * Each visible session of `userId` (resource, show, status, priority, key), for
   * doors that show presence per resource (XMPP). Empty unless `viewerId` may see
   * the user's presence (a watcher, by the same rules as the aggregate) or is the
   * user; invisible sessions are never listed. The aggregate is unchanged by it.
   */
  resources(viewerId: string, userId: string): Promise<SessionPresence[]>;
  /**
   * Directed presence (RFC 6121 4.6): tells `to` (a username) this session's
   * presence, or with `available` false that it is gone, as a
   * `presence.resource` event marked `directed`, whether or not `to` watches
   * the user; never to someone who blocked the user. Resolves with the
   * recipient's id (to tell them `available: false` later), undefined for no one.
   */
  direct(
    session: Session,
    to: string,
    available: boolean,
    addressed?: { route?: MessageRoute; id?: string },
  ): Promise<string | undefined>;
  /** The presence of everyone whose presence `userId` may see. */
  snapshot(userId: string): Promise<PresenceInfo[]>;
  /** Re-tells `watcherId` about `targetId` after their consent or a block changed. */
  accessChanged(watcherId: string, targetId: string): Promise<void>;
  showLastSeen(userId: string): Promise<boolean>;
  setShowLastSeen(userId: string, show: boolean): Promise<void>;
  /**
   * True when the user has a session on this node, or visible presence on any
   * live node (a session that is invisible on another node is not seen).
   */
  online(userId: string): Promise<boolean>;
  /**
   * Re-reads the presence of everyone the users connected here watch and sends
   * each of their sessions a fresh `presence.snapshot` (after a bus outage, the
   * changes other nodes told meanwhile were lost; the store has them). Resolves
   * with the number of users re-told.
   */
  refresh(): Promise<number>;
  /** Resolves once the presence work queued for `userId` so far is done (before deleting a guest). */
  settled(userId: string): Promise<void>;
  /** A guest held in memory (`held`) was just stored: its presence is written and told now. */
  stored(userId: string): Promise<void>;
  /** Writes the node's heartbeat; call before serving. */
  start(): Promise<void>;
  /** Waits for pending work and forgets this node's rows. */
  stop(): Promise<void>;
}

interface Local {
  userId: string;
  show: SessionShow;
  status: string;
  at: number;
  priority: number;
  /**
   * Shows the account's choice: counted as `available` with no text here, and the
   * choice, applied on every read (`capped`), makes it the choice. So a node never
   * needs to hear of another node's choose: the store has it.
   */
  follows: boolean;
}

/**
 * What a session (or a node's aggregate) shows under the account's choice: never
 * more available than the choice, hidden when it is `invisible`. The choice's text
 * wins when it has one, or when it lowered the show; its time counts as a change.
 */
export function capped<T extends { show: Show; status: string; since: number }>(
  p: T,
  c: Choice,
): T | undefined {
  if (c.show === 'invisible') return undefined;
  if (c.at === 0 || RANK[p.show] > RANK[c.show]) return p;
  const lowered = RANK[c.show] > RANK[p.show];
  return {
    ...p,
    show: c.show,
    status: c.status || (lowered ? '' : p.status),
    since: Math.max(p.since, c.at),
  };
}

/** Status text as every door's input becomes it: no control characters, trimmed, bounded. */
function cleanStatus(status: string | undefined): string {
  if (status === undefined) return '';
  // eslint-disable-next-line no-control-regex
  const text = status.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  if ([...text].length > MAX_STATUS)
    throw new ParleyError('bad-request', `status must be at most ${MAX_STATUS} characters`, {
      field: 'status',
    });
  return text;
}

function checkShow(show: string): asserts show is SessionShow {
  if (!SHOWS.includes(show as SessionShow))
    throw new ParleyError('bad-request', `show must be one of ${SHOWS.join(', ')}`, {
      field: 'show',
    });
}

export function best<T extends { show: Show; since: number }>(list: readonly T[]): T | undefined {
  let top: T | undefined;
  for (const p of list) {
    if (
      !top ||
      RANK[p.show] < RANK[top.show] ||
      (RANK[p.show] === RANK[top.show] && p.since > top.since)
    )
      top = p;
  }
  return top;
}

export function createPresenceService(deps: {
  nodeId: string;
  store: PresenceStore;
  router: Router;
  sessions: SessionRegistry;
  usernameOf: (userId: string) => Promise<string | undefined>;
  heartbeatSeconds: number;
  nodeTimeoutSeconds: number;
  onError: (err: unknown) => void;
  hooks?: Hooks;
  /**
   * Guests held in memory (core/accounts/guests.ts): no watchers, no choice, no
   * rows, so nothing is read or written for them until they are stored (`stored`).
   */
  held?: (userId: string) => boolean;
  /** For directed presence: who a username is, and blocks. */
  directory?: {
    byUsername(username: string): Promise<{ id: string } | undefined>;
    isBlocked(ownerId: string, otherId: string): Promise<boolean>;
  };
  now?: () => number;
}): PresenceService {
  const { nodeId, store, router, sessions } = deps;
  const hooks = deps.hooks ?? NO_HOOKS;
  // What 'presence.changed' last said per user this node shows online, so a second tab
  // (which re-tells watchers the same state) is no change. Bounded by those users.
  const hookSaid = new Map<string, string>();
  const now = deps.now ?? Date.now;
  const local = new Map<string, Local>(); // by connection id
  // This node's last aggregate per user, so `since` stays put while nothing changes.
  const nodeAgg = new Map<string, { show: Show; status: string; since: number }>();
  // Users this node last told watchers were online; only they are told when going offline,
  // so an invisible user's comings and goings show nothing (and move no last-seen time).
  const shownOnline = new Set<string>();
  const chains = new Map<string, Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const aliveSince = () => now() - deps.nodeTimeoutSeconds * 1000;

  /** One update at a time per user on this node, in order. */
  function serial<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const prev = chains.get(userId) ?? Promise.resolve();
    const next = prev.then(work, work);
    const tail = next.catch(deps.onError);
    chains.set(userId, tail);
    void tail.then(() => {
      if (chains.get(userId) === tail) chains.delete(userId);
    });
    return next;
  }

  function localAggregate(
    userId: string,
  ): { show: Show; status: string; since: number; resources: SessionPresence[] } | null {
    const mine: SessionPresence[] = [];
    for (const s of sessions.of(userId)) {
      const l = local.get(s.connectionId);
      if (l && (l.follows || l.show !== 'invisible'))
        mine.push({
          sessionKey: sessionKey(nodeId, s.connectionId),
          resource: s.resource,
          show: l.follows ? 'available' : (l.show as Show),
          status: l.follows ? '' : l.status,
          priority: l.priority,
          since: l.at,
        });
    }
    const top = best(mine);
    const prev = nodeAgg.get(userId);
    if (!top) {
      nodeAgg.delete(userId);
      return null;
    }
    const agg =
      prev && prev.show === top.show && prev.status === top.status
        ? prev
        : { show: top.show, status: top.status, since: now() };
    nodeAgg.set(userId, agg);
    return { ...agg, resources: mine };
  }

  /** The users who show online, each as their best node under their choice. */
  async function globalOf(userIds: readonly string[]): Promise<Map<string, NodePresence>> {
    const rows = await store.presenceOf(userIds, aliveSince());
    const byUser = new Map<string, NodePresence[]>();
    for (const r of rows) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r]);
    const choices = byUser.size ? await store.choicesOf([...byUser.keys()]) : new Map();
    const out = new Map<string, NodePresence>();
    for (const [u, list] of byUser) {
      const shown = capped(best(list)!, choices.get(u) ?? DEFAULT_CHOICE);
      if (shown) out.set(u, shown);
    }
    return out;
  }

  /** `known`: the user's presence over all nodes when the caller has just read it. */
  async function infoOf(
    userId: string,
    username: string,
    known?: Map<string, NodePresence>,
  ): Promise<PresenceInfo> {
    const g = (known ?? (await globalOf([userId]))).get(userId);
    if (g)
      return {
        userId,
        username,
        show: g.show,
        status: g.status,
        since: g.since,
        lastSeen: null,
        at: now(),
      };
    const seen = (await store.lastSeen([userId])).get(userId) ?? null;
    return {
      userId,
      username,
      show: 'offline',
      status: '',
      since: seen ?? now(),
      lastSeen: seen,
      at: now(),
    };
  }

  /**
   * Recomputes the user's presence over all nodes and tells their watchers. Going
   * offline is told only by a node that had shown them online, or by the node
   * that swept a dead node's rows (`swept`).
   */
  async function broadcast(userId: string, swept = false): Promise<PresenceInfo | undefined> {
    const username = await deps.usernameOf(userId);
    if (!username) return undefined;
    const global = await globalOf([userId]);
    const online = global.has(userId);
    if (!online) {
      const wasShown = shownOnline.delete(userId);
      if (!wasShown && !swept) return infoOf(userId, username, global);
      await store.setLastSeen(userId, now());
    } else if (sessions.of(userId).length) shownOnline.add(userId);
    // Online, the read above is the answer (one read, not two); offline, the last-seen
    // time just written is read back.
    const info = await infoOf(userId, username, online ? global : undefined);
    const ev: PresenceEvent = { name: 'presence', ...info };
    for (const w of await store.watchersOf(userId)) router.deliver(w, ev);
    presenceHook(info);
    // Only users with a session here are remembered (the map stays bounded by them).
    if (!sessions.of(userId).length) hookSaid.delete(userId);
    return info;
  }

  function presenceHook(info: PresenceInfo): void {
    const said = `${info.show}\u0000${info.status}\u0000${info.since}`;
    if (info.show === 'offline') hookSaid.delete(info.userId);
    else if (hookSaid.get(info.userId) === said) return;
    else hookSaid.set(info.userId, said);
    const { userId, show, status, since, at } = info;
    hooks.emit('presence.changed', { userId, show, status, since, at });
  }

  /** A held guest's presence, from this node's sessions alone (no one else can see it). */
  async function heldInfo(userId: string): Promise<PresenceInfo | undefined> {
    const agg = localAggregate(userId);
    const username = await deps.usernameOf(userId);
    if (!username) return undefined;
    const at = now();
    return agg
      ? {
          userId,
          username,
          show: agg.show,
          status: agg.status,
          since: agg.since,
          lastSeen: null,
          at,
        }
      : { userId, username, show: 'offline', status: '', since: at, lastSeen: null, at };
  }

  function update(userId: string, changed?: Session): Promise<PresenceInfo | undefined> {
    return serial(userId, async () => {
      if (deps.held?.(userId)) return heldInfo(userId);
      await store.setNodePresence(userId, nodeId, localAggregate(userId));
      const info = await broadcast(userId);
      if (changed) await tellResource(changed);
      return info;
    });
  }

  // Sessions whose presence.resource said they were visible: only they are told gone,
  // so an invisible session's comings and goings show nothing.
  const resourceShown = new Set<string>();

  /** One session's presence as its watchers see it: under the account's chosen status. */
  async function resourceEvent(s: Session, username: string): Promise<PresenceResourceEvent> {
    const l = local.get(s.connectionId);
    const choice = (await store.choicesOf([s.userId])).get(s.userId) ?? DEFAULT_CHOICE;
    const shown =
      l !== undefined && l.show !== 'invisible'
        ? capped({ show: l.show as Show, status: l.status, since: l.at }, choice)
        : undefined;
    return {
      name: 'presence.resource',
      userId: s.userId,
      username,
      resource: s.resource,
      show: shown ? shown.show : 'offline',
      status: shown ? shown.status : '',
      priority: l?.priority ?? 0,
      at: shown ? shown.since : now(),
    };
  }

  /** One session's presence to the user's watchers and the user's other sessions. */
  async function tellResource(s: Session): Promise<void> {
    const username = await deps.usernameOf(s.userId);
    if (!username) return;
    const ev = await resourceEvent(s, username);
    if (ev.show !== 'offline') resourceShown.add(s.connectionId);
    else if (!resourceShown.delete(s.connectionId)) return;
    for (const w of await store.watchersOf(s.userId)) router.deliver(w, ev);
    router.deliver(s.userId, except(ev, s.connectionId));
  }

  sessions.onSessionAdded((s) => {
    // A new connection of someone whose connections here are all invisible stays invisible,
    // so signing in on another tab does not flash them online.
    const others = sessions
      .of(s.userId)
      .filter((o) => o !== s)
      .map((o) => local.get(o.connectionId));
    const hidden = others.length > 0 && others.every((l) => l?.show === 'invisible');
    local.set(s.connectionId, {
      userId: s.userId,
      show: hidden ? 'invisible' : 'available',
      status: '',
      at: now(),
      priority: 0,
      follows: !hidden,
    });
    if (deps.held?.(s.userId)) return;
    void update(s.userId, s).catch(() => {}); // serial() has logged it
    void serial(s.userId, async () => {
      // Every device starts from the account's choice (restored on each reconnect); one
      // who never chose has the default, which a client starts with anyway.
      const choice = (await store.choicesOf([s.userId])).get(s.userId);
      if (choice) s.send({ name: 'presence.chosen', ...choice });
      const contacts = await snapshot(s.userId);
      if (contacts.length) s.send({ name: 'presence.snapshot', contacts });
    }).catch(() => {});
  });
  sessions.onSessionRemoved((s) => {
    local.delete(s.connectionId);
    if (deps.held?.(s.userId)) return;
    void update(s.userId, s).catch(() => {});
  });

  async function snapshot(userId: string): Promise<PresenceInfo[]> {
    const watched = await store.watchedBy(userId);
    const ids = watched.map((w) => w.userId);
    const online = await globalOf(ids);
    const seen = await store.lastSeen(ids.filter((id) => !online.has(id)));
    return watched.map((w) => {
      const g = online.get(w.userId);
      const at = now();
      if (g)
        return {
          userId: w.userId,
          username: w.username,
          show: g.show,
          status: g.status,
          since: g.since,
          lastSeen: null,
          at,
        };
      const ls = seen.get(w.userId) ?? null;
      return {
        userId: w.userId,
        username: w.username,
        show: 'offline' as const,
        status: '',
        since: ls ?? 0,
        lastSeen: ls,
        at,
      };
    });
  }

  async function sweep(): Promise<void> {
    for (const userId of await store.sweepDeadNodes(aliveSince()))
      await serial(userId, () => broadcast(userId, true));
  }

  let started = false;
  async function tick(): Promise<void> {
    const existed = await store.heartbeat(nodeId, now());
    // Swept while stalled (a long pause, a database hiccup): put our users back.
    if (started && !existed)
      for (const userId of [...nodeAgg.keys()]) await update(userId).catch(() => {});
    await sweep();
  }

  return {
    async set(session, show, status, priority) {
      if (
        priority !== undefined &&
        (!Number.isInteger(priority) ||
          priority < PRIORITY_RANGE[0] ||
          priority > PRIORITY_RANGE[1])
      )
        throw new ParleyError('bad-request', 'priority must be a whole number from -128 to 127', {
          field: 'priority',
        });
      checkShow(show);
      const text = cleanStatus(status);
      const l = local.get(session.connectionId);
      if (!l) throw new ParleyError('not-authenticated', 'this connection has no session');
      Object.assign(l, { show, status: text, at: now(), follows: false });
      if (priority !== undefined) l.priority = priority;
      const info = await update(session.userId, session);
      if (!info) throw new ParleyError('not-found', 'no such user');
      return info;
    },

    async choose(userId, show, status, exceptSession) {
      checkShow(show);
      const chosen: Choice = { show, status: cleanStatus(status), at: now() };
      return serial(userId, async () => {
        // Shown online before: hiding now must tell the watchers, whichever node did.
        const wasOnline = (await globalOf([userId])).has(userId);
        await store.setChoice(userId, chosen);
        router.deliver(userId, {
          name: 'presence.chosen',
          ...chosen,
          ...(exceptSession ? { exceptSession } : {}),
        });
        const presence = await broadcast(userId, wasOnline);
        if (!presence) throw new ParleyError('not-found', 'no such user');
        // Each session here is shown per resource (XMPP) under the new choice too.
        for (const s of sessions.of(userId)) await tellResource(s);
        return { chosen, presence };
      });
    },

    async chosen(userId) {
      return (await store.choicesOf([userId])).get(userId) ?? DEFAULT_CHOICE;
    },

    async follow(session) {
      const l = local.get(session.connectionId);
      if (!l) throw new ParleyError('not-authenticated', 'this connection has no session');
      Object.assign(l, { show: 'available', status: '', at: now(), follows: true });
      const info = await update(session.userId);
      if (!info) throw new ParleyError('not-found', 'no such user');
      return info;
    },

    snapshot,
    async direct(session, to, available, addressed) {
      const dir = deps.directory;
      if (!dir) throw new ParleyError('unavailable', 'directed presence is not set up');
      if (to.length > 64) return undefined;
      const target = await dir.byUsername(to.toLowerCase());
      if (!target || target.id === session.userId) return undefined;
      // Someone who blocked you never hears from you (and you are not told).
      if (await dir.isBlocked(target.id, session.userId)) return undefined;
      const username = await deps.usernameOf(session.userId);
      if (!username) return undefined;
      const ev = await resourceEvent(session, username);
      router.deliver(target.id, {
        ...ev,
        ...(available ? {} : { show: 'offline' as const, status: '' }),
        directed: true,
        ...(addressed?.route ? { route: addressed.route } : {}),
        ...(addressed?.id !== undefined && addressed.id.length <= 128 ? { id: addressed.id } : {}),
      });
      return target.id;
    },
    async online(userId) {
      if (sessions.of(userId).length) return true;
      return (await globalOf([userId])).has(userId);
    },
    async resources(viewerId, userId) {
      if (viewerId !== userId && !(await store.watchersOf(userId)).includes(viewerId)) return [];
      const list = await store.resourcesOf(userId, aliveSince());
      if (!list.length) return list;
      const choice = (await store.choicesOf([userId])).get(userId) ?? DEFAULT_CHOICE;
      return list.flatMap((r) => capped(r, choice) ?? []);
    },
    showLastSeen: (userId) => store.showLastSeen(userId),
    setShowLastSeen: (userId, show) => store.setShowLastSeen(userId, show),

    accessChanged(watcherId, targetId) {
      // In line with the target's own updates, so the watcher never gets an older state last.
      return serial(targetId, async () => {
        const username = await deps.usernameOf(targetId);
        if (!username) return;
        const canSee = (await store.watchersOf(targetId)).includes(watcherId);
        const info: PresenceInfo = canSee
          ? await infoOf(targetId, username)
          : {
              userId: targetId,
              username,
              show: 'offline',
              status: '',
              since: now(),
              lastSeen: null,
              at: now(),
            };
        router.deliver(watcherId, { name: 'presence', ...info });
      });
    },

    settled: (userId) => (chains.get(userId) ?? Promise.resolve()).then(() => undefined),

    async stored(userId) {
      await update(userId);
    },

    async refresh() {
      let told = 0;
      for (const userId of new Set([...sessions.all()].map((x) => x.userId))) {
        // In line with the user's own updates, like the snapshot a new session gets.
        await serial(userId, async () => {
          const list = sessions.of(userId);
          if (list.length === 0) return;
          const contacts = await snapshot(userId);
          if (!contacts.length) return;
          const ev = { name: 'presence.snapshot' as const, contacts };
          for (const s of sessions.of(userId)) s.send(ev);
          told++;
        }).catch(() => {}); // serial() has logged it
      }
      return told;
    },

    async start() {
      // Rows under this id now were left by an earlier run that did not stop cleanly
      // (this run has no sessions yet): mark that run dead so they are swept, and told.
      await store.heartbeat(nodeId, aliveSince() - 1);
      await sweep();
      await tick();
      started = true;
      const loop = () => {
        timer = setTimeout(() => {
          if (stopped) return;
          void tick()
            .catch(deps.onError)
            .finally(() => {
              if (!stopped) loop();
            });
        }, deps.heartbeatSeconds * 1000);
        timer.unref();
      };
      loop();
    },

    async stop() {
      stopped = true;
      clearTimeout(timer);
      while (chains.size) await Promise.all([...chains.values()]);
      await store.removeNode(nodeId);
    },
  };
}
