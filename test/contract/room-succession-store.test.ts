import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import type { Role } from '../../src/core/rooms/roles.js';
import type { Store } from '../../src/core/store.js';
import { openTestStore, describeOn, everyStoreBackend } from '../helpers/backends.js';

/**
 * RoomTx.heir and RoomTx.deleteRoom on every backend: who a room without an
 * owner passes to (highest role, then earliest join), and a closed room
 * leaving nothing behind (timeline, messages, members).
 */
for (const backend of everyStoreBackend()) {
  describeOn(backend)(`room succession in the store (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ store, dispose } = await openTestStore(backend));
    });
    afterAll(async () => {
      await dispose?.();
    });

    async function user(name: string): Promise<string> {
      const id = newId();
      await store.accounts.createUser({
        id,
        username: `${name}${id.slice(-6)}`,
        passwordHash: 'x',
        createdAt: Date.now(),
        disabled: false,
      });
      return id;
    }

    async function room(members: [string, Role, number][]): Promise<string> {
      const id = newId();
      await store.rooms.transact(id, async (tx) => {
        await tx.createRoom({
          id,
          name: `s${id.slice(-10)}`,
          topic: '',
          topicLocked: false,
          visibility: 'public',
          createdAt: 1,
          createdBy: null,
        });
        for (const [userId, role, joinedAt] of members)
          await tx.putMember({
            roomId: id,
            userId,
            role,
            muted: false,
            notify: 'all',
            joinedAt,
            historyFrom: 0,
          });
      });
      return id;
    }

    it('heir: the highest role first, then the earliest to join; none in an empty room', async () => {
      const [m, lateMod, earlyMod] = [await user('m'), await user('l'), await user('e')];
      const id = await room([
        [m, 'member', 1],
        [lateMod, 'moderator', 30],
        [earlyMod, 'moderator', 20],
      ]);
      const heir = await store.rooms.transact(id, (tx) => tx.heir());
      expect(heir).toMatchObject({ userId: earlyMod, role: 'moderator', joinedAt: 20 });
      expect(heir?.username).toMatch(/^e/);
      const empty = await room([]);
      expect(await store.rooms.transact(empty, (tx) => tx.heir())).toBeUndefined();
    });

    it('deleteRoom takes the timeline, messages, mentions, reactions and members with it', async () => {
      const a = await user('a');
      const id = await room([[a, 'owner', 1]]);
      const msgId = newId();
      await store.rooms.transact(id, async (tx) => {
        const seq = await tx.nextSeq();
        await tx.insertMessage(
          {
            id: msgId,
            conversationId: `room:${id}`,
            senderId: a,
            recipientId: id,
            clientId: 'c1',
            text: 'gone with the room',
            replyTo: null,
            createdAt: 2,
          },
          seq,
          [a],
        );
        await tx.append({ at: 2, name: 'room.message', actorId: a, messageId: msgId, data: {} });
        await tx.react(msgId, a, '👍', true, 3);
      });
      expect(await store.messages.byId(msgId)).toBeDefined();
      await store.rooms.transact(id, (tx) => tx.deleteRoom());
      expect(await store.rooms.byId(id)).toBeUndefined();
      expect(await store.messages.byId(msgId)).toBeUndefined();
      expect(await store.rooms.events(id, 0, 10)).toEqual([]);
      expect(await store.rooms.member(id, a)).toBeUndefined();
      expect((await store.rooms.mentionsOf([msgId])).size).toBe(0);
      expect(await store.rooms.roomIdsOf(a)).toEqual([]);
    });
  });
}
