import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import type { Store } from '../../src/core/store.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';

/**
 * RoomStore.transact under concurrency, on every backend. On SQLite changes
 * that arrive together share one commit (group commit): each must still be
 * all-or-nothing on its own, answered for itself, and in timeline order.
 */
for (const backend of everyStoreBackend()) {
  describeOn(backend)(`room transactions at once (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    const roomId = newId();
    const newRoom = (id: string) =>
      store.rooms.transact(id, (tx) =>
        tx.createRoom({
          id,
          name: `gc${id.slice(-8).toLowerCase()}`,
          topic: '',
          topicLocked: false,
          visibility: 'public',
          createdAt: Date.now(),
          createdBy: null,
        } as never),
      );

    beforeAll(async () => {
      ({ store, dispose } = await openTestStore(backend));
      await newRoom(roomId);
    });
    afterAll(async () => {
      await dispose?.();
    });

    it('a failing change is undone alone; the others commit in order', async () => {
      const jobs = Array.from({ length: 12 }, (_, i) =>
        store.rooms.transact(roomId, async (tx) => {
          const e = await tx.append({
            at: Date.now(),
            name: 'room.updated',
            actorId: null,
            messageId: null,
            data: { i },
          });
          // Fails after writing: its event must not survive.
          if (i % 5 === 2) throw new Error(`job ${i} fails`);
          return e.seq;
        }),
      );
      const settled = await Promise.allSettled(jobs);
      const failed = settled.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
      expect(failed).toEqual([2, 7]);
      for (const i of failed)
        expect(String((settled[i] as PromiseRejectedResult).reason)).toContain(`job ${i} fails`);
      // Job i's answer -> its seq (PostgreSQL may run them in any order; SQLite in order).
      const seqOf = new Map(
        settled.flatMap((r, i) => (r.status === 'fulfilled' ? [[i, r.value] as const] : [])),
      );
      const seqs = [...seqOf.values()].sort((a, b) => a - b);
      expect(seqs).toEqual(seqs.map((_, k) => seqs[0]! + k));

      const events = await store.rooms.events(roomId, 0, 100);
      expect(events.map((e) => e.seq)).toEqual(seqs);
      for (const e of events) expect(seqOf.get(e.data.i as number)).toBe(e.seq);
      expect([...seqOf.keys()].sort((a, b) => a - b)).toEqual([0, 1, 3, 4, 5, 6, 8, 9, 10, 11]);
      expect((await store.rooms.byId(roomId))!.head).toBe(seqs.at(-1));
    });

    it("changes that write to several users' logs, in two rooms at once, all commit (no deadlock)", async () => {
      const users: { id: string; username: string }[] = [];
      for (let i = 0; i < 3; i++) {
        const u = { id: newId(), username: `gcu${i}${roomId.slice(-6).toLowerCase()}` };
        await store.accounts.createUser({
          ...u,
          passwordHash: 'x',
          createdAt: Date.now(),
          disabled: false,
        });
        users.push(u);
      }
      const other = newId();
      await newRoom(other);
      // Room one writes to users 0, 1, 2, 0; room two to 2, 1, 0, 2: if a shared
      // transaction took several users' locks, the two would wait on each other.
      const orders: [string, number[]][] = [
        [roomId, [0, 1, 2, 0]],
        [other, [2, 1, 0, 2]],
      ];
      const jobs = orders.flatMap(([room, order]) =>
        order.map((u, k) =>
          store.rooms.transact(room, async (tx) => {
            const e = await tx.append({
              at: Date.now(),
              name: 'room.updated',
              actorId: null,
              messageId: null,
              data: { k },
            });
            // Holding a user's lock a little while makes the crossed order bite.
            const seq = await tx.userLog(users[u]!.id, 'room.invited', { room, k }, Date.now());
            await new Promise((r) => setTimeout(r, 20));
            return { room, seq, roomSeq: e.seq };
          }),
        ),
      );
      const done = await Promise.all(jobs);
      expect(done).toHaveLength(8);
      for (const [i, u] of users.entries()) {
        const log = await store.messages.log(u.id, 0, 100);
        // Every user's log is gapless and holds one entry per change aimed at them.
        expect(log.map((e) => e.seq)).toEqual(log.map((_, k) => k + 1));
        const aimed = orders.reduce((n, [, order]) => n + order.filter((x) => x === i).length, 0);
        expect(log).toHaveLength(aimed);
      }
    });
  });
}
