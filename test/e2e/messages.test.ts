import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Message } from '../../src/sdk/types.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`direct messages (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend);
    });
    afterAll(async () => {
      await node?.dispose();
    });

    async function pair() {
      const a = node.client();
      const b = node.client();
      const an = uname('ma');
      const bn = uname('mb');
      await a.register(an, 'password123');
      await b.register(bn, 'password123');
      return { a, b, an, bn };
    }

    it('send, deliver live to the recipient and the sender’s other devices, retry without duplicates', async () => {
      const { a, b, an, bn } = await pair();
      const bWs = await b.connect();
      const aOther = node.client();
      await aOther.login(an, 'password123');
      const aOtherWs = await aOther.connect();
      const toB = bWs.next('message');
      const toAOther = aOtherWs.next('message');
      const sent = await a.sendMessage(bn, 'hello bob', 'c-1');
      expect(sent.duplicate).toBe(false);
      expect(sent.message).toMatchObject({
        text: 'hello bob',
        seq: 1,
        from: { username: an },
        to: { username: bn },
      });
      const got = await toB;
      expect(got).toMatchObject({
        change: 'new',
        seq: 1,
        message: { id: sent.message.id, text: 'hello bob' },
      });
      expect((await toAOther).message).toMatchObject({ id: sent.message.id });
      const retry = await a.sendMessage(bn, 'hello bob', 'c-1');
      expect(retry).toMatchObject({
        duplicate: true,
        seq: sent.seq,
        message: { id: sent.message.id },
      });
      const h = await b.history(an);
      expect(h.messages.map((m) => m.text)).toEqual(['hello bob']);
      bWs.close();
      aOtherWs.close();
    });

    it('edit, delete (tombstone), react, reply-to', async () => {
      const { a, b, an, bn } = await pair();
      const m1 = (await a.sendMessage(bn, 'first', 'x1')).message;
      const reply = (await b.sendMessage(an, 'answer', 'y1', m1.id)).message;
      expect(reply.replyTo).toBe(m1.id);
      await expect(b.editMessage(m1.id, 'hijack')).rejects.toMatchObject({
        condition: 'forbidden',
      });
      const edited = (await a.editMessage(m1.id, 'first, edited')).message;
      expect(edited).toMatchObject({ text: 'first, edited', editedAt: expect.any(Number) });
      const reacted = (await b.react(m1.id, '👍')).message;
      expect(reacted.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [reacted.to.userId] }]);
      const deleted = (await a.deleteMessage(m1.id)).message;
      expect(deleted).toMatchObject({ deleted: true, text: '', reactions: [] });
      await expect(a.editMessage(m1.id, 'again')).rejects.toMatchObject({ condition: 'conflict' });
      const h = await b.history(an);
      expect(h.messages.map((m: Message) => [m.text, m.deleted])).toEqual([
        ['', true],
        ['answer', false],
      ]);
    });

    it('bad input: empty or oversize text, unknown user, yourself, bad ids', async () => {
      const { a, an, bn } = await pair();
      await expect(a.sendMessage(bn, '   ', 'e1')).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'text',
      });
      await expect(a.sendMessage(bn, 'x'.repeat(16 * 1024 + 1), 'e2')).rejects.toMatchObject({
        condition: 'payload-too-large',
        field: 'text',
      });
      expect((await a.sendMessage(bn, 'x'.repeat(16 * 1024), 'e3')).message.text.length).toBe(
        16 * 1024,
      );
      await expect(a.sendMessage('nobody-here', 'hi', 'e4')).rejects.toMatchObject({
        condition: 'not-found',
        field: 'to',
      });
      await expect(a.sendMessage(an, 'hi', 'e5')).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'to',
      });
      await expect(a.sendMessage(bn, 'hi', '')).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'clientId',
      });
      await expect(a.editMessage('nope', 'x')).rejects.toMatchObject({ condition: 'not-found' });
      await expect(a.sendMessage(bn, 'hi', 'e6', 'not-a-message')).rejects.toMatchObject({
        field: 'replyTo',
      });
    });

    it('deleting scrubs the text from every log copy; repeated changes log nothing', async () => {
      const { a, b, an, bn } = await pair();
      const m = (await a.sendMessage(bn, 'secret words', 's1')).message;
      await a.editMessage(m.id, 'more secret words');
      await b.react(m.id, '🔥');
      const again = await b.react(m.id, '🔥');
      expect(again.seq).toBeNull();
      await a.deleteMessage(m.id);
      expect((await a.deleteMessage(m.id)).seq).toBeNull();
      const log = JSON.stringify((await b.sync(0)).events);
      expect(log).not.toContain('secret');
      expect((await b.sync(0)).events.map((e) => e.data.change)).toEqual([
        'new',
        'edited',
        'reaction',
        'deleted',
      ]);
      await expect(b.history(bn)).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'with',
      });
      void an;
    });

    it('a clientId reused for a different message is a conflict, not a silent duplicate', async () => {
      const { a, bn } = await pair();
      await a.sendMessage(bn, 'one thing', 'same');
      await expect(a.sendMessage(bn, 'another thing', 'same')).rejects.toMatchObject({
        condition: 'conflict',
        field: 'clientId',
      });
      expect((await a.sendMessage(bn, 'one thing', 'same')).duplicate).toBe(true);
    });

    it('a conversation with a deleted account can still be edited and deleted by the one left', async () => {
      const { a, b, bn } = await pair();
      const m = (await a.sendMessage(bn, 'bye', 'd1')).message;
      await b.deleteAccount('password123');
      expect((await a.editMessage(m.id, 'bye!')).message.text).toBe('bye!');
      expect((await a.deleteMessage(m.id)).message.deleted).toBe(true);
    });

    it('connect with a cursor and an onEvent handler hears the whole replay', async () => {
      const { a, b, an, bn } = await pair();
      await a.sendMessage(bn, 'x', 'h1');
      await a.sendMessage(bn, 'y', 'h2');
      const heard: string[] = [];
      const ws = await b.connect({
        cursor: 0,
        onEvent: (e) => heard.push(`${e.name}:${String(e.data.seq ?? e.data.cursor)}`),
      });
      await ws.request('ping');
      expect(heard).toEqual(['message:1', 'message:2', 'sync.done:2']);
      ws.close();
      void an;
    });

    it('history pages backward and forward', async () => {
      const { a, b, an, bn } = await pair();
      for (let i = 1; i <= 7; i++)
        await (i % 2 ? a.sendMessage(bn, `m${i}`, `p${i}`) : b.sendMessage(an, `m${i}`, `q${i}`));
      const last = await a.history(bn, { limit: 3 });
      expect(last.messages.map((m) => m.text)).toEqual(['m5', 'm6', 'm7']);
      expect(last.more).toBe(true);
      const before = await a.history(bn, { limit: 3, before: last.messages[0]!.seq });
      expect(before.messages.map((m) => m.text)).toEqual(['m2', 'm3', 'm4']);
      const first = await a.history(bn, { limit: 3, before: before.messages[0]!.seq });
      expect(first).toMatchObject({ more: false });
      expect(first.messages.map((m) => m.text)).toEqual(['m1']);
      const forward = await a.history(bn, { after: 2, limit: 2 });
      expect(forward.messages.map((m) => m.text)).toEqual(['m3', 'm4']);
    });

    it('offline: messages wait, and a device connecting with its cursor gets what it missed first, in order', async () => {
      const { a, b, an, bn } = await pair();
      const first = await a.sendMessage(bn, 'one', 'o1');
      const bWs = await b.connect({ cursor: 0 });
      // caught up: now b goes offline and a keeps writing
      bWs.close();
      await bWs.closed;
      await a.sendMessage(bn, 'two', 'o2');
      await a.editMessage(first.message.id, 'one!');
      await a.sendMessage(bn, 'three', 'o3');
      const page = await b.sync(0);
      expect(page.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      const again = await b.connect({ authenticate: false });
      const names: string[] = [];
      again.onAny((e) => names.push(`${e.name}:${String(e.data.seq ?? '')}`));
      const done = again.next('sync.done');
      await again.request('auth', { token: b.token!, cursor: 1 });
      expect((await done).cursor).toBe(4);
      expect(names).toEqual(['message:2', 'message:3', 'message:4', 'sync.done:']);
      again.close();
      void an;
    });
  });
}
