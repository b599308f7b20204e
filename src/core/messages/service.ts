import { ParleyError } from '../errors.js';
import type { HistoryReader } from '../history/service.js';
import type { Selector } from '../history/positions.js';
import {
  type DirectMessage,
  except,
  type LogEvent,
  type MessageChange,
  type MessageEvent,
  type MessageRoute,
  type RoomMessage,
} from '../events.js';
import type { Attachment } from '../files/types.js';
import { fillNames, type NameDirectory } from '../records.js';
import { directMessage, roomMessage } from './domain.js';
import { type Hooks, NO_HOOKS } from '../hooks.js';
import { newId } from '../ids.js';
import { createRateLimiter } from '../limits/rate.js';
import type { Router } from '../router.js';
import { cleanPhrase, matchingPhrase, MAX_FILTERS } from './filters.js';
import type { FilterStore, LogEntry, LogPayload, MessageStore, StoredMessage } from './store.js';

export const MAX_TEXT_BYTES = 16 * 1024;
// eslint-disable-next-line no-control-regex
const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f]/;
export const MAX_CLIENT_ID = 64;
export const MAX_EMOJI = 32;
export const HISTORY_MAX = 100;
export const SYNC_MAX = 500;
export const SEARCH_MAX_QUERY = 200;
export const SEARCH_MAX_LIMIT = 50;

export interface MessageUsers extends NameDirectory {
  byUsername(username: string): Promise<{ id: string; username: string } | undefined>;
  usernameOf(id: string): Promise<string | undefined>;
  /** True when `ownerId` blocked `otherId`. */
  isBlocked(ownerId: string, otherId: string): Promise<boolean>;
  /** A room's name by id (search results may be room messages). */
  roomName?(roomId: string): Promise<string | undefined>;
}

export interface SendResult {
  message: DirectMessage;
  /**
   * Your log position for this change (advance your cursor to it); null when the
   * request changed nothing (a repeated delete or reaction), so nothing was logged.
   */
  seq: number | null;
  duplicate: boolean;
}

export interface MessageService {
  send(
    userId: string,
    req: {
      to: string;
      clientId: string;
      text: string;
      replyTo?: string | null;
      /** Files the send claimed for it (core/files `attach`). */
      attachments?: Attachment[];
      /** Live only: the sessions it came from and went to (events.ts). */
      route?: MessageRoute;
    },
    connectionId?: string,
  ): Promise<SendResult>;
  /**
   * A message that is not stored (NoticeEvent, XMPP `headline`): the rules of a
   * message (text, guests, blocking, the rate), then told live to the recipient's
   * sessions that show notices, if any. Someone who blocked the sender, or whose
   * keyword filters match it, is not told (nor is the sender: a notice cannot wait).
   */
  notice(
    userId: string,
    req: { to: string; text: string; id?: string; route?: MessageRoute },
  ): Promise<void>;
  edit(userId: string, id: string, text: string, connectionId?: string): Promise<SendResult>;
  remove(userId: string, id: string, connectionId?: string): Promise<SendResult>;
  /** `on` (default true): add the reaction; false takes it back. */
  react(
    userId: string,
    id: string,
    emoji: string,
    on?: boolean,
    connectionId?: string,
  ): Promise<SendResult>;
  /**
   * The message of your conversation with `withUser` (a username) that `ref` names: its id,
   * or the client id its sender (you or them) gave it (XMPP clients name messages
   * by the id they were sent with). Undefined when there is none you may see.
   */
  find(userId: string, withUser: string, ref: string): Promise<DirectMessage | undefined>;
  history(userId: string, q: HistoryQuery): Promise<{ messages: DirectMessage[]; more: boolean }>;
  filters(userId: string): Promise<string[]>;
  addFilter(userId: string, phrase: string): Promise<string[]>;
  removeFilter(userId: string, phrase: string): Promise<string[]>;
  /** Messages to you held by your filters, newest first. */
  held(userId: string, q: PageQuery): Promise<{ messages: DirectMessage[]; next?: string }>;
  /** Moves a held message into its conversation (logged and told like a new message, to you only). */
  release(userId: string, id: string, connectionId?: string): Promise<SendResult>;
  /** Removes a held message from your filtered folder; it stays out of your conversation. */
  clearHeld(userId: string, id: string, connectionId?: string): Promise<void>;
  /** Full-text search over your conversations, newest first; `next` continues. */
  search(
    userId: string,
    q: {
      q: string;
      with?: string;
      before?: string;
      limit?: number;
      /** Direct messages only (XEP-0313 MAM's full-text search of the user's archive). */
      direct?: boolean;
      /** Inclusive bounds on the message's time (ms). */
      start?: number;
      end?: number;
    },
  ): Promise<{
    results: {
      message: DirectMessage | RoomMessage;
      snippet: string;
    }[];
    next?: string;
  }>;
  /** The user's latest log position (0 before anything was logged). */
  head(userId: string): Promise<number>;
  /** The user's log after `after`: every change they must see, in order. */
  sync(
    userId: string,
    after?: number,
    limit?: number,
  ): Promise<{
    events: LogEvent[];
    cursor: number;
    /** Your latest log position: a new device may start from here. */
    head: number;
    more: boolean;
  }>;
}

/** Positions in a conversation (exclusive): at most one of `before` and `after`. */
export interface SeqPage {
  before?: number;
  after?: number;
  limit?: number;
}

/** A direct conversation's messages by position (`messages.history`). */
export interface HistoryQuery extends SeqPage {
  /** The other person's username. */
  with: string;
}

/** A page of a list read newest first: `before` is the `next` of the previous page. */
export interface PageQuery {
  before?: string;
  limit?: number;
}

/** The words of a search query: no query syntax of either engine ever reaches the store. */
export function searchTerms(q: string): string[] {
  if (q.length > SEARCH_MAX_QUERY)
    throw new ParleyError(
      'bad-request',
      `q must be a string of at most ${SEARCH_MAX_QUERY} characters`,
      { field: 'q' },
    );
  const terms = [...new Set(q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])]
    .slice(0, 10)
    .map((t) => t.slice(0, 64));
  if (terms.length === 0)
    throw new ParleyError('bad-request', 'q needs at least one word', { field: 'q' });
  return terms;
}

export function dmConversationId(a: string, b: string): string {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
}

function intField(v: number, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new ParleyError('bad-request', `${field} must be a whole number from ${min} to ${max}`, {
      field,
    });
  return v;
}

/** The native ops' `before` / `after` (positions, exclusive) as a history selector. */
export function pageSelector(q: { before?: number; after?: number }): Selector {
  const before =
    q.before === undefined ? undefined : intField(q.before, 'before', 1, Number.MAX_SAFE_INTEGER);
  const after =
    q.after === undefined ? undefined : intField(q.after, 'after', 0, Number.MAX_SAFE_INTEGER);
  if (before !== undefined && after !== undefined)
    throw new ParleyError('bad-request', 'give before or after, not both', { field: 'before' });
  if (before !== undefined) return { kind: 'before', anchor: { seq: before } };
  if (after !== undefined) return { kind: 'after', anchor: { seq: after } };
  return { kind: 'latest' };
}

/** PostgreSQL text cannot hold U+0000: refused everywhere, so both stores answer alike. */
const hasNul = (v: string) => v.includes('\u0000');

export function checkText(v: string): string {
  if (Buffer.byteLength(v, 'utf8') > MAX_TEXT_BYTES)
    throw new ParleyError(
      'payload-too-large',
      `text is longer than ${MAX_TEXT_BYTES} bytes (16 KiB)`,
      { field: 'text' },
    );
  if (v.trim() === '')
    throw new ParleyError('bad-request', 'text must not be empty', { field: 'text' });
  if (hasNul(v))
    throw new ParleyError('bad-request', 'text must not contain NUL characters', {
      field: 'text',
    });
  return v;
}

/** The text of a message that carries files: a caption, which may be empty. */
export function checkCaption(v: string, attachments: readonly unknown[] | undefined): string {
  if (!attachments?.length || v.trim() !== '') return checkText(v);
  return '';
}

export function createMessageService(deps: {
  store: MessageStore;
  filters: FilterStore;
  /** Reads conversations by position (messages.history). */
  history: HistoryReader;
  users: MessageUsers;
  router: Router;
  rate: { perSecond: number; burst: number };
  hooks?: Hooks;
  /** True when the user has a session anywhere in the cluster ('message.waiting' asks). */
  online?: (userId: string) => Promise<boolean>;
  now?: () => number;
}): MessageService {
  const { store, users, router } = deps;
  const hooks = deps.hooks ?? NO_HOOKS;
  const now = deps.now ?? Date.now;
  const limiter = createRateLimiter({ perSecond: deps.rate.perSecond, burst: deps.rate.burst });

  async function view(m: StoredMessage): Promise<DirectMessage> {
    return directMessage(m, await namesOf(m.senderId, m.recipientId));
  }

  /** Search spans rooms too: a room message names its room instead of `to`. */
  async function searchView(m: StoredMessage): Promise<DirectMessage | RoomMessage> {
    if (!m.conversationId.startsWith('room:')) return view(m);
    const name = (await users.roomName?.(m.recipientId)) ?? '';
    return roomMessage(m, { id: m.recipientId, name }, await namesOf(m.senderId), []);
  }

  /**
   * Who must see changes to this message: the sender, and the recipient unless
   * they had blocked the sender; never an account deleted since.
   */
  async function audienceOf(m: StoredMessage): Promise<() => string[]> {
    const ids = m.visibleToRecipient ? [m.senderId, m.recipientId] : [m.senderId];
    const alive: string[] = [];
    for (const id of ids) if ((await users.usernameOf(id)) !== undefined) alive.push(id);
    return () => alive;
  }
  const audience = (m: StoredMessage) =>
    m.visibleToRecipient ? [m.senderId, m.recipientId] : [m.senderId];

  /** What each user's log keeps about a message change: its kind (the message is the row's). */
  const records = new Map<MessageChange, ReturnType<LogPayload>>();
  function logRecord(change: MessageChange): LogPayload {
    let r = records.get(change);
    if (!r) records.set(change, (r = { name: 'message', data: { change } }));
    const rec = r;
    return () => rec;
  }

  async function namesOf(...ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const id of ids) out.set(id, (await users.usernameOf(id)) ?? '');
    return out;
  }

  /**
   * Tells each user's sessions (but not the connection that asked, which gets the
   * reply); one domain message for all of them. Returns it.
   */
  function fanOut(
    result: { seqs: Map<string, number>; message: StoredMessage },
    change: MessageChange,
    names: ReadonlyMap<string, string>,
    connectionId?: string,
    detail?: Pick<MessageEvent, 'by' | 'reaction' | 'route'>,
  ): DirectMessage {
    const message = directMessage(result.message, names);
    for (const [userId, seq] of result.seqs)
      router.deliver(
        userId,
        except({ name: 'message', seq, change, message, ...detail }, connectionId),
      );
    return message;
  }

  /** After commit: a new message, and whether its recipient is away to read it later. */
  function stored(m: StoredMessage): void {
    hooks.emit('message.stored', { kind: 'direct', message: m });
    const online = deps.online;
    if (online && m.visibleToRecipient)
      hooks.emitLater('message.waiting', async () =>
        (await online(m.recipientId)) ? undefined : { userId: m.recipientId, message: m },
      );
  }

  /** Log entries back as events: records filled with today's names, messages as they are now. */
  async function logEvents(entries: readonly LogEntry[]): Promise<LogEvent[]> {
    const extra: string[] = [];
    for (const e of entries) if (e.message) extra.push(e.message.senderId, e.message.recipientId);
    const others = entries.filter((e) => e.name !== 'message').map((e) => e.data);
    const names = await fillNames(others, users, extra);
    const out: LogEvent[] = [];
    for (const e of entries) {
      if (e.name === 'message') {
        // A message removed since (its sender's account deleted) has nothing left to tell.
        if (!e.message) continue;
        const change = (e.data.change ?? 'new') as MessageChange;
        out.push({ name: 'message', seq: e.seq, change, message: directMessage(e.message, names) });
      } else out.push({ ...e.data, name: e.name, seq: e.seq } as LogEvent);
    }
    return out;
  }

  async function mine(userId: string, id: string, mustBeSender: boolean): Promise<StoredMessage> {
    if (id.length > 64 || hasNul(id))
      throw new ParleyError('bad-request', 'id must be a message id', { field: 'id' });
    const m = await store.byId(id);
    const canSee =
      m && (m.senderId === userId || (m.recipientId === userId && m.visibleToRecipient));
    if (!m || !canSee) throw new ParleyError('not-found', 'no such message', { field: 'id' });
    // A room message answers to the room's rules (membership, mute, ban, its timeline):
    // these operations know none of them, so they do not touch one.
    if (m.conversationId.startsWith('room:'))
      throw new ParleyError(
        'bad-request',
        'this is a room message: change it with rooms.edit, rooms.delete or rooms.react',
        { field: 'id' },
      );
    if (mustBeSender && m.senderId !== userId)
      throw new ParleyError('forbidden', 'only the sender can change a message');
    return m;
  }

  async function heldMessage(userId: string, id: string): Promise<StoredMessage> {
    if (id.length > 64 || hasNul(id))
      throw new ParleyError('bad-request', 'id must be a message id', { field: 'id' });
    const m = await store.byId(id);
    if (!m || m.recipientId !== userId || m.filtered !== 'held' || m.deletedAt !== null)
      throw new ParleyError('not-found', 'no such message in your filtered folder', {
        field: 'id',
      });
    return m;
  }

  return {
    async notice(userId, req) {
      if (req.to.length > 64 || hasNul(req.to))
        throw new ParleyError('bad-request', 'to must be a username', { field: 'to' });
      const text = checkText(req.text);
      if (req.id !== undefined && (req.id.length > MAX_CLIENT_ID || hasNul(req.id)))
        throw new ParleyError('bad-request', `id must be at most ${MAX_CLIENT_ID} characters`, {
          field: 'id',
        });
      // No client id: a notice is never stored, so there is no earlier one to find.
      const ctx = await store.sendContext(userId, req.to.toLowerCase(), '');
      const to = ctx.to;
      if (!to) throw new ParleyError('not-found', 'no such user', { field: 'to' });
      if (ctx.senderGuest !== to.guest)
        throw new ParleyError('forbidden', 'guests and accounts exchange no direct messages', {
          field: 'to',
        });
      if (to.id === userId)
        throw new ParleyError('bad-request', 'you cannot message yourself', { field: 'to' });
      if (ctx.blocking)
        throw new ParleyError('conflict', `you blocked ${to.username}; unblock them first`, {
          field: 'to',
        });
      limiter.take(userId);
      if (ctx.blocked || matchingPhrase(text, ctx.phrases) !== undefined) return;
      router.deliver(to.id, {
        name: 'notice',
        from: { id: userId, username: ctx.senderName ?? '' },
        text,
        ...(req.id !== undefined ? { id: req.id } : {}),
        ...(req.route ? { route: req.route } : {}),
      });
    },

    async send(userId, req, connectionId) {
      if (req.clientId.length === 0 || req.clientId.length > MAX_CLIENT_ID || hasNul(req.clientId))
        throw new ParleyError(
          'bad-request',
          `clientId must be a string of 1-${MAX_CLIENT_ID} characters`,
          { field: 'clientId' },
        );
      if (req.to.length > 64 || hasNul(req.to))
        throw new ParleyError('bad-request', 'to must be a username', { field: 'to' });
      // Everything the send must look up, in one read (MessageStore.sendContext).
      const ctx = await store.sendContext(userId, req.to.toLowerCase(), req.clientId);
      // A retry is answered from the store before anything else, so it never counts twice.
      const earlier = ctx.earlier;
      if (earlier) {
        // The same clientId for a different message is a client bug worth hearing about.
        // A recipient deleted since cannot be looked up: the text alone must then match.
        const sameTo = ctx.to
          ? ctx.to.id === earlier.recipientId
          : (await users.usernameOf(earlier.recipientId)) === undefined;
        if (!sameTo || (earlier.deletedAt === null && req.text !== earlier.text))
          throw new ParleyError(
            'conflict',
            'this clientId was already used for a different message',
            { field: 'clientId' },
          );
        return {
          message: await view(earlier),
          seq: (await store.firstLogSeq(userId, earlier.id)) ?? 0,
          duplicate: true,
        };
      }
      const text = checkCaption(req.text, req.attachments);
      const to = ctx.to;
      if (!to) throw new ParleyError('not-found', 'no such user', { field: 'to' });
      // Guests talk in rooms; between accounts and guests there are no direct messages
      // (an account is never messaged by someone who leaves no trace), between guests there are.
      const fromGuest = ctx.senderGuest;
      const toGuest = to.guest;
      if (fromGuest && !toGuest)
        throw new ParleyError(
          'forbidden',
          'guests cannot send direct messages to accounts: talk in a room, or sign up for an account',
          { field: 'to' },
        );
      if (toGuest && !fromGuest)
        throw new ParleyError(
          'forbidden',
          `${to.username} is a guest: guests cannot receive direct messages from accounts; answer them in the room`,
          { field: 'to' },
        );
      if (to.id === userId)
        throw new ParleyError('bad-request', 'you cannot message yourself', { field: 'to' });
      let replyTo: string | null = null;
      if (req.replyTo !== undefined && req.replyTo !== null) {
        const parent = await mine(userId, req.replyTo, false).catch(() => undefined);
        if (!parent || parent.conversationId !== dmConversationId(userId, to.id))
          throw new ParleyError('bad-request', 'replyTo must be a message of this conversation', {
            field: 'replyTo',
          });
        replyTo = parent.id;
      }
      // One who blocks must unblock to write (as the best messengers do): a message to
      // someone whose answers you would never see is a conversation with a wall.
      if (ctx.blocking)
        throw new ParleyError('conflict', `you blocked ${to.username}; unblock them first`, {
          field: 'to',
        });
      limiter.take(userId);
      // Someone who blocked you never gets your messages, and you are not told.
      const visible = !ctx.blocked;
      // A message matching the recipient's keyword filters waits in their filtered folder,
      // silently: no event, no notification, nothing destroyed.
      const held = visible && matchingPhrase(text, ctx.phrases) !== undefined;
      const t = now();
      // The names serve the log, the events and the reply.
      const names = new Map([
        [userId, ctx.senderName ?? ''],
        [to.id, to.username],
      ]);
      const r = await store.insert(
        {
          id: newId(t),
          conversationId: dmConversationId(userId, to.id),
          senderId: userId,
          recipientId: to.id,
          clientId: req.clientId,
          text,
          replyTo,
          createdAt: t,
          visibleToRecipient: visible,
          held,
          ...(req.attachments?.length ? { attachments: req.attachments } : {}),
        },
        audience,
        logRecord('new'),
      );
      const seq = r.seqs.get(userId) ?? (await store.firstLogSeq(userId, r.message.id)) ?? 0;
      if (r.duplicate) return { message: await view(r.message), seq, duplicate: true };
      const message = fanOut(
        r,
        'new',
        names,
        connectionId,
        req.route ? { route: req.route } : undefined,
      );
      stored(r.message);
      // The recipient learns that something waits in their filtered folder (the sender never does).
      if (held)
        router.deliver(to.id, {
          name: 'filtered.changed',
          change: 'held',
          messageId: r.message.id,
        });
      return { message, seq, duplicate: false };
    },

    async edit(userId, id, text, connectionId) {
      const m = await mine(userId, id, true);
      if (m.deletedAt !== null)
        throw new ParleyError('conflict', 'a deleted message cannot be edited', { field: 'id' });
      const body = checkText(text);
      limiter.take(userId);
      const names = await namesOf(m.senderId, m.recipientId);
      const r = await store.update(
        m.id,
        // Checked again inside the transaction: a deletion that won a race stays deleted.
        (cur) => {
          if (cur.deletedAt !== null)
            throw new ParleyError('conflict', 'a deleted message cannot be edited', {
              field: 'id',
            });
          return { text: body, editedAt: now() };
        },
        await audienceOf(m),
        logRecord('edited'),
      );
      if (!r) throw new ParleyError('not-found', 'no such message', { field: 'id' });
      const message = fanOut(r, 'edited', names, connectionId);
      return { message, seq: r.seqs.get(userId) ?? null, duplicate: false };
    },

    async remove(userId, id, connectionId) {
      const m = await mine(userId, id, true);
      limiter.take(userId);
      const names = await namesOf(m.senderId, m.recipientId);
      // Deleting leaves a tombstone: the id, order and time stay, the text goes.
      const r = await store.update(
        m.id,
        (cur) => (cur.deletedAt === null ? { text: '', deletedAt: now() } : {}),
        await audienceOf(m),
        logRecord('deleted'),
      );
      if (!r) throw new ParleyError('not-found', 'no such message', { field: 'id' });
      const message = fanOut(r, 'deleted', names, connectionId);
      if (m.deletedAt === null)
        hooks.emit('message.deleted', {
          messageId: m.id,
          conversationId: m.conversationId,
          senderId: m.senderId,
          clientId: m.clientId,
        });
      return { message, seq: r.seqs.get(userId) ?? null, duplicate: false };
    },

    async react(userId, id, emoji, on, connectionId) {
      const m = await mine(userId, id, false);
      if (m.deletedAt !== null)
        throw new ParleyError('conflict', 'a deleted message cannot get reactions', {
          field: 'id',
        });
      if (emoji.length === 0 || [...emoji].length > MAX_EMOJI || CONTROL_OR_SPACE.test(emoji))
        throw new ParleyError(
          'bad-request',
          `emoji must be 1-${MAX_EMOJI} characters without spaces`,
          { field: 'emoji' },
        );
      limiter.take(userId);
      const names = await namesOf(m.senderId, m.recipientId);
      const r = await store.react(
        m.id,
        userId,
        emoji,
        on !== false,
        now(),
        await audienceOf(m),
        logRecord('reaction'),
      );
      if (!r) {
        // The store refuses a message deleted meanwhile (a race with its sender).
        if ((await store.byId(m.id))?.deletedAt != null)
          throw new ParleyError('conflict', 'a deleted message cannot get reactions', {
            field: 'id',
          });
        throw new ParleyError('not-found', 'no such message', { field: 'id' });
      }
      const message = fanOut(r, 'reaction', names, connectionId, {
        by: { id: userId, username: names.get(userId) ?? '' },
        reaction: { emoji, on: on !== false },
      });
      return { message, seq: r.seqs.get(userId) ?? null, duplicate: false };
    },

    async find(userId, withUser, ref) {
      if (ref.length === 0 || ref.length > 64 || hasNul(ref)) return undefined;
      if (withUser.length > 64 || hasNul(withUser)) return undefined;
      const them = await users.byUsername(withUser.toLowerCase());
      if (!them) return undefined;
      const withUserId = them.id;
      const conversationId = dmConversationId(userId, withUserId);
      const seen = (m: StoredMessage | undefined) =>
        m !== undefined &&
        m.conversationId === conversationId &&
        (m.senderId === userId || m.visibleToRecipient);
      const byId = await store.byId(ref);
      if (seen(byId)) return view(byId!);
      // Each sender's client ids are unique to them; yours first, as you name yours most.
      for (const sender of [userId, withUserId]) {
        const m = await store.bySenderClientId(sender, ref);
        if (seen(m)) return view(m!);
      }
      return undefined;
    },

    async history(userId, q) {
      if (q.with.length > 64 || hasNul(q.with))
        throw new ParleyError('bad-request', 'with must be a username', { field: 'with' });
      const other = await users.byUsername(q.with.toLowerCase());
      if (!other) throw new ParleyError('not-found', 'no such user', { field: 'with' });
      if (other.id === userId)
        throw new ParleyError('bad-request', 'there is no conversation with yourself', {
          field: 'with',
        });
      const limit = q.limit === undefined ? 50 : intField(q.limit, 'limit', 1, HISTORY_MAX);
      const page = await deps.history.read(
        { conversationId: dmConversationId(userId, other.id), viewerId: userId, fromSeq: 0 },
        pageSelector(q),
        limit,
      );
      return { messages: await Promise.all(page.messages.map(view)), more: page.more };
    },

    head: (userId) => store.logHead(userId),

    filters: (userId) => deps.filters.list(userId),

    async addFilter(userId, phrase) {
      const p = cleanPhrase(phrase);
      const list = await deps.filters.list(userId);
      if (!list.some((x) => x.toLowerCase() === p.toLowerCase()) && list.length >= MAX_FILTERS)
        throw new ParleyError('conflict', `at most ${MAX_FILTERS} filters`, { field: 'phrase' });
      await deps.filters.add(userId, p, now());
      return deps.filters.list(userId);
    },

    async removeFilter(userId, phrase) {
      if (!(await deps.filters.remove(userId, cleanPhrase(phrase))))
        throw new ParleyError('not-found', 'no such filter', { field: 'phrase' });
      return deps.filters.list(userId);
    },

    async held(userId, q) {
      const limit = q.limit === undefined ? 50 : intField(q.limit, 'limit', 1, HISTORY_MAX);
      const page: { before?: { createdAt: number; id: string }; limit: number } = {
        limit: limit + 1,
      };
      if (q.before !== undefined) {
        const m = /^(\d{1,15})\.([0-9a-z]{26})$/.exec(q.before);
        if (!m)
          throw new ParleyError(
            'bad-request',
            'before must be a `next` value from an earlier page',
            { field: 'before' },
          );
        page.before = { createdAt: Number(m[1]), id: m[2]! };
      }
      const rows = await store.held(userId, page);
      const list = rows.slice(0, limit);
      const messages = await Promise.all(list.map(view));
      const last = list[list.length - 1];
      return rows.length > limit && last
        ? { messages, next: `${last.createdAt}.${last.id}` }
        : { messages };
    },

    async release(userId, id, connectionId) {
      const m = await heldMessage(userId, id);
      const names = await namesOf(m.senderId, m.recipientId);
      const r = await store.update(
        m.id,
        (cur) => (cur.filtered === 'held' ? { filtered: 'no' } : {}),
        () => [userId],
        logRecord('new'),
      );
      if (!r) throw new ParleyError('not-found', 'no such message', { field: 'id' });
      const message = fanOut(r, 'new', names, connectionId);
      router.deliver(
        userId,
        except({ name: 'filtered.changed', change: 'released', messageId: m.id }, connectionId),
      );
      return { message, seq: r.seqs.get(userId) ?? null, duplicate: false };
    },

    async clearHeld(userId, id, connectionId) {
      const m = await heldMessage(userId, id);
      await store.update(
        m.id,
        (cur) => (cur.filtered === 'held' ? { filtered: 'cleared' } : {}),
        () => [],
        logRecord('new'),
      );
      router.deliver(
        userId,
        except({ name: 'filtered.changed', change: 'cleared', messageId: m.id }, connectionId),
      );
    },

    async search(userId, q) {
      const terms = searchTerms(q.q);
      const limit = q.limit === undefined ? 20 : intField(q.limit, 'limit', 1, SEARCH_MAX_LIMIT);
      const opts: {
        conversationId?: string;
        before?: { createdAt: number; id: string };
        limit: number;
        directOnly?: boolean;
        start?: number;
        end?: number;
      } = { limit: limit + 1 };
      if (q.direct === true) opts.directOnly = true;
      if (q.start !== undefined)
        opts.start = intField(q.start, 'start', 0, Number.MAX_SAFE_INTEGER);
      if (q.end !== undefined) opts.end = intField(q.end, 'end', 0, Number.MAX_SAFE_INTEGER);
      if (q.with !== undefined) {
        if (q.with.length > 64 || hasNul(q.with))
          throw new ParleyError('bad-request', 'with must be a username', { field: 'with' });
        const other = await users.byUsername(q.with.toLowerCase());
        if (!other) throw new ParleyError('not-found', 'no such user', { field: 'with' });
        if (other.id === userId)
          throw new ParleyError('bad-request', 'there is no conversation with yourself', {
            field: 'with',
          });
        opts.conversationId = dmConversationId(userId, other.id);
      }
      if (q.before !== undefined) {
        const m = /^(\d{1,15})\.([0-9a-z]{26})$/.exec(q.before);
        if (!m)
          throw new ParleyError(
            'bad-request',
            'before must be a `next` value from an earlier page',
            { field: 'before' },
          );
        opts.before = { createdAt: Number(m[1]), id: m[2]! };
      }
      const rows = await store.search(userId, terms, opts);
      const page = rows.slice(0, limit);
      const results = await Promise.all(
        page.map(async (r) => ({ message: await searchView(r.message), snippet: r.snippet })),
      );
      const last = page[page.length - 1];
      return rows.length > limit && last
        ? { results, next: `${last.message.createdAt}.${last.message.id}` }
        : { results };
    },

    async sync(userId, after, limit) {
      const from = intField(after ?? 0, 'after', 0, Number.MAX_SAFE_INTEGER);
      const n = limit === undefined ? 200 : intField(limit, 'limit', 1, SYNC_MAX);
      const head = await store.logHead(userId);
      // A cursor past the end (another account's, or a restored backup) would silently skip
      // everything until the log caught up: say so instead.
      if (from > head)
        throw new ParleyError(
          'bad-request',
          `after is past the end of your log (${head}); sync from 0 or ${head}`,
          { field: 'after' },
        );
      const rows: LogEntry[] = await store.log(userId, from, n + 1);
      const more = rows.length > n;
      const page = rows.slice(0, n);
      return {
        events: await logEvents(page),
        cursor: page.length ? page[page.length - 1]!.seq : from,
        head,
        more,
      };
    },
  };
}
