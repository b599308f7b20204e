import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`receipts and typing (${backend.name})`, () => {
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
      const an = uname('ra');
      const bn = uname('rb');
      await a.register(an, 'password123');
      await b.register(bn, 'password123');
      return { a, b, an, bn };
    }

    it('read markers give unread counts, reach own devices and the sender, never go back', async () => {
      const { a, b, an, bn } = await pair();
      for (let i = 1; i <= 3; i++) await a.sendMessage(bn, `m${i}`, `r${i}`);
      const bWs = await b.connect();
      const bOther = node.client(b.token);
      const bOtherWs = await bOther.connect();
      const aWs = await a.connect();
      let m = await bWs.request<{ marker: { unread: number; read: number } }>('messages.markers', {
        with: an,
      });
      expect(m.marker).toMatchObject({ unread: 3, read: 0 });
      const own = bOtherWs.next('marker');
      const receipt = aWs.next('receipt');
      m = await bWs.request('messages.mark', { with: an, read: 2 });
      expect(m.marker).toMatchObject({ read: 2, unread: 1 });
      expect(await own).toMatchObject({ read: 2, unread: 1, delivered: 2 });
      expect(await receipt).toMatchObject({ read: 2, delivered: 2, username: bn });
      // never back, and never past the end
      m = await bWs.request('messages.mark', { with: an, read: 1 });
      expect(m.marker).toMatchObject({ read: 2 });
      m = await bWs.request('messages.mark', { with: an, read: 99 });
      expect(m.marker).toMatchObject({ read: 3, unread: 0 });
      const seen = await aWs.request<{ marker: { theirs: { read: number } } }>('messages.markers', {
        with: bn,
      });
      expect(seen.marker.theirs).toEqual({ delivered: 3, read: 3 });
      await expect(bWs.request('messages.mark', { with: an })).rejects.toMatchObject({
        condition: 'bad-request',
      });
      await expect(bWs.request('messages.mark', { with: an, read: -1 })).rejects.toMatchObject({
        field: 'read',
      });
      bWs.close();
      bOtherWs.close();
      aWs.close();
    });

    it('with receipts turned off the other side sees none, own devices still sync', async () => {
      const { a, b, an, bn } = await pair();
      await a.sendMessage(bn, 'hello', 'z1');
      await b.updatePrivacy({ sendReceipts: false });
      const aWs = await a.connect();
      const events: string[] = [];
      aWs.onAny((e) => events.push(e.name));
      await b.connect().then(async (ws) => {
        await ws.request('messages.mark', { with: an, read: 1 });
        ws.close();
      });
      await aWs.request('ping');
      expect(events).not.toContain('receipt');
      const seen = await aWs.request<{ marker: { theirs: unknown } }>('messages.markers', {
        with: bn,
      });
      expect(seen.marker.theirs).toBeNull();
      aWs.close();
    });

    it('markers never vouch for messages hidden from you, and a blocker shares none', async () => {
      const { a, b, an, bn } = await pair();
      await a.sendMessage(bn, 'visible', 'v1');
      await b.block(an);
      await a.sendMessage(bn, 'hidden from b', 'v2');
      const bWs = await b.connect();
      const m = await bWs.request<{ marker: { read: number } }>('messages.mark', {
        with: an,
        read: 99,
      });
      expect(m.marker.read).toBe(1); // not 2: b cannot see message 2
      const aWs = await a.connect();
      const seen = await aWs.request<{ marker: { theirs: unknown } }>('messages.markers', {
        with: bn,
      });
      expect(seen.marker.theirs).toBeNull(); // b blocked a
      const fresh = await bWs.request<{ marker: { theirs: unknown } }>('messages.markers', {
        with: an,
      });
      expect(fresh.marker.theirs).toEqual({ delivered: 0, read: 0 }); // a shares, never marked
      aWs.close();
      bWs.close();
    });

    it('typing start/stop reaches the other person, carries an expiry, is never stored', async () => {
      const { a, b, an, bn } = await pair();
      const bWs = await b.connect();
      const aWs = await a.connect();
      const typing = bWs.next('typing');
      await aWs.request('typing', { to: bn, state: 'start' });
      expect(await typing).toMatchObject({ username: an, state: 'start', expiresInMs: 6000 });
      const stop = bWs.next('typing');
      await aWs.request('typing', { to: bn, state: 'stop' });
      expect(await stop).toMatchObject({ state: 'stop' });
      await expect(aWs.request('typing', { to: bn, state: 'maybe' })).rejects.toMatchObject({
        field: 'state',
      });
      expect((await b.sync(0)).events).toEqual([]);
      aWs.close();
      bWs.close();
    });
  });
}
