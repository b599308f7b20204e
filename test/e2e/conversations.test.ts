import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/sdk/client.js';
import type { ConversationSummary } from '../../src/sdk/types.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { raw } from '../helpers/http.js';
import { startSingle, uname } from '../helpers/server.js';

/** Messages sent in one millisecond tie on activity: a pause keeps the order under test unambiguous. */
const tick = () => new Promise((r) => setTimeout(r, 3));

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`the conversation list (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 100_000 } });
    });
    afterAll(async () => {
      await node?.dispose();
    });

    async function person(prefix: string): Promise<{ c: ParleyClient; name: string }> {
      const c = node.client();
      const name = uname(prefix);
      await c.register(name, 'password123');
      return { c, name };
    }

    const names = (list: ConversationSummary[]) => list.map((x) => x.with.username);

    it('is empty at first, then ordered by the latest message either way', async () => {
      const a = await person('ca');
      const b = await person('cb');
      const c = await person('cc');
      expect(await a.c.conversations()).toEqual({ conversations: [] });
      await a.c.sendMessage(b.name, 'hello b', 'o1');
      await tick();
      await a.c.sendMessage(c.name, 'hello c', 'o2');
      await tick();
      expect(names((await a.c.conversations()).conversations)).toEqual([c.name, b.name]);
      // A message from b, not one to b, moves b to the top too.
      await b.c.sendMessage(a.name, 'hi a, b here', 'o3');
      const list = (await a.c.conversations()).conversations;
      expect(names(list)).toEqual([b.name, c.name]);
      const first = list[0]!;
      expect(first.with).toMatchObject({ username: b.name, displayName: null });
      expect(first.last).toMatchObject({
        seq: 2,
        from: { username: b.name },
        text: 'hi a, b here',
        truncated: false,
        deleted: false,
        editedAt: null,
      });
      expect(first).toMatchObject({ read: 0, unread: 1, blocked: false });
      expect(first.lastAt).toBe(first.last.createdAt);
      expect(first.conversationId).toMatch(/^dm:/);
      // b sees its side: one conversation, its own message last, a's hello unread.
      const theirs = (await b.c.conversations()).conversations;
      expect(names(theirs)).toEqual([a.name]);
      expect(theirs[0]).toMatchObject({ unread: 1, last: { from: { username: b.name } } });
      // The same operation over the WebSocket.
      const ws = await a.c.connect();
      const overWs = await ws.request<{ conversations: ConversationSummary[] }>(
        'conversations.list',
        { limit: 1 },
      );
      expect(names(overWs.conversations)).toEqual([b.name]);
      ws.close();
    });

    it('unread follows the read marker; display names show', async () => {
      const a = await person('ua');
      const b = await person('ub');
      await b.c.updateProfile({ displayName: 'Bea Beta' });
      for (let i = 1; i <= 3; i++) await b.c.sendMessage(a.name, `m${i}`, `u${i}`);
      await a.c.sendMessage(b.name, 'mine do not count', 'u4');
      let [entry] = (await a.c.conversations()).conversations;
      expect(entry).toMatchObject({ unread: 3, read: 0, with: { displayName: 'Bea Beta' } });
      const ws = await a.c.connect();
      await ws.markRead(b.name, 2);
      [entry] = (await a.c.conversations()).conversations;
      expect(entry).toMatchObject({ unread: 1, read: 2 });
      await ws.markRead(b.name, 4);
      [entry] = (await a.c.conversations()).conversations;
      expect(entry).toMatchObject({ unread: 0, read: 4 });
      ws.close();
    });

    it('edits and deletions show in the preview without moving the conversation', async () => {
      const a = await person('ea');
      const b = await person('eb');
      const c = await person('ec');
      const sent = await a.c.sendMessage(b.name, 'first draft', 'e1');
      await tick();
      await a.c.sendMessage(c.name, 'to c', 'e2');
      await a.c.editMessage(sent.message.id, 'second draft');
      let list = (await a.c.conversations()).conversations;
      expect(names(list)).toEqual([c.name, b.name]);
      expect(list[1]!.last).toMatchObject({ text: 'second draft', deleted: false });
      expect(list[1]!.last.editedAt).toBeTypeOf('number');
      await a.c.deleteMessage(sent.message.id);
      list = (await b.c.conversations()).conversations;
      expect(list[0]!.last).toMatchObject({ id: sent.message.id, text: '', deleted: true });
      // A deleted message is not unread.
      expect(list[0]!.unread).toBe(0);
    });

    it('long text is cut to 100 characters, whole characters only', async () => {
      const a = await person('la');
      const b = await person('lb');
      const text = '🍵'.repeat(150);
      await a.c.sendMessage(b.name, text, 'l1');
      const [entry] = (await b.c.conversations()).conversations;
      expect(entry!.last.truncated).toBe(true);
      expect([...entry!.last.text]).toHaveLength(100);
      expect(entry!.last.text).toBe('🍵'.repeat(100));
    });

    it('filtered messages neither show nor count until released', async () => {
      const a = await person('fa');
      const b = await person('fb');
      await a.c.sendMessage(b.name, 'a fine hello', 'f1');
      await b.c.addFilter('lottery');
      await tick();
      const spam = await a.c.sendMessage(b.name, 'You won the lottery', 'f2');
      let [entry] = (await b.c.conversations()).conversations;
      expect(entry).toMatchObject({ unread: 1, last: { text: 'a fine hello', seq: 1 } });
      // The sender sees what they sent.
      expect((await a.c.conversations()).conversations[0]!.last.text).toBe('You won the lottery');
      await b.c.release(spam.message.id);
      [entry] = (await b.c.conversations()).conversations;
      expect(entry).toMatchObject({ unread: 2, last: { text: 'You won the lottery', seq: 2 } });
    });

    it('a blocked person moves nothing; the conversation stays, marked blocked', async () => {
      const a = await person('ba');
      const b = await person('bb');
      const c = await person('bc');
      await b.c.sendMessage(a.name, 'before the block', 'b1');
      await tick();
      await c.c.sendMessage(a.name, 'from c', 'b2');
      await a.c.block(b.name);
      await tick();
      await b.c.sendMessage(a.name, 'after the block', 'b3');
      const list = (await a.c.conversations()).conversations;
      expect(names(list)).toEqual([c.name, b.name]);
      expect(list[1]).toMatchObject({
        blocked: true,
        unread: 1,
        last: { text: 'before the block' },
      });
      // The blocked sender sees their own message as the latest, and is not told.
      const theirs = (await b.c.conversations()).conversations;
      expect(theirs[0]).toMatchObject({ blocked: false, last: { text: 'after the block' } });
    });

    it('pages by `next`; a deleted account leaves the list', async () => {
      const a = await person('pa');
      const others = [await person('pb'), await person('pc'), await person('pd')];
      for (const [i, o] of others.entries()) {
        await o.c.sendMessage(a.name, `hi ${i}`, `p${i}`);
        await tick();
      }
      const one = await a.c.conversations({ limit: 2 });
      expect(names(one.conversations)).toEqual([others[2]!.name, others[1]!.name]);
      expect(one.next).toBeTypeOf('string');
      const two = await a.c.conversations({ limit: 2, before: one.next! });
      expect(names(two.conversations)).toEqual([others[0]!.name]);
      expect(two.next).toBeUndefined();
      await others[1]!.c.deleteAccount('password123');
      expect(names((await a.c.conversations()).conversations)).toEqual([
        others[2]!.name,
        others[0]!.name,
      ]);
    });

    it('refuses bad paging with a clear error and the field named', async () => {
      const a = await person('ha');
      const get = (qs: string) =>
        raw(node.url, 'GET', `/api/v1/conversations${qs}`, {
          headers: { authorization: `Bearer ${a.c.token}` },
        });
      const cases: [string, string, RegExp][] = [
        ['?limit=0', 'limit', /limit must be a whole number from 1 to 100/],
        ['?limit=101', 'limit', /from 1 to 100/],
        ['?limit=-5', 'limit', /from 1 to 100/],
        ['?limit=1.5', 'limit', /must be number/],
        ['?limit=lots', 'limit', /must be number/],
        ['?before=nonsense', 'before', /before must be a `next` value/],
        ['?before=1.dm:x:y', 'before', /before must be a `next` value/],
        ['?before=12345', 'before', /must be string/],
        [`?before=${'9'.repeat(5000)}`, 'before', /before must be a `next` value/],
        [`?before=${'a'.repeat(9000)}`, 'before', /too long/],
        ['?limit=1&limit=2', 'limit', /repeated/],
        ['?sort=asc', 'sort', /unknown field/],
        ['?__proto__=1', '__proto__', /unknown field/],
      ];
      for (const [qs, field, text] of cases) {
        const r = await get(qs);
        expect(r.status, qs.slice(0, 40)).toBe(400);
        const err = (r.body as { error: { condition: string; text: string; field?: string } })
          .error;
        expect(err.condition).toBe('bad-request');
        expect(err.field).toBe(field);
        expect(err.text).toMatch(text);
      }
      expect((await raw(node.url, 'GET', '/api/v1/conversations')).status).toBe(401);
      const ws = await a.c.connect();
      await expect(ws.request('conversations.list', { limit: '5' })).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'limit',
      });
      await expect(ws.request('conversations.list', { before: 7 })).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'before',
      });
      await expect(ws.request('conversations.list', { limit: 1e300 })).rejects.toMatchObject({
        field: 'limit',
      });
      ws.close();
    });
  });
}
