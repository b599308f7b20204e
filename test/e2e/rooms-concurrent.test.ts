import { afterAll, beforeAll, expect, it } from 'vitest';
import { ParleyApiError } from '../../src/sdk/errors.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * Many room changes at once (on SQLite they share one commit: group commit in
 * src/store/sql/rooms.ts): each is answered for itself. A refused one (a muted
 * member) changes nothing and spoils no other; a retried client id is stored
 * once; the timeline stays gapless and in the order the answers gave.
 */
const PASSWORD = 'correct horse battery';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`concurrent room sends (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend, {
        limits: { requests_per_minute_per_address: 1_000_000 },
        messages: { per_second: 100_000, burst: 100_000 },
      });
    });
    afterAll(async () => {
      await node?.dispose();
    });

    it('answers each send for itself, refusals and retries included', async () => {
      const owner = node.client();
      const talker = node.client();
      const muted = node.client();
      const [o, t, m] = [uname('co'), uname('ct'), uname('cm')];
      await owner.register(o, PASSWORD);
      await talker.register(t, PASSWORD);
      await muted.register(m, PASSWORD);
      const room = `conc${process.pid % 1000}`;
      await owner.rooms.create(room);
      await talker.rooms.join(room);
      await muted.rooms.join(room);
      await owner.rooms.mute(room, m);
      const before = await owner.rooms.events(room, 0, 200);

      const sends = [];
      for (let i = 0; i < 40; i++) {
        sends.push(talker.rooms.send(room, `talk ${i}`, `t-${i}`));
        sends.push(owner.rooms.send(room, `own ${i}`, `o-${i}`));
        if (i % 4 === 0) sends.push(muted.rooms.send(room, `muted ${i}`, `m-${i}`));
        // The same client id twice at once: one message, two identical answers.
        if (i % 10 === 0) sends.push(talker.rooms.send(room, `talk ${i}`, `t-${i}`));
      }
      const results = await Promise.allSettled(sends);
      const refused = results.filter((r) => r.status === 'rejected');
      expect(refused).toHaveLength(10);
      for (const r of refused) {
        const err = (r as PromiseRejectedResult).reason as ParleyApiError;
        expect(err).toBeInstanceOf(ParleyApiError);
        expect(err.condition).toBe('forbidden');
      }
      const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(ok).toHaveLength(84);
      const byClient = new Map<string, { id: string; roomSeq: number | null }[]>();
      for (const r of ok) {
        const list = byClient.get(r.message.clientId) ?? [];
        list.push({ id: r.message.id, roomSeq: r.roomSeq });
        byClient.set(r.message.clientId, list);
      }
      expect(byClient.size).toBe(80);
      for (const list of byClient.values()) expect(new Set(list.map((x) => x.id)).size).toBe(1);

      const after = await owner.rooms.events(room, before.cursor, 200);
      const messages = after.events.filter((e) => e.name === 'room.message');
      expect(messages).toHaveLength(80);
      const seqs = after.events.map((e) => e.data.roomSeq as number);
      expect(seqs).toEqual(seqs.map((_, i) => before.cursor + 1 + i));
      const texts = messages.map((e) => (e.data.message as { text: string }).text);
      expect(texts.some((x) => x.startsWith('muted'))).toBe(false);
      // Each answer's roomSeq is where its message is in the timeline.
      for (const e of messages) {
        const msg = e.data.message as { clientId: string };
        expect(byClient.get(msg.clientId)![0]!.roomSeq).toBe(e.data.roomSeq);
      }
    });
  });
}
