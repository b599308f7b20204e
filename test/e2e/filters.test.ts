import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`keyword filters and the filtered folder (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 100_000 } });
    });
    afterAll(async () => {
      await node?.dispose();
    });

    async function pair() {
      const a = node.client();
      const b = node.client();
      const an = uname('fa');
      const bn = uname('fb');
      await a.register(an, 'password123');
      await b.register(bn, 'password123');
      return { a, b, an, bn };
    }

    it('matching messages are held silently; the sender sees them sent; release and clear', async () => {
      const { a, b, an, bn } = await pair();
      expect(await b.addFilter('  Free   Money ')).toEqual(['Free Money']);
      expect(await b.addFilter('crypto')).toEqual(['crypto', 'Free Money']);
      const bWs = await b.connect();
      const events: string[] = [];
      bWs.onAny((e) =>
        events.push(
          e.name === 'filtered.changed' ? `${e.name}:${String(e.data.messageId)}` : e.name,
        ),
      );
      const spam = await a.sendMessage(bn, 'Get FREE money now!', 'f1');
      const spam2 = await a.sendMessage(bn, 'crypto crypto', 'f2');
      const fine = await a.sendMessage(bn, 'cryptography lecture at 5', 'f3');
      await bWs.request('ping');
      // only the clean one reached b; of the held ones only that the folder changed
      // (filtered.changed, no message), in the order they were sent
      expect(events).toEqual([
        `filtered.changed:${spam.message.id}`,
        `filtered.changed:${spam2.message.id}`,
        'message',
      ]);
      expect((await a.history(bn)).messages.map((m) => m.clientId)).toEqual(['f1', 'f2', 'f3']);
      expect((await b.history(an)).messages.map((m) => m.clientId)).toEqual(['f3']);
      expect((await b.sync(0)).events).toHaveLength(1);
      const folder = await b.filtered();
      expect(folder.messages.map((m) => m.clientId)).toEqual(['f2', 'f1']);
      // not found by search while held
      expect((await b.searchMessages('money')).results).toEqual([]);

      const live = bWs.next('message');
      const released = await b.release(spam.message.id);
      expect(released.seq).toBe(2);
      expect((await live).message).toMatchObject({ id: spam.message.id });
      expect((await b.history(an)).messages.map((m) => m.clientId)).toEqual(['f1', 'f3']);
      await b.clearFiltered(spam2.message.id);
      expect((await b.filtered()).messages).toEqual([]);
      expect((await b.history(an)).messages.map((m) => m.clientId)).toEqual(['f1', 'f3']);
      await expect(b.release(spam2.message.id)).rejects.toMatchObject({ condition: 'not-found' });
      // a held message its sender deletes leaves the folder (nothing stuck there)
      const spam3 = await a.sendMessage(bn, 'crypto again', 'f4');
      expect((await b.filtered()).messages.map((m) => m.id)).toEqual([spam3.message.id]);
      await a.deleteMessage(spam3.message.id);
      expect((await b.filtered()).messages).toEqual([]);
      await expect(b.addFilter('a\u0000b')).rejects.toMatchObject({
        field: 'phrase',
        message: expect.stringMatching(/NUL/),
      });
      await expect(a.release(fine.message.id)).rejects.toMatchObject({ condition: 'not-found' });
      // the released one now gets edits like any other
      const edited = bWs.next('message');
      await a.editMessage(spam.message.id, 'sorry, wrong chat');
      expect((await edited).change).toBe('edited');
      bWs.close();
    });

    it('filter list rules: duplicates ignored, removal, bad phrases refused', async () => {
      const { b } = await pair();
      await b.addFilter('spam');
      expect(await b.addFilter('SPAM')).toEqual(['spam']);
      expect(await b.removeFilter('Spam')).toEqual([]);
      await expect(b.removeFilter('spam')).rejects.toMatchObject({ condition: 'not-found' });
      await expect(b.addFilter('  ')).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'phrase',
      });
      await expect(b.addFilter('?!')).rejects.toMatchObject({ field: 'phrase' });
      await expect(b.addFilter('x'.repeat(101))).rejects.toMatchObject({ field: 'phrase' });
      for (let i = 0; i < 100; i++) await b.addFilter(`word${i}`);
      await expect(b.addFilter('one too many')).rejects.toMatchObject({ condition: 'conflict' });
    });
  });
}
