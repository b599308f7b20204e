import { isParleyError, ParleyError } from '../errors.js';
import { dmConversationId, HISTORY_MAX } from '../messages/service.js';
import type { DirectMessage, RoomMessage } from '../events.js';
import { directMessage, roomMessage } from '../messages/domain.js';
import type { StoredMessage } from '../messages/store.js';
import type { NameDirectory } from '../records.js';
import { roomReader } from '../rooms/access.js';
import type { RoomStore } from '../rooms/store.js';
import {
  afterPoint,
  type Anchor,
  beforePoint,
  centre,
  comparePoints,
  fromPoint,
  type Point,
  type Selector,
} from './positions.js';
import type { ActiveConversation, Bound, HistoryStore } from './store.js';

export type { Anchor, Selector } from './positions.js';

/** A conversation as any door names it: the other person, as seen by the asker, or a room. */
export type Conversation = { kind: 'direct'; peerId: string } | { kind: 'room'; roomId: string };

/** One conversation as one user may read it (access already checked). */
export interface Scope {
  conversationId: string;
  viewerId: string;
  /** The first seq the viewer may read (rooms: `readsFrom`). */
  fromSeq: number;
}

export interface HistoryPage {
  conversationId: string;
  /** Oldest first. Deleted messages are tombstones; hidden ones are left out. */
  messages: StoredMessage[];
  /**
   * More messages lie beyond the page in the direction read (older for
   * `latest` and `before`, newer for `after`, towards `to` for `between`,
   * on either side for `around`): page on from the first or last message.
   */
  more: boolean;
}

export interface Located {
  conversation: Conversation;
  conversationId: string;
  seq: number;
  at: number;
}

export interface Target {
  conversation: Conversation;
  conversationId: string;
  /** When its latest message in the window was created. */
  lastAt: number;
}

export const TARGETS_MAX = 100;

/** Reading inside a scope whose access is already checked: core's own services use it. */
export interface HistoryReader {
  read(scope: Scope, selector: Selector, limit: number): Promise<HistoryPage>;
  /** The message an anchor by id names, if the scope can see it. */
  message(scope: Scope, id: string): Promise<StoredMessage | undefined>;
}

/** A page as doors get it: domain messages, people named as they are now. */
export interface MessagePage {
  conversationId: string;
  /** Oldest first; a room's messages are RoomMessages (with `room` and `mentions`). */
  messages: (DirectMessage | RoomMessage)[];
  more: boolean;
}

/**
 * A query of a user's archive of direct messages (XEP-0313 MAM maps onto it):
 * every bound optional and combined, anchors by message id.
 */
export interface ArchiveQuery {
  /** Only the direct conversation with this username. */
  with?: string;
  /** Only messages after (before) this one in the archive, exclusive. */
  afterId?: string;
  beforeId?: string;
  /** Only messages created at or after (before) this time, ms. */
  start?: number;
  end?: number;
  /** `start`: the oldest of the range (paging forward); `end`: the newest (paging back). */
  from: 'start' | 'end';
  limit: number;
}

export interface ArchivePage {
  /** Oldest first; never deleted or hidden messages. */
  messages: DirectMessage[];
  /** More messages lie beyond the page in the direction read. */
  more: boolean;
}

export const ARCHIVE_IDS_MAX = 100;

/** History by position, id and time over direct conversations and rooms alike (what doors call). */
export interface HistoryService {
  read(
    userId: string,
    conversation: Conversation,
    selector: Selector,
    limit: number,
  ): Promise<MessagePage>;
  /**
   * Conversations (direct and rooms) with messages strictly between two times,
   * each with its latest message's time; read from `from` towards `to` like
   * `between` (the earliest active first when `from` is the earlier), returned
   * oldest first.
   */
  targets(userId: string, from: number, to: number, limit: number): Promise<Target[]>;
  /** Where a message is, for this user: undefined when there is none they may see. */
  lookup(userId: string, messageId: string): Promise<Located | undefined>;
  /** The position a marker set "up to this message" moves to (not-found if it is not theirs to see). */
  markerSeq(userId: string, conversation: Conversation, messageId: string): Promise<number>;
  /**
   * The user's direct messages as an archive: one conversation in its order, or
   * all of them in the order the user heard of each (their log). An anchor id
   * that is not in the archive is not-found.
   */
  archive(userId: string, q: ArchiveQuery): Promise<ArchivePage>;
  /** Messages of the archive by id (those not in it left out), in time order. */
  archiveByIds(userId: string, ids: readonly string[], withUser?: string): Promise<DirectMessage[]>;
}

function whole(v: number, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new ParleyError('bad-request', `${field} must be a whole number from ${min} to ${max}`, {
      field,
    });
  return v;
}

function checkAnchor(a: Anchor, field: string): Anchor {
  if ('id' in a) {
    if (typeof a.id !== 'string' || a.id.length === 0 || a.id.length > 64 || a.id.includes('\0'))
      throw new ParleyError('bad-request', `${field} must name a message id`, { field });
  } else if ('seq' in a) whole(a.seq, field, 0);
  else whole(a.at, field, 0);
  return a;
}

/** Newest first from the store: the page oldest first, `more` when a row was left over. */
function backwardPage<T>(rows: T[], limit: number) {
  return { list: rows.slice(0, limit).reverse(), more: rows.length > limit };
}
function forwardPage<T>(rows: T[], limit: number) {
  return { list: rows.slice(0, limit), more: rows.length > limit };
}

/** A sender sees their own messages; anyone else only those that reached them. */
const visibleTo = (m: StoredMessage, viewerId: string) =>
  m.senderId === viewerId || m.visibleToRecipient;

export function createHistoryReader(store: HistoryStore): HistoryReader {
  async function message(scope: Scope, id: string): Promise<StoredMessage | undefined> {
    const m = await store.message(id);
    if (!m || m.conversationId !== scope.conversationId) return undefined;
    if (!visibleTo(m, scope.viewerId) || m.seq < scope.fromSeq) return undefined;
    return m;
  }

  async function point(scope: Scope, a: Anchor, field: string): Promise<Point> {
    checkAnchor(a, field);
    if ('seq' in a) return { seq: a.seq };
    if ('at' in a) return { at: a.at };
    const m = await message(scope, a.id);
    if (!m) throw new ParleyError('not-found', 'no such message in this conversation', { field });
    return { seq: m.seq, at: m.createdAt };
  }

  const range = (
    scope: Scope,
    bounds: { after?: Bound; before?: Bound },
    order: 'asc' | 'desc',
    limit: number,
  ) => store.range({ ...scope, ...bounds, order, limit });

  const backward = backwardPage<StoredMessage>;
  const forward = forwardPage<StoredMessage>;

  return {
    message,
    async read(scope, selector, limit) {
      whole(limit, 'limit', 1, HISTORY_MAX);
      const page = async (): Promise<{ list: StoredMessage[]; more: boolean }> => {
        switch (selector.kind) {
          case 'latest': {
            const after = selector.after && afterPoint(await point(scope, selector.after, 'after'));
            return backward(await range(scope, after ? { after } : {}, 'desc', limit + 1), limit);
          }
          case 'before': {
            const p = await point(scope, selector.anchor, 'anchor');
            return backward(
              await range(scope, { before: beforePoint(p) }, 'desc', limit + 1),
              limit,
            );
          }
          case 'after': {
            const p = await point(scope, selector.anchor, 'anchor');
            return forward(await range(scope, { after: afterPoint(p) }, 'asc', limit + 1), limit);
          }
          case 'around': {
            const p = await point(scope, selector.anchor, 'anchor');
            const [older, newer] = await Promise.all([
              range(scope, { before: beforePoint(p) }, 'desc', limit + 1),
              range(scope, { after: fromPoint(p) }, 'asc', limit + 1),
            ]);
            return centre(older, newer, limit);
          }
          case 'between': {
            const from = await point(scope, selector.from, 'from');
            const to = await point(scope, selector.to, 'to');
            const order = comparePoints(from, to);
            if (order === undefined)
              throw new ParleyError(
                'bad-request',
                'a position and a time cannot be ordered: give two positions, two times or a message id',
                { field: 'to' },
              );
            if (order === 0) return { list: [], more: false };
            return order < 0
              ? forward(
                  await range(
                    scope,
                    { after: afterPoint(from), before: beforePoint(to) },
                    'asc',
                    limit + 1,
                  ),
                  limit,
                )
              : backward(
                  await range(
                    scope,
                    { after: afterPoint(to), before: beforePoint(from) },
                    'desc',
                    limit + 1,
                  ),
                  limit,
                );
          }
        }
      };
      const { list, more } = await page();
      return { conversationId: scope.conversationId, messages: list, more };
    },
  };
}

export function createHistoryService(deps: {
  store: HistoryStore;
  rooms: Pick<RoomStore, 'byId' | 'member' | 'ban' | 'mentionsOf'>;
  users: Pick<NameDirectory, 'usernames'> & {
    byUsername(username: string): Promise<{ id: string } | undefined>;
  };
  reader?: HistoryReader;
  now?: () => number;
}): HistoryService {
  const now = deps.now ?? Date.now;
  const reader = deps.reader ?? createHistoryReader(deps.store);

  /** The scope `userId` may read `c` in; throws not-found / forbidden as the native ops do. */
  async function scopeOf(userId: string, c: Conversation): Promise<Scope> {
    if (c.kind === 'direct') {
      if (c.peerId === userId)
        throw new ParleyError('bad-request', 'there is no conversation with yourself');
      return { conversationId: dmConversationId(userId, c.peerId), viewerId: userId, fromSeq: 0 };
    }
    const room = await deps.rooms.byId(c.roomId);
    if (!room) throw new ParleyError('not-found', 'no such room', { field: 'room' });
    const { from } = await roomReader(deps.rooms, room, userId, now());
    return { conversationId: `room:${room.id}`, viewerId: userId, fromSeq: from };
  }

  /** The direct conversation with `username`, as the archive names it. */
  async function peerConversation(userId: string, username: string): Promise<string> {
    if (username.length > 64 || username.includes('\0'))
      throw new ParleyError('bad-request', 'with must be a username', { field: 'with' });
    const other = await deps.users.byUsername(username.toLowerCase());
    if (!other) throw new ParleyError('not-found', 'no such user', { field: 'with' });
    if (other.id === userId)
      throw new ParleyError('bad-request', 'there is no conversation with yourself', {
        field: 'with',
      });
    return dmConversationId(userId, other.id);
  }

  async function named(rows: StoredMessage[]): Promise<DirectMessage[]> {
    const ids = new Set<string>();
    for (const m of rows) ids.add(m.senderId).add(m.recipientId);
    const names = await deps.users.usernames([...ids]);
    return rows.map((m) => directMessage(m, names));
  }

  return {
    async archive(userId, q) {
      whole(q.limit, 'limit', 1, HISTORY_MAX);
      if (q.start !== undefined) whole(q.start, 'start', 0);
      if (q.end !== undefined) whole(q.end, 'end', 0);
      const conversationId =
        q.with !== undefined ? await peerConversation(userId, q.with) : undefined;
      const position = async (id: string | undefined, field: string) => {
        if (id === undefined) return undefined;
        checkAnchor({ id }, field);
        const pos = await deps.store.archivePosition(userId, id, conversationId);
        if (pos === undefined)
          throw new ParleyError('not-found', 'no such message in this archive', { field });
        return pos;
      };
      const afterPos = await position(q.afterId, 'afterId');
      const beforePos = await position(q.beforeId, 'beforeId');
      const rows = await deps.store.archive({
        viewerId: userId,
        ...(conversationId !== undefined ? { conversationId } : {}),
        ...(afterPos !== undefined ? { afterPos } : {}),
        ...(beforePos !== undefined ? { beforePos } : {}),
        ...(q.start !== undefined ? { start: q.start } : {}),
        ...(q.end !== undefined ? { end: q.end } : {}),
        order: q.from === 'start' ? 'asc' : 'desc',
        limit: q.limit + 1,
      });
      const { list, more } =
        q.from === 'start' ? forwardPage(rows, q.limit) : backwardPage(rows, q.limit);
      return { messages: await named(list), more };
    },

    async archiveByIds(userId, ids, withUser) {
      if (ids.length > ARCHIVE_IDS_MAX)
        throw new ParleyError('bad-request', `at most ${ARCHIVE_IDS_MAX} ids`, { field: 'ids' });
      const conversationId =
        withUser !== undefined ? await peerConversation(userId, withUser) : undefined;
      const found: StoredMessage[] = [];
      for (const id of new Set(ids)) {
        checkAnchor({ id }, 'ids');
        const m = await deps.store.message(id);
        if (!m || m.deletedAt !== null || !m.conversationId.startsWith('dm:')) continue;
        if (conversationId !== undefined && m.conversationId !== conversationId) continue;
        const mine = m.senderId === userId || (m.recipientId === userId && m.visibleToRecipient);
        if (mine) found.push(m);
      }
      found.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return named(found);
    },

    async read(userId, conversation, selector, limit) {
      const page = await reader.read(await scopeOf(userId, conversation), selector, limit);
      const ids = new Set<string>();
      for (const m of page.messages) ids.add(m.senderId).add(m.recipientId);
      const names = await deps.users.usernames([...ids]);
      let messages: (DirectMessage | RoomMessage)[];
      if (conversation.kind === 'direct')
        messages = page.messages.map((m) => directMessage(m, names));
      else {
        const room = await deps.rooms.byId(conversation.roomId);
        const ref = { id: conversation.roomId, name: room?.name ?? '' };
        const mentions = await deps.rooms.mentionsOf(page.messages.map((m) => m.id));
        messages = page.messages.map((m) => roomMessage(m, ref, names, mentions.get(m.id) ?? []));
      }
      return { conversationId: page.conversationId, messages, more: page.more };
    },

    async targets(userId, from, to, limit) {
      whole(from, 'from', 0);
      whole(to, 'to', 0);
      whole(limit, 'limit', 1, TARGETS_MAX);
      if (from === to) return [];
      const order = from < to ? 'asc' : 'desc';
      const q = {
        userId,
        after: Math.min(from, to),
        before: Math.max(from, to),
        order,
        limit,
      } as const;
      const [direct, rooms] = await Promise.all([
        deps.store.activeDirect(q),
        deps.store.activeRooms(q),
      ]);
      const key = (t: ActiveConversation) => [t.lastAt, t.conversationId] as const;
      const cmp = (a: ActiveConversation, b: ActiveConversation) => {
        const [x, y] = [key(a), key(b)];
        return x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0);
      };
      const chosen = [...direct, ...rooms]
        .sort(order === 'asc' ? cmp : (a, b) => cmp(b, a))
        .slice(0, limit)
        .sort(cmp);
      return chosen.map((t) => ({
        conversation: t.conversationId.startsWith('room:')
          ? { kind: 'room', roomId: t.peerId }
          : { kind: 'direct', peerId: t.peerId },
        conversationId: t.conversationId,
        lastAt: t.lastAt,
      }));
    },

    async lookup(userId, messageId) {
      checkAnchor({ id: messageId }, 'id');
      const m = await deps.store.message(messageId);
      if (!m) return undefined;
      const at = { conversationId: m.conversationId, seq: m.seq, at: m.createdAt };
      if (!m.conversationId.startsWith('room:')) {
        const mine = m.senderId === userId || (m.recipientId === userId && m.visibleToRecipient);
        if (!mine) return undefined;
        const peerId = m.senderId === userId ? m.recipientId : m.senderId;
        return { conversation: { kind: 'direct', peerId }, ...at };
      }
      const room = await deps.rooms.byId(m.recipientId);
      if (!room) return undefined;
      // Not allowed to read the room is not there, for this user.
      const from = await roomReader(deps.rooms, room, userId, now()).then(
        (r) => r.from,
        (e: unknown) => {
          if (isParleyError(e) && e.condition === 'forbidden') return undefined;
          throw e;
        },
      );
      if (from === undefined || m.seq < from) return undefined;
      return { conversation: { kind: 'room', roomId: room.id }, ...at };
    },

    async markerSeq(userId, conversation, messageId) {
      checkAnchor({ id: messageId }, 'id');
      const m = await reader.message(await scopeOf(userId, conversation), messageId);
      if (!m)
        throw new ParleyError('not-found', 'no such message in this conversation', { field: 'id' });
      return m.seq;
    },
  };
}
