import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ParleyConnection } from '../../src/sdk/connection.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { openWatched } from '../helpers/presence.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * `filtered.changed` (docs/protocol.md 5.43): the owner of a filtered folder hears
 * that a message was held, released or cleared; the sender never hears a thing.
 */
const PASSWORD = 'correct horse battery';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`filtered folder events (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    const open: ParleyConnection[] = [];

    beforeAll(async () => {
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 1_000_000 } });
    });
    afterEach(() => {
      for (const c of open.splice(0)) c.close();
    });
    afterAll(async () => {
      await node?.dispose();
    });

    it('held, then released on one device and cleared on another: each device is told', async () => {
      const a = node.client();
      const aName = uname('fa');
      const aToken = (await a.register(aName, PASSWORD)).token;
      const b = node.client();
      const bName = uname('fb');
      const bToken = (await b.register(bName, PASSWORD)).token;
      await a.addFilter('spam');
      const phone = await openWatched(node, aToken);
      const laptop = await openWatched(node, aToken);
      const sender = await openWatched(node, bToken);
      open.push(phone.conn, laptop.conn, sender.conn);

      const ok = await b.sendMessage(aName, 'fine words', 'f-0');
      const one = await b.sendMessage(aName, 'cheap SPAM here', 'f-1');
      const two = await b.sendMessage(aName, 'more spam', 'f-2');
      for (const d of [phone, laptop]) {
        const held = (id: string) => (e: { name: string; data: Record<string, unknown> }) =>
          e.name === 'filtered.changed' && e.data.messageId === id;
        expect(await d.inbox.take(held(one.message.id), 'held 1')).toEqual({
          change: 'held',
          messageId: one.message.id,
        });
        await d.inbox.take(held(two.message.id), 'held 2');
      }
      // The laptop releases one (over the WebSocket: it has the reply, the phone the event).
      await laptop.conn.request('filtered.release', { id: one.message.id });
      expect(await phone.inbox.take((e) => e.name === 'filtered.changed', 'released')).toEqual({
        change: 'released',
        messageId: one.message.id,
      });
      // The phone clears the other over REST: every connection is told.
      await a.clearFiltered(two.message.id);
      for (const d of [phone, laptop])
        expect(
          await d.inbox.take(
            (e) => e.name === 'filtered.changed' && e.data.change === 'cleared',
            'cleared',
          ),
        ).toEqual({ change: 'cleared', messageId: two.message.id });
      // A message that was not held tells nothing; the sender hears nothing of any of it.
      await laptop.inbox.drain();
      expect(
        laptop.inbox.events.filter(
          (e) => e.name === 'filtered.changed' && e.data.messageId === ok.message.id,
        ),
      ).toEqual([]);
      await sender.inbox.drain();
      expect(sender.inbox.events.filter((e) => e.name === 'filtered.changed')).toEqual([]);
    });
  });
}
