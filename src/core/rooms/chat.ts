import { lookupName } from '../accounts/username.js';
import { ParleyError } from '../errors.js';
import { except, type ReactionChange, type RoomMessage, type TimelineEvent } from '../events.js';
import { roomMessage } from '../messages/domain.js';
import { NO_HOOKS } from '../hooks.js';
import { newId } from '../ids.js';
import { createRateLimiter } from '../limits/rate.js';
import {
  checkCaption,
  checkText,
  HISTORY_MAX,
  MAX_CLIENT_ID,
  MAX_EMOJI,
  pageSelector,
  SYNC_MAX,
  searchTerms,
  SEARCH_MAX_LIMIT,
  type SeqPage,
} from '../messages/service.js';
import type { Attachment } from '../files/types.js';
import type { StoredMessage } from '../messages/store.js';
import { TYPING_EXPIRES_MS } from '../receipts/service.js';
import { conversationOf, type RoomDeps, roomAccess, timelineEvents } from './access.js';
import { canRedact } from './roles.js';
import type { Room } from './store.js';

export interface RoomSendResult {
  message: RoomMessage;
  /** The room position of the event that carried the change (null when nothing changed). */
  roomSeq: number | null;
  duplicate: boolean;
}

/** At most this many distinct @names in one message are looked up. */
const MAX_MENTIONS = 20;
// eslint-disable-next-line no-control-regex
const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f]/;
const MENTION =
  /(?:^|[^\p{L}\p{N}_@.-])@([a-z0-9._-]{1,32})(?![\p{L}\p{N}_]|[.-]+[\p{L}\p{N}_])/giu;

/** The usernames `text` mentions with @name (a trailing dot or dash is punctuation). */
export function mentionedNames(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(MENTION)) {
    const name = lookupName(m[1]!.replace(/[.-]+$/, ''));
    if (name) out.add(name);
    if (out.size >= MAX_MENTIONS) break;
  }
  return [...out];
}

export interface RoomChat {
  send(
    userId: string,
    req: {
      room: string;
      clientId: string;
      text: string;
      replyTo?: string | null;
      /**
       * The client id was made by core for this send (core/send: a door without
       * ids of its own, IRC): no earlier message can carry it, so the lookups that
       * answer a retry are skipped (two reads per message in a busy room).
       */
      fresh?: boolean;
      /** Files the send claimed for it (core/files `attach`). */
      attachments?: Attachment[];
    },
    connectionId?: string,
  ): Promise<RoomSendResult>;
  edit(
    userId: string,
    room: string,
    id: string,
    text: string,
    connectionId?: string,
  ): Promise<RoomSendResult>;
  remove(userId: string, room: string, id: string, connectionId?: string): Promise<RoomSendResult>;
  /** `on` (default true): add the reaction; false takes it back. */
  react(
    userId: string,
    room: string,
    id: string,
    emoji: string,
    on?: boolean,
    connectionId?: string,
  ): Promise<RoomSendResult>;
  history(
    userId: string,
    q: SeqPage & { room: string },
  ): Promise<{ messages: RoomMessage[]; more: boolean }>;
  search(
    userId: string,
    q: { room: string; q: string; before?: string; limit?: number },
  ): Promise<{ results: { message: RoomMessage; snippet: string }[]; next?: string }>;
  /** The room's timeline after `after`: what a device that was away missed, in order. */
  events(
    userId: string,
    q: { room: string; after?: number; limit?: number },
  ): Promise<{
    events: TimelineEvent[];
    cursor: number;
    head: number;
    more: boolean;
  }>;
  mark(
    userId: string,
    room: string,
    read: number,
    connectionId?: string,
  ): Promise<{ read: number; unread: number; mentions: number }>;
  /** Your read marker in the room (a member's), without moving it: 0 when never set. */
  marker(userId: string, room: string): Promise<{ read: number }>;
  /** `state`: "start" or "stop", checked here. */
  typing(userId: string, room: string, state: string): Promise<void>;
}

function intField(v: number, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new ParleyError('bad-request', `${field} must be a whole number from ${min} to ${max}`, {
      field,
    });
  return v;
}

function messageId(id: string): string {
  if (id.length === 0 || id.length > 64 || id.includes('\u0000'))
    throw new ParleyError('bad-request', 'id must be a message id', { field: 'id' });
  return id;
}

export function createRoomChat(deps: RoomDeps): RoomChat {
  const { store } = deps;
  const a = roomAccess(deps);
  const hooks = deps.hooks ?? NO_HOOKS;
  const limiter = createRateLimiter({ perSecond: deps.rate.perSecond, burst: deps.rate.burst });
  const typingLimit = createRateLimiter({ perSecond: 2, burst: 10 });

  async function namesOf(m: StoredMessage): Promise<Map<string, string>> {
    return new Map([[m.senderId, (await deps.users.usernameOf(m.senderId)) ?? '']]);
  }

  async function views(room: Room, list: StoredMessage[]): Promise<RoomMessage[]> {
    const mentions = await store.mentionsOf(list.map((m) => m.id));
    const names = new Map<string, string>();
    for (const m of list)
      if (!names.has(m.senderId))
        names.set(m.senderId, (await deps.users.usernameOf(m.senderId)) ?? '');
    return list.map((m) => roomMessage(m, room, names, mentions.get(m.id) ?? []));
  }

  /**
   * Edit, delete and react share this: under the room's lock, the actor must
   * still be a member and the message still in the room; `change` decides.
   */
  async function changeMessage(
    userId: string,
    roomName: string,
    rawId: string,
    kind: 'edited' | 'deleted' | 'reaction',
    change: (
      tx: Parameters<Parameters<typeof store.transact>[1]>[0],
      m: StoredMessage,
      role: string,
    ) => Promise<boolean>,
    connectionId?: string,
    detail?: { reaction: ReactionChange },
  ): Promise<RoomSendResult> {
    const id = messageId(rawId);
    const room = await a.find(roomName, { count: false });
    const t = a.now();
    // Looked up before the transaction: on SQLite it holds the only connection.
    const seen = await deps.messages.byId(id);
    if (!seen || seen.conversationId !== conversationOf(room.id))
      throw new ParleyError('not-found', 'no such message in this room', { field: 'id' });
    const names = await namesOf(seen);
    // Who made the change: a moderator's deletion must not look like the sender's own.
    const by = await a.me(userId);
    const r = await store.transact(room.id, async (tx) => {
      const member = a.mustBeMember(room, await tx.member(userId));
      // Muted: no new words (edits) or reactions; taking one's own words back stays allowed.
      if (member.muted && kind !== 'deleted')
        throw new ParleyError(
          'forbidden',
          `you are muted in #${room.name}: you may read, not speak`,
        );
      const before = await tx.message(id);
      // A message from before what this member may read is not there for them.
      if (!before || before.seq < member.historyFrom)
        throw new ParleyError('not-found', 'no such message in this room', { field: 'id' });
      const changed = await change(tx, before, member.role);
      const m = (await tx.message(id))!;
      if (!changed) return { m };
      const mentions = await tx.mentionsOf(m.id);
      const view = roomMessage(m, room, names, mentions);
      // The timeline keeps the kind of change; the message is read as it is now (invariant 14).
      const e = await tx.append({
        at: t,
        name: 'room.message',
        actorId: userId,
        messageId: m.id,
        data: { change: kind, by, ...detail },
      });
      return { m, e, view };
    });
    if (!('e' in r) || !r.e)
      return { message: (await views(room, [r.m]))[0]!, roomSeq: null, duplicate: false };
    a.emit(room, r.e, connectionId, undefined, r.view);
    return { message: r.view!, roomSeq: r.e.seq, duplicate: false };
  }

  return {
    async send(userId, req, connectionId) {
      const clientId = req.clientId;
      if (clientId.length === 0 || clientId.length > MAX_CLIENT_ID || clientId.includes('\u0000'))
        throw new ParleyError(
          'bad-request',
          `clientId must be a string of 1-${MAX_CLIENT_ID} characters`,
          {
            field: 'clientId',
          },
        );
      const room = await a.find(req.room, { count: false });
      const conv = conversationOf(room.id);
      // A retry is answered from the store before anything else, so it never counts twice.
      const earlier = req.fresh
        ? undefined
        : await deps.messages.bySenderClientId(userId, clientId);
      if (earlier) {
        if (
          earlier.conversationId !== conv ||
          (earlier.deletedAt === null && req.text !== earlier.text)
        )
          throw new ParleyError(
            'conflict',
            'this clientId was already used for a different message',
            {
              field: 'clientId',
            },
          );
        return {
          message: (await views(room, [earlier]))[0]!,
          roomSeq: earlier.seq,
          duplicate: true,
        };
      }
      const text = checkCaption(req.text, req.attachments);
      let replyTo: string | null = null;
      if (req.replyTo !== undefined && req.replyTo !== null) {
        const parentId = req.replyTo.length <= 64 ? req.replyTo : undefined;
        const parent =
          parentId === undefined
            ? undefined
            : await deps.messages.byId(parentId).catch(() => undefined);
        if (!parent || parent.conversationId !== conv)
          throw new ParleyError('bad-request', 'replyTo must be a message of this room', {
            field: 'replyTo',
          });
        replyTo = parent.id;
      }
      const candidates: { id: string; username: string }[] = [];
      for (const name of mentionedNames(text)) {
        const u = await deps.users.byUsername(name);
        if (u && u.id !== userId) candidates.push(u);
      }
      const me = await a.me(userId);
      limiter.take(userId);
      const t = a.now();
      const r = await store.transact(room.id, async (tx) => {
        const member = a.mustBeMember(room, await tx.member(userId));
        if (member.muted)
          throw new ParleyError(
            'forbidden',
            `you are muted in #${room.name}: you may read, not speak`,
          );
        const dup = req.fresh ? undefined : await tx.messageByClientId(userId, clientId);
        if (dup) return { dup };
        const mentions: string[] = [];
        for (const c of candidates) if (await tx.member(c.id)) mentions.push(c.id);
        const seq = await tx.nextSeq();
        const stored: StoredMessage = {
          id: newId(t),
          conversationId: conv,
          seq,
          senderId: userId,
          recipientId: room.id,
          clientId,
          text,
          replyTo,
          createdAt: t,
          editedAt: null,
          deletedAt: null,
          visibleToRecipient: true,
          filtered: 'no',
          reactions: [],
          ...(req.attachments?.length ? { attachments: req.attachments } : {}),
        };
        await tx.insertMessage(stored, seq, mentions);
        const view = roomMessage(stored, room, new Map([[userId, me.username]]), mentions);
        const e = await tx.append({
          at: t,
          name: 'room.message',
          actorId: userId,
          messageId: stored.id,
          data: { change: 'new' },
        });
        return { e, view, stored, mentions };
      });
      if ('dup' in r && r.dup)
        return { message: (await views(room, [r.dup]))[0]!, roomSeq: r.dup.seq, duplicate: true };
      a.emit(room, r.e!, connectionId, undefined, r.view);
      hooks.emit('message.stored', {
        kind: 'room',
        roomId: room.id,
        roomName: room.name,
        roomSeq: r.e!.seq,
        message: r.stored!,
        mentions: r.mentions!,
      });
      return { message: r.view!, roomSeq: r.e!.seq, duplicate: false };
    },

    async edit(userId, roomName, id, text, connectionId) {
      const body = checkText(text);
      limiter.take(userId);
      return changeMessage(
        userId,
        roomName,
        id,
        'edited',
        async (tx, m) => {
          if (m.senderId !== userId)
            throw new ParleyError('forbidden', 'only the sender can edit a message');
          if (m.deletedAt !== null)
            throw new ParleyError('conflict', 'a deleted message cannot be edited', {
              field: 'id',
            });
          await tx.updateMessage(m.id, { text: body, editedAt: a.now() });
          return true;
        },
        connectionId,
      );
    },

    async remove(userId, roomName, id, connectionId) {
      limiter.take(userId);
      const r = await changeMessage(
        userId,
        roomName,
        id,
        'deleted',
        async (tx, m, role) => {
          // Moderators remove other people's messages too (a tombstone either way).
          if (m.senderId !== userId && !canRedact(role as 'member'))
            throw new ParleyError(
              'forbidden',
              'only the sender or a moderator can delete a message',
            );
          if (m.deletedAt !== null) return false;
          await tx.updateMessage(m.id, { text: '', deletedAt: a.now() });
          return true;
        },
        connectionId,
      );
      if (r.roomSeq !== null)
        hooks.emit('message.deleted', {
          messageId: r.message.id,
          conversationId: r.message.conversationId,
          senderId: r.message.sender.id,
          clientId: r.message.clientId,
        });
      return r;
    },

    async react(userId, roomName, id, emoji, on, connectionId) {
      if (emoji.length === 0 || [...emoji].length > MAX_EMOJI || CONTROL_OR_SPACE.test(emoji))
        throw new ParleyError(
          'bad-request',
          `emoji must be 1-${MAX_EMOJI} characters without spaces`,
          {
            field: 'emoji',
          },
        );
      limiter.take(userId);
      return changeMessage(
        userId,
        roomName,
        id,
        'reaction',
        async (tx, m) => {
          if (m.deletedAt !== null)
            throw new ParleyError('conflict', 'a deleted message cannot get reactions', {
              field: 'id',
            });
          return tx.react(m.id, userId, emoji, on !== false, a.now());
        },
        connectionId,
        { reaction: { emoji, on: on !== false } },
      );
    },

    async history(userId, q) {
      const room = await a.find(q.room, { count: false });
      const from = a.readsFrom(room, await a.canRead(room, userId));
      const limit = q.limit === undefined ? 50 : intField(q.limit, 'limit', 1, HISTORY_MAX);
      const selector = pageSelector(q);
      const page = await deps.history.read(
        { conversationId: conversationOf(room.id), viewerId: userId, fromSeq: from },
        selector,
        limit,
      );
      return { messages: await views(room, page.messages), more: page.more };
    },

    async search(userId, q) {
      const room = await a.find(q.room, { count: false });
      const from = a.readsFrom(room, await a.canRead(room, userId));
      const terms = searchTerms(q.q);
      const limit = q.limit === undefined ? 20 : intField(q.limit, 'limit', 1, SEARCH_MAX_LIMIT);
      const opts: {
        conversationId: string;
        before?: { createdAt: number; id: string };
        limit: number;
        fromSeq: number;
      } = {
        conversationId: conversationOf(room.id),
        limit: limit + 1,
        fromSeq: from,
      };
      if (q.before !== undefined) {
        const m = /^(\d{1,15})\.([0-9a-z]{26})$/.exec(q.before);
        if (!m)
          throw new ParleyError(
            'bad-request',
            'before must be a `next` value from an earlier page',
            {
              field: 'before',
            },
          );
        opts.before = { createdAt: Number(m[1]), id: m[2]! };
      }
      // A public room is searchable by anyone who may read it, member or not.
      const rows = await deps.messages.search(userId, terms, {
        ...opts,
        wholeConversation: room.visibility === 'public',
      });
      const page = rows.slice(0, limit);
      const list = await views(
        room,
        page.map((r) => r.message),
      );
      const results = list.map((message, i) => ({ message, snippet: page[i]!.snippet }));
      const last = page[page.length - 1];
      return rows.length > limit && last
        ? { results, next: `${last.message.createdAt}.${last.message.id}` }
        : { results };
    },

    async events(userId, q) {
      const room = await a.find(q.room, { count: false });
      const from = a.readsFrom(room, await a.canRead(room, userId));
      const after = intField(q.after ?? 0, 'after', 0, Number.MAX_SAFE_INTEGER);
      const limit = q.limit === undefined ? 200 : intField(q.limit, 'limit', 1, SYNC_MAX);
      if (after > room.head)
        throw new ParleyError('bad-request', `after is past the end of this room (${room.head})`, {
          field: 'after',
        });
      // Events before what this reader may see are skipped: the cursor still moves on.
      const rows = await store.events(room.id, Math.max(after, from - 1), limit + 1);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      return {
        events: await timelineEvents(room, page, deps.users),
        cursor: page.length ? page[page.length - 1]!.seq : after,
        head: room.head,
        more,
      };
    },

    async mark(userId, roomName, read, connectionId) {
      const room = await a.find(roomName, { count: false });
      const member = a.mustBeMember(room, await store.member(room.id, userId));
      const to = Math.min(intField(read, 'read', 0, Number.MAX_SAFE_INTEGER), room.head);
      const { marker, changed } = await deps.markers.advance(
        userId,
        conversationOf(room.id),
        { read: to },
        a.now(),
      );
      // Nothing before what you may read counts (as rooms.mine counts it).
      const counts = await store.unread(
        userId,
        room.id,
        Math.max(marker.read, member.historyFrom - 1),
      );
      const out = { read: marker.read, ...counts };
      // Your other devices clear their badges too.
      if (changed)
        deps.router.deliver(
          userId,
          except(
            { name: 'room.marker', room: { id: room.id, name: room.name }, ...out },
            connectionId,
          ),
        );
      return out;
    },

    async marker(userId, roomName) {
      const room = await a.find(roomName, { count: false });
      a.mustBeMember(room, await store.member(room.id, userId));
      const [m] = await deps.markers.markers(userId, [conversationOf(room.id)]);
      return { read: m?.read ?? 0 };
    },

    async typing(userId, roomName, state) {
      if (state !== 'start' && state !== 'stop')
        throw new ParleyError('bad-request', 'state must be "start" or "stop"', { field: 'state' });
      const room = await a.find(roomName, { count: false });
      const m = a.mustBeMember(room, await store.member(room.id, userId));
      if (m.muted) throw new ParleyError('forbidden', `you are muted in #${room.name}`);
      typingLimit.take(userId);
      const user = await a.me(userId);
      deps.fanout.publish(room.id, {
        name: 'room.typing',
        room: { id: room.id, name: room.name },
        user,
        state,
        ...(state === 'start' ? { expiresIn: TYPING_EXPIRES_MS } : {}),
      });
    },
  };
}
