import { ParleyError } from '../../core/errors.js';
import { VERSION } from '../../version.js';
import type { SendResult } from '../../core/messages/service.js';
import { syncEntry } from './events.js';
import { checkShape } from './json.js';
import { messageView, searchResultView, sentView } from './views.js';
import { authed, op, type Op, type OpContext } from './op.js';
import { ROOM_OPS } from './room-ops.js';

/**
 * The native protocol's operations, one table for both transports: a REST
 * route and a WebSocket frame of the same name run the same entry, so they
 * cannot drift apart. See docs/protocol.md.
 */
export const OPS: Record<string, Op> = {
  ping: op({
    auth: false,
    shape: {},
    run: async () => ({ time: Date.now() }),
  }),
  'server.info': op({
    auth: false,
    shape: {},
    run: async ({ core }) => ({
      software: 'parley',
      version: VERSION,
      registration: core.accounts.registrationPolicy(),
      minPasswordLength: core.accounts.minPasswordLength(),
    }),
  }),
  'account.register': op({
    auth: false,
    shape: { username: 'string', password: 'prose', invite: 'string?', device: 'prose?' },
    run: ({ core, input, address }) =>
      core.accounts.register({
        username: input.username,
        password: input.password,
        invite: input.invite,
        device: input.device,
        address,
      }),
  }),
  'session.login': op({
    auth: false,
    shape: { username: 'string', password: 'prose', device: 'prose?' },
    run: ({ core, input, address }) =>
      core.accounts.login({
        username: input.username,
        password: input.password,
        device: input.device,
        address,
      }),
  }),
  'me.get': op({
    auth: true,
    shape: {},
    async run(ctx) {
      const a = authed(ctx);
      const profile = await ctx.core.profiles.get(a.user.id);
      return {
        user: { id: a.user.id, username: a.user.username, createdAt: a.user.createdAt },
        session: { id: a.session.id, device: a.session.device },
        profile,
      };
    },
  }),
  'profile.update': op({
    auth: true,
    shape: {
      displayName: 'prose?',
      birthYear: 'number|null?',
      city: 'prose?',
      country: 'prose?',
      about: 'prose?',
      searchable: 'boolean?',
    },
    async run(ctx) {
      const profile = await ctx.core.profiles.update(
        authed(ctx).user.id,
        ctx.input,
        ctx.connectionId,
      );
      return { profile };
    },
  }),
  'profile.get': op({
    auth: true,
    shape: { username: 'string' },
    async run(ctx) {
      return {
        profile: await ctx.core.profiles.view(authed(ctx).user.id, ctx.input.username),
      };
    },
  }),
  'directory.search': op({
    auth: true,
    shape: {
      username: 'string?',
      name: 'string?',
      city: 'string?',
      ageMin: 'number?',
      ageMax: 'number?',
      after: 'string?',
      limit: 'number?',
    },
    run: (ctx) => ctx.core.profiles.search(authed(ctx).user.id, ctx.input),
  }),
  'sessions.list': op({
    auth: true,
    shape: {},
    async run(ctx) {
      const a = authed(ctx);
      return { sessions: await ctx.core.accounts.sessions(a.user.id), current: a.session.id };
    },
  }),
  'sessions.revoke': op({
    auth: true,
    shape: { id: 'string' },
    async run(ctx) {
      await ctx.core.accounts.revokeSession(authed(ctx).user.id, ctx.input.id);
      return {};
    },
  }),
  'sessions.revokeOthers': op({
    auth: true,
    shape: {},
    async run(ctx) {
      return { revoked: await ctx.core.accounts.revokeOtherSessions(authed(ctx)) };
    },
  }),
  'session.logout': op({
    auth: true,
    shape: {},
    async run(ctx) {
      await ctx.core.accounts.logout(authed(ctx));
      return {};
    },
  }),
  'password.change': op({
    auth: true,
    shape: { oldPassword: 'prose', newPassword: 'prose' },
    async run(ctx) {
      await ctx.core.accounts.changePassword(
        authed(ctx),
        ctx.input.oldPassword,
        ctx.input.newPassword,
        ctx.address,
      );
      return {};
    },
  }),
  'account.delete': op({
    auth: true,
    shape: { password: 'prose' },
    async run(ctx) {
      await ctx.core.accounts.deleteAccount(authed(ctx), ctx.input.password, ctx.address);
      return {};
    },
  }),
  'contacts.list': op({
    auth: true,
    shape: {},
    async run(ctx) {
      return { contacts: await ctx.core.contacts.list(authed(ctx).user.id) };
    },
  }),
  'contacts.request': op({
    auth: true,
    shape: { username: 'string', note: 'prose?' },
    async run(ctx) {
      return {
        contact: await ctx.core.contacts.request(
          authed(ctx).user.id,
          ctx.input.username,
          ctx.input.note,
        ),
      };
    },
  }),
  'contacts.approve': op({
    auth: true,
    shape: { username: 'string', mutual: 'boolean?' },
    async run(ctx) {
      return {
        contact: await ctx.core.contacts.approve(
          authed(ctx).user.id,
          ctx.input.username,
          ctx.input.mutual,
        ),
      };
    },
  }),
  'contacts.deny': op({
    auth: true,
    shape: { username: 'string' },
    async run(ctx) {
      return { contact: await ctx.core.contacts.deny(authed(ctx).user.id, ctx.input.username) };
    },
  }),
  'contacts.cancel': op({
    auth: true,
    shape: { username: 'string' },
    async run(ctx) {
      return { contact: await ctx.core.contacts.cancel(authed(ctx).user.id, ctx.input.username) };
    },
  }),
  'contacts.remove': op({
    auth: true,
    shape: { username: 'string' },
    async run(ctx) {
      await ctx.core.contacts.remove(authed(ctx).user.id, ctx.input.username);
      return {};
    },
  }),
  'contacts.update': op({
    auth: true,
    shape: { username: 'string', alias: 'prose?', groups: 'strings?' },
    async run(ctx) {
      const patch: { alias?: string; groups?: readonly string[] } = {};
      if (ctx.input.alias !== undefined) patch.alias = ctx.input.alias;
      if (ctx.input.groups !== undefined) patch.groups = ctx.input.groups;
      return {
        contact: await ctx.core.contacts.update(authed(ctx).user.id, ctx.input.username, patch),
      };
    },
  }),
  'blocks.list': op({
    auth: true,
    shape: {},
    async run(ctx) {
      return { blocked: await ctx.core.contacts.blocked(authed(ctx).user.id) };
    },
  }),
  'blocks.add': op({
    auth: true,
    shape: { username: 'string' },
    async run(ctx) {
      await ctx.core.contacts.block(authed(ctx).user.id, ctx.input.username);
      return {};
    },
  }),
  'blocks.remove': op({
    auth: true,
    shape: { username: 'string' },
    async run(ctx) {
      await ctx.core.contacts.unblock(authed(ctx).user.id, ctx.input.username);
      return {};
    },
  }),
  'presence.set': op({
    auth: true,
    shape: { show: 'string', status: 'prose?' },
    async run(ctx) {
      const a = authed(ctx);
      // Presence belongs to a live connection; over REST there is none.
      const session = ctx.core.sessions
        .of(a.user.id)
        .find((s) => s.connectionId === ctx.connectionId);
      if (!session)
        throw new ParleyError('bad-request', 'presence is set on a WebSocket connection');
      return { presence: await ctx.core.presence.set(session, ctx.input.show, ctx.input.status) };
    },
  }),
  'presence.choose': op({
    auth: true,
    shape: { show: 'string', status: 'prose?' },
    async run(ctx) {
      return ctx.core.presence.choose(
        authed(ctx).user.id,
        ctx.input.show,
        ctx.input.status,
        ctx.connectionId,
      );
    },
  }),
  'presence.chosen': op({
    auth: true,
    shape: {},
    async run(ctx) {
      return { chosen: await ctx.core.presence.chosen(authed(ctx).user.id) };
    },
  }),
  'presence.list': op({
    auth: true,
    shape: {},
    async run(ctx) {
      return { contacts: await ctx.core.presence.snapshot(authed(ctx).user.id) };
    },
  }),
  'privacy.get': op({
    auth: true,
    shape: {},
    async run(ctx) {
      const id = authed(ctx).user.id;
      return {
        showLastSeen: await ctx.core.presence.showLastSeen(id),
        sendReceipts: await ctx.core.receipts.sendReceipts(id),
        linkPreviews: await ctx.core.previews.enabledFor(id),
      };
    },
  }),
  'privacy.update': op({
    auth: true,
    shape: { showLastSeen: 'boolean?', sendReceipts: 'boolean?', linkPreviews: 'boolean?' },
    async run(ctx) {
      const id = authed(ctx).user.id;
      if (ctx.input.linkPreviews !== undefined)
        await ctx.core.previews.setEnabledFor(id, ctx.input.linkPreviews);
      if (ctx.input.sendReceipts !== undefined)
        await ctx.core.receipts.setSendReceipts(id, ctx.input.sendReceipts);
      if (ctx.input.showLastSeen !== undefined)
        await ctx.core.presence.setShowLastSeen(id, ctx.input.showLastSeen);
      return {
        showLastSeen: await ctx.core.presence.showLastSeen(id),
        sendReceipts: await ctx.core.receipts.sendReceipts(id),
        linkPreviews: await ctx.core.previews.enabledFor(id),
      };
    },
  }),
  'previews.get': op({
    auth: true,
    shape: { url: 'string' },
    run: (ctx) => ctx.core.previews.preview(authed(ctx).user.id, ctx.input.url),
  }),
  'messages.send': op({
    auth: true,
    shape: {
      to: 'string',
      clientId: 'string',
      text: 'text',
      replyTo: 'string|null?',
      attachments: 'strings?',
    },
    async run(ctx) {
      const { kind: _direct, ...sent } = await ctx.core.sender.send(authed(ctx).user.id, {
        to: { user: ctx.input.to },
        clientId: ctx.input.clientId,
        text: ctx.input.text,
        replyTo: ctx.input.replyTo,
        ...(ctx.input.attachments ? { attachments: ctx.input.attachments } : {}),
        ...(ctx.connectionId ? { connectionId: ctx.connectionId } : {}),
      });
      return sentView(sent as SendResult);
    },
  }),
  'messages.edit': op({
    auth: true,
    shape: { id: 'string', text: 'text' },
    run: async (ctx) =>
      sentView(
        await ctx.core.messages.edit(
          authed(ctx).user.id,
          ctx.input.id,
          ctx.input.text,
          ctx.connectionId,
        ),
      ),
  }),
  'messages.delete': op({
    auth: true,
    shape: { id: 'string' },
    run: async (ctx) =>
      sentView(await ctx.core.messages.remove(authed(ctx).user.id, ctx.input.id, ctx.connectionId)),
  }),
  'messages.react': op({
    auth: true,
    shape: { id: 'string', emoji: 'string', on: 'boolean?' },
    run: async (ctx) =>
      sentView(
        await ctx.core.messages.react(
          authed(ctx).user.id,
          ctx.input.id,
          ctx.input.emoji,
          ctx.input.on,
          ctx.connectionId,
        ),
      ),
  }),
  'messages.history': op({
    auth: true,
    shape: { with: 'string', before: 'number?', after: 'number?', limit: 'number?' },
    async run(ctx) {
      const page = await ctx.core.messages.history(authed(ctx).user.id, {
        with: ctx.input.with,
        before: ctx.input.before,
        after: ctx.input.after,
        limit: ctx.input.limit,
      });
      return { ...page, messages: page.messages.map(messageView) };
    },
  }),
  'conversations.list': op({
    auth: true,
    shape: { before: 'string?', limit: 'number?' },
    run: (ctx) =>
      ctx.core.conversations.list(authed(ctx).user.id, {
        before: ctx.input.before,
        limit: ctx.input.limit,
      }),
  }),
  'messages.search': op({
    auth: true,
    shape: { q: 'string', with: 'string?', before: 'string?', limit: 'number?' },
    async run(ctx) {
      const found = await ctx.core.messages.search(authed(ctx).user.id, {
        q: ctx.input.q,
        with: ctx.input.with,
        before: ctx.input.before,
        limit: ctx.input.limit,
      });
      return { ...found, results: found.results.map(searchResultView) };
    },
  }),
  'filters.list': op({
    auth: true,
    shape: {},
    async run(ctx) {
      return { filters: await ctx.core.messages.filters(authed(ctx).user.id) };
    },
  }),
  'filters.add': op({
    auth: true,
    shape: { phrase: 'string' },
    async run(ctx) {
      return { filters: await ctx.core.messages.addFilter(authed(ctx).user.id, ctx.input.phrase) };
    },
  }),
  'filters.remove': op({
    auth: true,
    shape: { phrase: 'string' },
    async run(ctx) {
      return {
        filters: await ctx.core.messages.removeFilter(authed(ctx).user.id, ctx.input.phrase),
      };
    },
  }),
  'filtered.list': op({
    auth: true,
    shape: { before: 'string?', limit: 'number?' },
    async run(ctx) {
      const page = await ctx.core.messages.held(authed(ctx).user.id, {
        before: ctx.input.before,
        limit: ctx.input.limit,
      });
      return { ...page, messages: page.messages.map(messageView) };
    },
  }),
  'filtered.release': op({
    auth: true,
    shape: { id: 'string' },
    run: async (ctx) =>
      sentView(
        await ctx.core.messages.release(authed(ctx).user.id, ctx.input.id, ctx.connectionId),
      ),
  }),
  'filtered.clear': op({
    auth: true,
    shape: { id: 'string' },
    async run(ctx) {
      await ctx.core.messages.clearHeld(authed(ctx).user.id, ctx.input.id, ctx.connectionId);
      return {};
    },
  }),
  sync: op({
    auth: true,
    shape: { after: 'number?', limit: 'number?' },
    async run(ctx) {
      const page = await ctx.core.messages.sync(
        authed(ctx).user.id,
        ctx.input.after,
        ctx.input.limit,
      );
      return { ...page, events: page.events.map(syncEntry) };
    },
  }),
  'messages.mark': op({
    auth: true,
    shape: { with: 'string', delivered: 'number?', read: 'number?' },
    async run(ctx) {
      const req: { with: string; delivered?: number; read?: number } = { with: ctx.input.with };
      if (ctx.input.delivered !== undefined) req.delivered = ctx.input.delivered;
      if (ctx.input.read !== undefined) req.read = ctx.input.read;
      return { marker: await ctx.core.receipts.mark(authed(ctx).user.id, req, ctx.connectionId) };
    },
  }),
  'messages.markers': op({
    auth: true,
    shape: { with: 'string' },
    async run(ctx) {
      return { marker: await ctx.core.receipts.markers(authed(ctx).user.id, ctx.input.with) };
    },
  }),
  typing: op({
    auth: true,
    shape: { to: 'string', state: 'string' },
    async run(ctx) {
      await ctx.core.receipts.typing(authed(ctx).user.id, ctx.input.to, ctx.input.state);
      return {};
    },
  }),
  ...ROOM_OPS,
};

export async function runOp(name: string, ctx: OpContext, rawInput: unknown): Promise<unknown> {
  const op = Object.hasOwn(OPS, name) ? OPS[name] : undefined;
  if (!op) throw new ParleyError('bad-request', `unknown request type "${name.slice(0, 40)}"`);
  if (op.auth && !ctx.auth) throw new ParleyError('not-authenticated', 'sign in first');
  const input = checkShape(rawInput ?? {}, op.shape);
  const auth = ctx.auth;
  if (!auth) return op.run({ ...ctx, input });
  return ctx.core.accounts.asSession(auth, () => op.run({ ...ctx, input }));
}
