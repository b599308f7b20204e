import { ParleyError } from '../../core/errors.js';
import type { RoomSendResult } from '../../core/rooms/chat.js';
import { nativeEvent } from './events.js';
import { authed, op, type Op, type OpContext } from './op.js';
import { roomMessageView, roomSentView } from './views.js';

/**
 * Room operations (docs/protocol.md, "Rooms"), merged into the one operations
 * table: a REST route and a WebSocket frame of the same name run the same entry.
 */
const me = (ctx: OpContext): string => authed(ctx).user.id;

/** `rooms.directory`'s `after` as text: a whole number from a REST query becomes its digits. */
function directoryAfter(v: unknown): string | undefined {
  if (v === undefined || typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  throw new ParleyError('bad-request', 'after must be a `next` value from an earlier page', {
    field: 'after',
  });
}

export const ROOM_OPS: Record<string, Op> = {
  'rooms.create': op({
    auth: true,
    shape: { name: 'string', topic: 'string?', visibility: 'string?' },
    run: (ctx) =>
      ctx.core.rooms.create(
        me(ctx),
        { name: ctx.input.name, topic: ctx.input.topic, visibility: ctx.input.visibility },
        ctx.connectionId,
      ),
  }),
  'rooms.get': op({
    auth: true,
    shape: { room: 'string' },
    run: (ctx) => ctx.core.rooms.get(me(ctx), ctx.input.room),
  }),
  'rooms.directory': op({
    auth: true,
    // `after` is a room name; over REST a digit-only one ("42") arrives as a number.
    shape: { q: 'string?', after: 'any?', limit: 'number?' },
    run: (ctx) =>
      ctx.core.rooms.directory(me(ctx), {
        q: ctx.input.q,
        after: directoryAfter(ctx.input.after),
        limit: ctx.input.limit,
      }),
  }),
  'rooms.mine': op({
    auth: true,
    shape: {},
    run: (ctx) => ctx.core.rooms.mine(me(ctx)),
  }),
  'rooms.join': op({
    auth: true,
    shape: { room: 'string' },
    run: (ctx) => ctx.core.rooms.join(me(ctx), ctx.input.room, ctx.connectionId),
  }),
  'rooms.leave': op({
    auth: true,
    shape: { room: 'string' },
    run: (ctx) => ctx.core.rooms.leave(me(ctx), ctx.input.room, ctx.connectionId),
  }),
  'rooms.invite': op({
    auth: true,
    shape: { room: 'string', username: 'string' },
    async run(ctx) {
      await ctx.core.rooms.invite(me(ctx), ctx.input.room, ctx.input.username);
      return {};
    },
  }),
  'rooms.decline': op({
    auth: true,
    shape: { room: 'string' },
    async run(ctx) {
      await ctx.core.rooms.decline(me(ctx), ctx.input.room);
      return {};
    },
  }),
  'rooms.members': op({
    auth: true,
    shape: { room: 'string', after: 'string?', limit: 'number?' },
    run: (ctx) =>
      ctx.core.rooms.members(me(ctx), ctx.input.room, {
        after: ctx.input.after,
        limit: ctx.input.limit,
      }),
  }),
  'rooms.update': op({
    auth: true,
    shape: { room: 'string', topic: 'string?', topicLocked: 'boolean?', visibility: 'string?' },
    run: (ctx) =>
      ctx.core.rooms.update(me(ctx), ctx.input.room, {
        topic: ctx.input.topic,
        topicLocked: ctx.input.topicLocked,
        visibility: ctx.input.visibility,
      }),
  }),
  'rooms.role': op({
    auth: true,
    shape: { room: 'string', username: 'string', role: 'string' },
    async run(ctx) {
      return {
        member: await ctx.core.rooms.setRole(
          me(ctx),
          ctx.input.room,
          ctx.input.username,
          ctx.input.role,
        ),
      };
    },
  }),
  'rooms.kick': op({
    auth: true,
    shape: { room: 'string', username: 'string', reason: 'prose?' },
    async run(ctx) {
      await ctx.core.rooms.kick(me(ctx), ctx.input.room, ctx.input.username, ctx.input.reason);
      return {};
    },
  }),
  'rooms.ban': op({
    auth: true,
    shape: { room: 'string', username: 'string', reason: 'prose?', seconds: 'number|null?' },
    async run(ctx) {
      await ctx.core.rooms.ban(
        me(ctx),
        ctx.input.room,
        ctx.input.username,
        ctx.input.reason,
        ctx.input.seconds,
      );
      return {};
    },
  }),
  'rooms.unban': op({
    auth: true,
    shape: { room: 'string', username: 'string' },
    async run(ctx) {
      await ctx.core.rooms.unban(me(ctx), ctx.input.room, ctx.input.username);
      return {};
    },
  }),
  'rooms.bans': op({
    auth: true,
    shape: { room: 'string' },
    async run(ctx) {
      return { bans: await ctx.core.rooms.bans(me(ctx), ctx.input.room) };
    },
  }),
  'rooms.mute': op({
    auth: true,
    shape: { room: 'string', username: 'string', on: 'boolean?' },
    async run(ctx) {
      return {
        member: await ctx.core.rooms.mute(
          me(ctx),
          ctx.input.room,
          ctx.input.username,
          ctx.input.on,
        ),
      };
    },
  }),
  'rooms.notify': op({
    auth: true,
    shape: { room: 'string', notify: 'string' },
    run: (ctx) =>
      ctx.core.rooms.setNotify(me(ctx), ctx.input.room, ctx.input.notify, ctx.connectionId),
  }),
  'rooms.send': op({
    auth: true,
    shape: {
      room: 'string',
      clientId: 'string',
      text: 'text',
      replyTo: 'string|null?',
      attachments: 'strings?',
    },
    async run(ctx) {
      const { kind: _room, ...sent } = await ctx.core.sender.send(me(ctx), {
        to: { room: ctx.input.room },
        clientId: ctx.input.clientId,
        text: ctx.input.text,
        replyTo: ctx.input.replyTo,
        ...(ctx.input.attachments ? { attachments: ctx.input.attachments } : {}),
        ...(ctx.connectionId ? { connectionId: ctx.connectionId } : {}),
      });
      return roomSentView(sent as RoomSendResult);
    },
  }),
  'rooms.edit': op({
    auth: true,
    shape: { room: 'string', id: 'string', text: 'text' },
    run: async (ctx) =>
      roomSentView(
        await ctx.core.roomChat.edit(
          me(ctx),
          ctx.input.room,
          ctx.input.id,
          ctx.input.text,
          ctx.connectionId,
        ),
      ),
  }),
  'rooms.delete': op({
    auth: true,
    shape: { room: 'string', id: 'string' },
    run: async (ctx) =>
      roomSentView(
        await ctx.core.roomChat.remove(me(ctx), ctx.input.room, ctx.input.id, ctx.connectionId),
      ),
  }),
  'rooms.react': op({
    auth: true,
    shape: { room: 'string', id: 'string', emoji: 'string', on: 'boolean?' },
    run: async (ctx) =>
      roomSentView(
        await ctx.core.roomChat.react(
          me(ctx),
          ctx.input.room,
          ctx.input.id,
          ctx.input.emoji,
          ctx.input.on,
          ctx.connectionId,
        ),
      ),
  }),
  'rooms.history': op({
    auth: true,
    shape: { room: 'string', before: 'number?', after: 'number?', limit: 'number?' },
    async run(ctx) {
      const page = await ctx.core.roomChat.history(me(ctx), {
        room: ctx.input.room,
        before: ctx.input.before,
        after: ctx.input.after,
        limit: ctx.input.limit,
      });
      return { ...page, messages: page.messages.map(roomMessageView) };
    },
  }),
  'rooms.search': op({
    auth: true,
    shape: { room: 'string', q: 'string', before: 'string?', limit: 'number?' },
    async run(ctx) {
      const found = await ctx.core.roomChat.search(me(ctx), {
        room: ctx.input.room,
        q: ctx.input.q,
        before: ctx.input.before,
        limit: ctx.input.limit,
      });
      return {
        ...found,
        results: found.results.map((r) => ({ ...r, message: roomMessageView(r.message) })),
      };
    },
  }),
  'rooms.events': op({
    auth: true,
    shape: { room: 'string', after: 'number?', limit: 'number?' },
    async run(ctx) {
      const page = await ctx.core.roomChat.events(me(ctx), {
        room: ctx.input.room,
        after: ctx.input.after,
        limit: ctx.input.limit,
      });
      return { ...page, events: page.events.map(nativeEvent) };
    },
  }),
  'rooms.mark': op({
    auth: true,
    shape: { room: 'string', read: 'number' },
    async run(ctx) {
      return {
        marker: await ctx.core.roomChat.mark(
          me(ctx),
          ctx.input.room,
          ctx.input.read,
          ctx.connectionId,
        ),
      };
    },
  }),
  'rooms.typing': op({
    auth: true,
    shape: { room: 'string', state: 'string' },
    async run(ctx) {
      await ctx.core.roomChat.typing(me(ctx), ctx.input.room, ctx.input.state);
      return {};
    },
  }),
};
