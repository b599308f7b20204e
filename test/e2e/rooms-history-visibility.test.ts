import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { startSingle } from '../helpers/server.js';
import { type Person, refusedWith, signUp } from '../helpers/people.js';

/**
 * A private room made public does not publish what was said while it was
 * private: anyone who was not in it then (looking in, or joining after) reads
 * from the switch on, in history, search, the timeline, counts and previews;
 * those who were members keep all of it.
 */

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`history of a room made public (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend, { limits: { requests_per_minute_per_address: 100000 } });
    });
    afterAll(async () => {
      await node?.dispose();
    });

    const people = (n: number) => signUp(node, n, 'v');

    let counter = 0;
    const roomName = () => `vis${process.pid % 1000}-${++counter}`;

    const refused = refusedWith;

    const texts = async (p: Person, name: string) =>
      (await p.c.rooms.history(name)).messages.map((m) => m.text);

    it('those not in it while private read from the switch on; members keep everything', async () => {
      const [owner, insider, visitor, joiner] = await people(4);
      const name = roomName();
      const secret = `papaya${counter}`;
      await owner!.c.rooms.create(name, { visibility: 'private', topic: 'plans' });
      await owner!.c.rooms.invite(name, insider!.name);
      await insider!.c.rooms.join(name);
      const hidden = await insider!.c.rooms.send(name, `the ${secret} plan`, 'p1');
      await owner!.c.rooms.send(name, `agreed on ${secret}`, 'p2');

      await owner!.c.rooms.update(name, { visibility: 'public' });
      const switchSeq = (await owner!.c.rooms.get(name)).room.head;
      // Someone joining before anything new is said sees no preview and nothing unread.
      await joiner!.c.rooms.join(name);
      const mine = (await joiner!.c.rooms.mine()).rooms.find((r) => r.name === name)!;
      expect(mine).toMatchObject({ last: null, unread: 0, mentions: 0 });
      await owner!.c.rooms.send(name, `open to all, not ${counter} papayas`, 'p3');
      await owner!.c.rooms.send(name, `@${joiner!.name} welcome`, 'p4');

      // Looking in, and having joined since: from the switch on, everywhere.
      for (const p of [visitor!, joiner!]) {
        expect(await texts(p, name)).toEqual([
          `open to all, not ${counter} papayas`,
          `@${joiner!.name} welcome`,
        ]);
        expect((await p.c.rooms.search(name, secret)).results).toEqual([]);
        const events = (await p.c.rooms.events(name, 0)).events;
        expect(events[0]).toMatchObject({
          name: 'room.updated',
          data: { roomSeq: switchSeq, changes: { visibility: 'public' } },
        });
        expect(JSON.stringify(events)).not.toContain(`the ${secret} plan`);
        // Naming an earlier message by id does not reach it either.
        expect((await p.c.rooms.history(name, { before: switchSeq })).messages).toEqual([]);
      }
      expect((await joiner!.c.searchMessages(secret)).results).toEqual([]);
      await refused(joiner!.c.rooms.react(name, hidden.message.id, '👀'), 'not-found');
      const counts = (await joiner!.c.rooms.mine()).rooms.find((r) => r.name === name)!;
      expect(counts).toMatchObject({ unread: 2, mentions: 1, last: { text: expect.any(String) } });
      expect(await joiner!.c.rooms.markRead(name, 0)).toMatchObject({ unread: 2, mentions: 1 });

      // Those who were in it keep all of it.
      for (const p of [owner!, insider!]) {
        expect(await texts(p, name)).toHaveLength(4);
        expect((await p.c.rooms.search(name, secret)).results).toHaveLength(2);
        expect((await p.c.rooms.events(name, 0)).events[0]).toMatchObject({
          name: 'room.created',
        });
      }
      expect((await insider!.c.searchMessages(secret)).results).toHaveLength(2);
    });

    it('a room public from the start shows all of its history to anyone', async () => {
      const [owner, visitor] = await people(2);
      const name = roomName();
      await owner!.c.rooms.create(name);
      await owner!.c.rooms.send(name, 'first words', 'f1');
      expect(await texts(visitor!, name)).toEqual(['first words']);
      expect((await visitor!.c.rooms.events(name, 0)).events[0]).toMatchObject({
        name: 'room.created',
      });
      await visitor!.c.rooms.join(name);
      expect(await texts(visitor!, name)).toEqual(['first words']);
    });
  });
}
