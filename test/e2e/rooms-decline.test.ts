import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/** Issue 15, bug 20: an invitation can be turned down, and the room's members see it. */
for (const backend of everyStoreBackend()) {
  describeOn(backend)(`rooms.decline (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 100000 } });
    });
    afterAll(async () => {
      await node?.dispose();
    });

    async function person() {
      const c = node.client();
      const name = uname('d');
      await c.register(name, 'password123');
      return { c, name };
    }
    let n = 0;
    const roomName = () => `decl${process.pid % 1000}-${++n}`;

    it('declining drops the invitation, tells the members, and keeps a private room shut', async () => {
      const a = await person();
      const b = await person();
      const name = roomName();
      await a.c.rooms.create(name, { visibility: 'private' });
      await a.c.rooms.invite(name, b.name);
      const aWs = await a.c.connect();
      // b's other device is told too, and can replay it from b's log.
      const bOther = node.client();
      await bOther.login(b.name, 'password123');
      const bWs = await bOther.connect();
      const told = aWs.next('room.member');
      const mine = bWs.next('room.declined');
      await b.c.rooms.decline(`#${name.toUpperCase()}`);
      expect(await told).toMatchObject({ change: 'declined', user: { username: b.name } });
      const entry = await mine;
      expect(entry).toMatchObject({ room: { name } });
      const log = await bOther.sync(0);
      expect(log.events.map((e) => e.name)).toContain('room.declined');
      bWs.close();
      expect((await b.c.rooms.mine()).invites).toEqual([]);
      await expect(b.c.rooms.join(name)).rejects.toMatchObject({ condition: 'forbidden' });
      const line = (await a.c.rooms.events(name, 0)).events.at(-1);
      expect(line?.data).toMatchObject({ change: 'declined', user: { username: b.name } });
      // Invited again, b may join as before.
      await a.c.rooms.invite(name, b.name);
      await b.c.rooms.join(name);
      aWs.close();
    });

    it('declining with no invitation is refused and changes nothing', async () => {
      const a = await person();
      const b = await person();
      const name = roomName();
      await a.c.rooms.create(name);
      const head = (await a.c.rooms.events(name, 0)).events.length;
      await expect(b.c.rooms.decline(name)).rejects.toMatchObject({
        condition: 'not-found',
        field: 'room',
      });
      await expect(b.c.rooms.decline('no-such-room-here')).rejects.toMatchObject({
        condition: 'not-found',
      });
      // A member has no invitation either.
      await expect(a.c.rooms.decline(name)).rejects.toMatchObject({ condition: 'not-found' });
      expect((await a.c.rooms.events(name, 0)).events).toHaveLength(head);
    });
  });
}
