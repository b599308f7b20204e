import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`contacts with consent and blocking (${backend.name})`, () => {
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
      const an = uname('ca');
      const bn = uname('cb');
      await a.register(an, 'password123');
      await b.register(bn, 'password123');
      await b.updateProfile({ displayName: 'Bee' });
      return { a, b, an, bn };
    }

    it('request, approve (mutual by default), live on both sides, same on every device', async () => {
      const { a, b, an, bn } = await pair();
      const bWs = await b.connect();
      const bOther = node.client();
      await bOther.login(bn, 'password123');
      const bOtherWs = await bOther.connect();
      const incoming = bWs.next('contact.updated');
      const incomingOther = bOtherWs.next('contact.updated');

      const mine = await a.requestContact(bn, 'hi, it is me');
      expect(mine).toMatchObject({
        username: bn,
        displayName: 'Bee',
        subscription: 'none',
        ask: true,
        inRoster: true,
      });
      expect((await incoming).contact).toMatchObject({
        username: an,
        pendingIn: true,
        note: 'hi, it is me',
        inRoster: false,
      });
      expect((await incomingOther).contact).toMatchObject({ username: an, pendingIn: true });

      const aWs = await a.connect();
      const approvedSeen = aWs.next('contact.updated');
      const approved = await b.approveContact(an);
      expect(approved).toMatchObject({
        username: an,
        subscription: 'both',
        pendingIn: false,
        inRoster: true,
      });
      expect((await approvedSeen).contact).toMatchObject({
        username: bn,
        subscription: 'both',
        ask: false,
      });
      expect((await a.contacts()).map((c) => [c.username, c.subscription])).toEqual([[bn, 'both']]);
      expect((await bOther.contacts()).map((c) => [c.username, c.subscription])).toEqual([
        [an, 'both'],
      ]);
      aWs.close();
      bWs.close();
      bOtherWs.close();
    });

    it('approve with mutual false gives one-way presence; deny and cancel take consent back', async () => {
      const { a, b, an, bn } = await pair();
      await a.requestContact(bn);
      expect(await b.approveContact(an, false)).toMatchObject({ subscription: 'from' });
      expect((await a.contacts())[0]).toMatchObject({ subscription: 'to' });
      // b stops sharing: a no longer sees b
      await b.denyContact(an);
      expect((await a.contacts())[0]).toMatchObject({
        subscription: 'none',
        ask: false,
        inRoster: true,
      });
      // a asks again, then withdraws
      await a.requestContact(bn);
      expect((await b.contacts()).find((c) => c.username === an)).toMatchObject({
        pendingIn: true,
      });
      await a.cancelContact(bn);
      // b approved a once, so a stays in b's list, with nothing pending and nothing shared
      expect((await b.contacts()).find((c) => c.username === an)).toMatchObject({
        pendingIn: false,
        subscription: 'none',
        inRoster: true,
      });
      await expect(b.approveContact(an)).rejects.toMatchObject({ condition: 'not-found' });
    });

    it('a device that was offline replays contact changes from its cursor, in order with messages', async () => {
      const { a, b, an, bn } = await pair();
      const head = (await b.sync(0)).head;
      await a.requestContact(bn, 'remember me?');
      await a.sendMessage(bn, 'hello while you were away', 'cm1');
      const heard: string[] = [];
      const ws = await b.connect({ cursor: head, onEvent: (e) => heard.push(e.name) });
      await ws.request('ping');
      expect(heard.slice(0, 3)).toEqual(['contact.updated', 'message', 'sync.done']);
      const log = (await b.sync(head)).events;
      expect(log[0]).toMatchObject({
        name: 'contact.updated',
        data: { contact: { username: an, pendingIn: true, note: 'remember me?' } },
      });
      ws.close();
    });

    it('alias and groups, and removal ends both directions', async () => {
      const { a, b, an, bn } = await pair();
      await a.requestContact(bn);
      await b.approveContact(an);
      const c = await a.updateContact(bn, {
        alias: 'Bestie',
        groups: ['Friends', 'Work', 'Friends'],
      });
      expect(c).toMatchObject({
        alias: 'Bestie',
        groups: ['Friends', 'Work'],
        subscription: 'both',
      });
      await expect(a.updateContact(bn, { groups: 'Friends' as never })).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'groups',
      });
      await expect(a.updateContact(bn, { alias: 'x'.repeat(65) })).rejects.toMatchObject({
        field: 'alias',
      });
      await a.removeContact(bn);
      expect(await a.contacts()).toEqual([]);
      expect((await b.contacts())[0]).toMatchObject({
        username: an,
        subscription: 'none',
        inRoster: true,
      });
      await expect(a.removeContact(bn)).rejects.toMatchObject({ condition: 'not-found' });
    });

    it('bad requests: unknown user, yourself, wrong types', async () => {
      const { a, an } = await pair();
      await expect(a.requestContact('nobody-at-all')).rejects.toMatchObject({
        condition: 'not-found',
      });
      await expect(a.requestContact(an)).rejects.toMatchObject({ condition: 'bad-request' });
      await expect(a.requestContact(uname(), 'n'.repeat(501))).rejects.toMatchObject({
        condition: 'bad-request',
      });
      const ws = await a.connect();
      await expect(ws.request('contacts.request', { username: 42 })).rejects.toMatchObject({
        condition: 'bad-request',
        field: 'username',
      });
      await expect(
        ws.request('contacts.approve', { username: an, mutual: 'yes' }),
      ).rejects.toMatchObject({ field: 'mutual' });
      ws.close();
    });

    it('a blocked user cannot request, is not told, and no longer finds the blocker', async () => {
      const { a, b, an, bn } = await pair();
      await b.block(an);
      expect((await b.blocked()).map((x) => x.username)).toEqual([an]);
      const bWs = await b.connect();
      const events: string[] = [];
      bWs.onAny((e) => events.push(e.name));
      // a's request seems to work from a's side...
      expect(await a.requestContact(bn)).toMatchObject({ ask: true });
      // ...but b sees nothing
      expect((await b.contacts()).find((c) => c.username === an)).toBeUndefined();
      expect((await a.search({ username: bn })).results).toEqual([]);
      await expect(a.profile(bn)).rejects.toMatchObject({ condition: 'not-found' });
      await expect(b.requestContact(an)).rejects.toMatchObject({ condition: 'conflict' });
      await bWs.request('ping'); // everything sent before the ping has arrived
      expect(events).toEqual([]);
      await b.unblock(an);
      await expect(b.unblock(an)).rejects.toMatchObject({ condition: 'not-found' });
      expect((await a.search({ username: bn })).results.map((p) => p.username)).toEqual([bn]);
      bWs.close();
    });

    it('deny and cancel need something to take back, and then tell nobody anything', async () => {
      const { a, b, bn } = await pair();
      const bWs = await b.connect();
      const events: string[] = [];
      bWs.onAny((e) => events.push(e.name));
      await expect(a.denyContact(bn)).rejects.toMatchObject({ condition: 'not-found' });
      await expect(a.cancelContact(bn)).rejects.toMatchObject({ condition: 'not-found' });
      await bWs.request('ping');
      expect(events).toEqual([]);
      expect(await b.contacts()).toEqual([]);
      bWs.close();
    });

    it('approving someone who has since blocked you does not subscribe you to them', async () => {
      const { a, b, an, bn } = await pair();
      await b.requestContact(an); // b asks to see a
      await b.block(an); // ...then blocks a
      const approved = await a.approveContact(bn); // mutual by default
      expect(approved).toMatchObject({ subscription: 'from', ask: false });
    });

    it('blocking clears their waiting request from your view, on your other devices too', async () => {
      const { a, b, an, bn } = await pair();
      await a.requestContact(bn);
      const bWs = await b.connect();
      const removed = bWs.next('contact.removed');
      await b.block(an);
      expect((await removed).username).toBe(an);
      bWs.close();
      expect((await b.contacts()).find((c) => c.username === an)).toBeUndefined();
      expect((await a.contacts())[0]).toMatchObject({ ask: true });
    });
  });
}
