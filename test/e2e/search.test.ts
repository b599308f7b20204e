import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`message search (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend);
    });
    afterAll(async () => {
      await node?.dispose();
    });

    async function trio() {
      const [a, b, c] = [node.client(), node.client(), node.client()];
      const [an, bn, cn] = [uname('sa'), uname('sb'), uname('sc')];
      await a.register(an, 'password123');
      await b.register(bn, 'password123');
      await c.register(cn, 'password123');
      return { a, b, c, an, bn, cn };
    }

    it('finds words in your own conversations only, newest first, with highlighted snippets', async () => {
      const { a, b, c, an, bn, cn } = await trio();
      await a.sendMessage(bn, 'Let us meet at the Café Nordlys tomorrow', 'q1');
      await b.sendMessage(an, 'The cafe is closed on Mondays', 'q2');
      await c.sendMessage(bn, 'cafe gossip between b and c', 'q3');
      await a.sendMessage(bn, 'unrelated text', 'q4');
      const r = await a.searchMessages('CAFE');
      // Case does not matter; accents do (café is not cafe), on both engines alike.
      expect(r.results.map((x) => x.message.clientId)).toEqual(['q2']);
      expect((await a.searchMessages('café')).results.map((x) => x.message.clientId)).toEqual([
        'q1',
      ]);
      expect(r.results[0]!.snippet).toContain('\u0002cafe\u0003');
      const inConv = await b.searchMessages('cafe', { with: cn });
      expect(inConv.results.map((x) => x.message.clientId)).toEqual(['q3']);
      expect((await b.searchMessages('nordlys tomorrow')).results).toHaveLength(1);
      expect((await b.searchMessages('nordlys mondays')).results).toHaveLength(0);
    });

    it('a word matches as a prefix ("go" finds "going"), in every conversation and room at once', async () => {
      const { a, b, c, an, cn } = await trio();
      await b.sendMessage(an, 'Are you going to the market?', 'g1');
      await c.sendMessage(an, 'Gone fishing, back at noon', 'g2');
      await a.sendMessage(cn, 'A good idea', 'g3');
      await b.sendMessage(cn, 'going somewhere a cannot see', 'g4');
      const room = `#go${Date.now() % 100000}`;
      await a.rooms.create(room);
      await a.rooms.send(room, 'Gorgeous weather in the room', 'g5');
      const texts = async (q: string) =>
        (await a.searchMessages(q)).results.map((x) => x.message.text).sort();
      expect(await texts('go')).toEqual([
        'A good idea',
        'Are you going to the market?',
        'Gone fishing, back at noon',
        'Gorgeous weather in the room',
      ]);
      // Every word must match, each as a prefix; a word is never matched in its middle.
      expect(await texts('go mark')).toEqual(['Are you going to the market?']);
      expect(await texts('oing')).toEqual([]);
      // One letter is a whole word only (else it would match nearly everything).
      expect(await texts('a')).toEqual(['A good idea']);
      const hit = (await a.searchMessages('goi')).results[0]!;
      expect(hit.snippet).toContain('\u0002going\u0003');
      expect((await b.searchMessages('go', { with: an })).results).toHaveLength(1);
    });

    it('pages, ignores query syntax, skips deleted messages and refuses bad input', async () => {
      const { a, bn } = await trio();
      for (let i = 0; i < 5; i++) await a.sendMessage(bn, `apple number ${i}`, `p${i}`);
      const p1 = await a.searchMessages('apple', { limit: 2 });
      expect(p1.results.map((x) => x.message.clientId)).toEqual(['p4', 'p3']);
      const p2 = await a.searchMessages('apple', { limit: 2, before: p1.next! });
      expect(p2.results.map((x) => x.message.clientId)).toEqual(['p2', 'p1']);
      const p3 = await a.searchMessages('apple', { limit: 2, before: p2.next! });
      expect(p3.results.map((x) => x.message.clientId)).toEqual(['p0']);
      expect(p3.next).toBeUndefined();
      await a.deleteMessage(p1.results[0]!.message.id);
      expect((await a.searchMessages('apple')).results).toHaveLength(4);
      // FTS5 / tsquery syntax is just words here
      expect((await a.searchMessages('apple" OR NOT * NEAR(x')).results.length).toBe(0);
      expect(
        (await a.searchMessages('"apple" number:3')).results.map((x) => x.message.clientId),
      ).toEqual(['p3']);
      await expect(a.searchMessages('  ** ')).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'q',
      });
      await expect(a.searchMessages('x'.repeat(201))).rejects.toMatchObject({ field: 'q' });
      await expect(a.searchMessages('apple', { before: 'garbage' })).rejects.toMatchObject({
        field: 'before',
      });
      await expect(a.searchMessages('apple', { limit: 51 })).rejects.toMatchObject({
        field: 'limit',
      });
      const me = (await a.me()).user.username;
      await expect(a.searchMessages('apple', { with: me })).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'with',
      });
    });
  });
}
