import { afterAll, beforeAll, expect, it } from 'vitest';
import { ParleyError } from '../../src/core/errors.js';
import {
  type Conversation,
  createHistoryService,
  type HistoryService,
  type Selector,
} from '../../src/core/history/service.js';
import { newId } from '../../src/core/ids.js';
import type { StoredMessage } from '../../src/core/messages/store.js';
import type { Store } from '../../src/core/store.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';
import { payload, storeUsers, tag } from '../helpers/store-fixtures.js';

/**
 * History by position, id and time (core/history over HistoryStore), on every
 * backend: each selector by each anchor kind, in a direct conversation and in
 * rooms; what is hidden from a reader stays out of every answer, deleted
 * messages are tombstones, a room is read from where the reader may read it;
 * targets, lookup and markers by message id; limits and bad anchors.
 */
const B = 1_800_000_000_000;
const conv = (a: string, b: string) => (a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`);
const audience = (m: StoredMessage) =>
  m.visibleToRecipient ? [m.senderId, m.recipientId] : [m.senderId];

async function errorOf(p: Promise<unknown>): Promise<ParleyError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ParleyError);
    return err as ParleyError;
  }
  throw new Error('expected a ParleyError, but the call succeeded');
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`history contract (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let history: HistoryService;
    let a: { id: string }, b: { id: string }, c: { id: string };
    let d: { id: string }, e: { id: string }, f: { id: string };
    /** Message ids by text. */
    const ids = new Map<string, string>();
    const id = (text: string) => ids.get(text)!;
    let room: string;
    let privateRoom: string;

    const direct = (from: { id: string }, to: { id: string }) => ({
      send: (text: string, at: number, extra: { hidden?: boolean; held?: boolean } = {}) =>
        store.messages
          .insert(
            {
              id: newId(B + at),
              conversationId: conv(from.id, to.id),
              senderId: from.id,
              recipientId: to.id,
              clientId: `c-${tag()}`,
              text,
              replyTo: null,
              createdAt: B + at,
              visibleToRecipient: extra.hidden !== true,
              ...(extra.held ? { held: true } : {}),
            },
            audience,
            payload,
          )
          .then((r) => ids.set(text, r.message.id)),
    });

    /** A room event at `at`; with `text`, the message it posts. */
    const roomEvent = (roomId: string, at: number, post?: { by: { id: string }; text: string }) =>
      store.rooms.transact(roomId, async (tx) => {
        const seq = await tx.nextSeq();
        const mid = newId(B + at);
        if (post) {
          await tx.insertMessage(
            {
              id: mid,
              conversationId: `room:${roomId}`,
              senderId: post.by.id,
              recipientId: roomId,
              clientId: `c-${tag()}`,
              text: post.text,
              replyTo: null,
              createdAt: B + at,
            },
            seq,
            [],
          );
          ids.set(post.text, mid);
        }
        await tx.append({
          at: B + at,
          name: post ? 'room.message' : 'room.updated',
          actorId: post?.by.id ?? null,
          messageId: post ? mid : null,
          data: {},
        });
      });

    const newRoom = (roomId: string, visibility: 'public' | 'private') =>
      store.rooms.transact(roomId, async (tx) => {
        await tx.createRoom({
          id: roomId,
          name: `h${tag()}`,
          topic: '',
          topicLocked: false,
          visibility,
          createdAt: B,
          createdBy: null,
        });
      });

    const join = (roomId: string, u: { id: string }, historyFrom: number) =>
      store.rooms.transact(roomId, (tx) =>
        tx.putMember({
          roomId,
          userId: u.id,
          role: 'member',
          muted: false,
          notify: 'all',
          joinedAt: B,
          historyFrom,
        }),
      );

    beforeAll(async () => {
      ({ store, dispose } = await openTestStore(backend));
      history = createHistoryService({
        store: store.history,
        rooms: store.rooms,
        users: {
          usernames: (ids) => store.accounts.usernames(ids),
          byUsername: (name) => store.accounts.userByUsername(name),
        },
      });
      const u = await storeUsers(store, ['a', 'b', 'c', 'd', 'e', 'f']);
      [a, b, c, d, e, f] = [u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!];

      // a and b: seq 3 is hidden from a (a blocked b), seq 5 held by a's filters,
      // seq 6 deleted later.
      const ab = direct(a, b);
      const ba = direct(b, a);
      await ab.send('d1', 100);
      await ba.send('d2', 200);
      await ba.send('d3', 300, { hidden: true });
      await ab.send('d4', 400);
      await ba.send('d5', 500, { held: true });
      await ab.send('d6', 600);
      await ba.send('d7', 700);
      await ab.send('d8', 800);
      await store.messages.update(
        id('d6'),
        () => ({ text: '', deletedAt: B + 650 }),
        audience,
        payload,
      );
      // c and a: c's only message after 50 is hidden from a.
      await direct(c, a).send('c1', 50);
      await direct(c, a).send('c2', 900, { hidden: true });

      // A public room: seq 1 and 4 are not messages, 6 is deleted; e joined at 5;
      // it became public at 4 for those looking in; f is banned.
      room = newId();
      await newRoom(room, 'public');
      await join(room, a, 1);
      await join(room, c, 1);
      await roomEvent(room, 50);
      await roomEvent(room, 100, { by: a, text: 'r2' });
      await roomEvent(room, 200, { by: c, text: 'r3' });
      await roomEvent(room, 250);
      await roomEvent(room, 300, { by: a, text: 'r5' });
      await roomEvent(room, 400, { by: c, text: 'r6' });
      await roomEvent(room, 500, { by: a, text: 'r7' });
      await join(room, e, 5);
      await store.rooms.transact(room, async (tx) => {
        await tx.updateMessage(id('r6'), { text: '', deletedAt: B + 450 });
        await tx.updateRoom({ publicSince: 4 });
        await tx.putBan({
          roomId: room,
          userId: f.id,
          by: null,
          reason: '',
          expiresAt: null,
          createdAt: B,
        });
      });
      privateRoom = newId();
      await newRoom(privateRoom, 'private');
      await join(privateRoom, a, 1);
      await roomEvent(privateRoom, 100, { by: a, text: 'p1' });
    });
    afterAll(async () => {
      await dispose?.();
    });

    const withB = (): Conversation => ({ kind: 'direct', peerId: b.id });
    const inRoom = (): Conversation => ({ kind: 'room', roomId: room });
    const read = async (
      who: { id: string },
      where: Conversation,
      selector: Selector,
      limit: number,
    ) => {
      const page = await history.read(who.id, where, selector, limit);
      return { texts: page.messages.map((m) => m.text || `(${m.seq})`), more: page.more };
    };

    it('latest: the newest page oldest first, optionally only after an anchor', async () => {
      expect(await read(a, withB(), { kind: 'latest' }, 3)).toEqual({
        texts: ['(6)', 'd7', 'd8'],
        more: true,
      });
      // Hidden from a: b's blocked message and the one held by a's filters.
      expect(await read(a, withB(), { kind: 'latest' }, 100)).toEqual({
        texts: ['d1', 'd2', 'd4', '(6)', 'd7', 'd8'],
        more: false,
      });
      // The sender sees both.
      expect(
        (await read(b, { kind: 'direct', peerId: a.id }, { kind: 'latest' }, 100)).texts,
      ).toEqual(['d1', 'd2', 'd3', 'd4', 'd5', '(6)', 'd7', 'd8']);
      for (const after of [{ seq: 4 }, { id: id('d4') }, { at: B + 400 }])
        expect(await read(a, withB(), { kind: 'latest', after }, 10)).toEqual({
          texts: ['(6)', 'd7', 'd8'],
          more: false,
        });
      expect(await read(a, withB(), { kind: 'latest', after: { id: id('d4') } }, 2)).toEqual({
        texts: ['d7', 'd8'],
        more: true,
      });
    });

    it('a deleted message is a tombstone', async () => {
      const page = await history.read(a.id, withB(), { kind: 'around', anchor: { seq: 6 } }, 1);
      expect(page.messages).toHaveLength(1);
      expect(page.messages[0]).toMatchObject({ id: id('d6'), seq: 6, text: '' });
      expect(page.messages[0]!.deletedAt).toBe(B + 650);
      expect(page.conversationId).toBe(conv(a.id, b.id));
    });

    it('before and after, by position, id and time (never the anchor itself)', async () => {
      for (const anchor of [{ seq: 6 }, { id: id('d6') }, { at: B + 600 }])
        expect(await read(a, withB(), { kind: 'before', anchor }, 2)).toEqual({
          texts: ['d2', 'd4'],
          more: true,
        });
      expect(await read(a, withB(), { kind: 'before', anchor: { at: B + 650 } }, 2)).toEqual({
        texts: ['d4', '(6)'],
        more: true,
      });
      expect(await read(a, withB(), { kind: 'before', anchor: { seq: 2 } }, 5)).toEqual({
        texts: ['d1'],
        more: false,
      });
      expect(await read(a, withB(), { kind: 'before', anchor: { seq: 1 } }, 5)).toEqual({
        texts: [],
        more: false,
      });
      for (const anchor of [{ seq: 2 }, { id: id('d2') }, { at: B + 200 }])
        expect(await read(a, withB(), { kind: 'after', anchor }, 2)).toEqual({
          texts: ['d4', '(6)'],
          more: true,
        });
      expect(await read(a, withB(), { kind: 'after', anchor: { at: B + 150 } }, 2)).toEqual({
        texts: ['d2', 'd4'],
        more: true,
      });
      expect(await read(a, withB(), { kind: 'after', anchor: { seq: 7 } }, 5)).toEqual({
        texts: ['d8'],
        more: false,
      });
      expect(await read(a, withB(), { kind: 'after', anchor: { seq: 0 } }, 2)).toEqual({
        texts: ['d1', 'd2'],
        more: true,
      });
      // The sender anchors on their own hidden message.
      const toA: Conversation = { kind: 'direct', peerId: a.id };
      expect(await read(b, toA, { kind: 'before', anchor: { id: id('d4') } }, 1)).toEqual({
        texts: ['d3'],
        more: true,
      });
    });

    it('around: both sides, the anchor message included; a short side gives way', async () => {
      for (const anchor of [{ seq: 4 }, { id: id('d4') }, { at: B + 400 }])
        expect(await read(a, withB(), { kind: 'around', anchor }, 3)).toEqual({
          texts: ['d2', 'd4', '(6)'],
          more: true,
        });
      expect(await read(a, withB(), { kind: 'around', anchor: { id: id('d8') } }, 4)).toEqual({
        texts: ['d4', '(6)', 'd7', 'd8'],
        more: true,
      });
      expect(await read(a, withB(), { kind: 'around', anchor: { id: id('d1') } }, 3)).toEqual({
        texts: ['d1', 'd2', 'd4'],
        more: true,
      });
      expect(await read(a, withB(), { kind: 'around', anchor: { seq: 5 } }, 100)).toEqual({
        texts: ['d1', 'd2', 'd4', '(6)', 'd7', 'd8'],
        more: false,
      });
    });

    it('between: exclusive at both ends, read from the first towards the second', async () => {
      expect(
        await read(a, withB(), { kind: 'between', from: { seq: 1 }, to: { seq: 8 } }, 10),
      ).toEqual({ texts: ['d2', 'd4', '(6)', 'd7'], more: false });
      expect(
        await read(a, withB(), { kind: 'between', from: { seq: 1 }, to: { seq: 8 } }, 2),
      ).toEqual({ texts: ['d2', 'd4'], more: true });
      expect(
        await read(a, withB(), { kind: 'between', from: { seq: 8 }, to: { seq: 1 } }, 2),
      ).toEqual({ texts: ['(6)', 'd7'], more: true });
      expect(
        await read(
          a,
          withB(),
          { kind: 'between', from: { id: id('d2') }, to: { at: B + 700 } },
          10,
        ),
      ).toEqual({ texts: ['d4', '(6)'], more: false });
      expect(
        await read(a, withB(), { kind: 'between', from: { at: B + 700 }, to: { id: id('d2') } }, 1),
      ).toEqual({ texts: ['(6)'], more: true });
      expect(
        await read(a, withB(), { kind: 'between', from: { at: B + 150 }, to: { at: B + 450 } }, 10),
      ).toEqual({ texts: ['d2', 'd4'], more: false });
      expect(
        await read(a, withB(), { kind: 'between', from: { seq: 3 }, to: { seq: 3 } }, 10),
      ).toEqual({ texts: [], more: false });
    });

    it('bad anchors and limits are refused; a message the reader cannot see is not found', async () => {
      const bad = async (selector: Selector, limit = 10, who = a) =>
        (await errorOf(history.read(who.id, withB(), selector, limit))).condition;
      expect(await bad({ kind: 'latest' }, 0)).toBe('bad-request');
      expect(await bad({ kind: 'latest' }, 101)).toBe('bad-request');
      expect(await bad({ kind: 'latest' }, 1.5)).toBe('bad-request');
      expect(await bad({ kind: 'before', anchor: { seq: -1 } })).toBe('bad-request');
      expect(await bad({ kind: 'after', anchor: { at: 1.5 } })).toBe('bad-request');
      expect(await bad({ kind: 'after', anchor: { id: '' } })).toBe('bad-request');
      expect(await bad({ kind: 'after', anchor: { id: 'x'.repeat(65) } })).toBe('bad-request');
      expect(await bad({ kind: 'between', from: { seq: 2 }, to: { at: B + 500 } })).toBe(
        'bad-request',
      );
      // Hidden from a (blocked, held), another conversation's, no such message.
      for (const hidden of ['d3', 'd5', 'c1', 'r2'])
        expect(await bad({ kind: 'around', anchor: { id: id(hidden) } })).toBe('not-found');
      expect(await bad({ kind: 'after', anchor: { id: newId() } })).toBe('not-found');
      expect(
        (await errorOf(history.read(a.id, { kind: 'direct', peerId: a.id }, { kind: 'latest' }, 5)))
          .condition,
      ).toBe('bad-request');
    });

    it('a room is read from where the reader may read it', async () => {
      expect(await read(a, inRoom(), { kind: 'latest' }, 10)).toEqual({
        texts: ['r2', 'r3', 'r5', '(6)', 'r7'],
        more: false,
      });
      // e joined at 5; d looks into the room, public since 4.
      for (const who of [e, d])
        expect(await read(who, inRoom(), { kind: 'latest' }, 10)).toEqual({
          texts: ['r5', '(6)', 'r7'],
          more: false,
        });
      expect(await read(e, inRoom(), { kind: 'before', anchor: { seq: 5 } }, 10)).toEqual({
        texts: [],
        more: false,
      });
      expect(
        (
          await errorOf(
            history.read(e.id, inRoom(), { kind: 'after', anchor: { id: id('r3') } }, 5),
          )
        ).condition,
      ).toBe('not-found');
      // Positions without a message (seq 4 is not one) are places all the same.
      expect(await read(a, inRoom(), { kind: 'before', anchor: { seq: 4 } }, 10)).toEqual({
        texts: ['r2', 'r3'],
        more: false,
      });
      expect(await read(a, inRoom(), { kind: 'after', anchor: { seq: 4 } }, 2)).toEqual({
        texts: ['r5', '(6)'],
        more: true,
      });
      expect(await read(a, inRoom(), { kind: 'around', anchor: { seq: 4 } }, 2)).toEqual({
        texts: ['r3', 'r5'],
        more: true,
      });
      expect(await read(c, inRoom(), { kind: 'after', anchor: { at: B + 250 } }, 10)).toEqual({
        texts: ['r5', '(6)', 'r7'],
        more: false,
      });
      expect(
        await read(
          a,
          inRoom(),
          { kind: 'between', from: { id: id('r7') }, to: { id: id('r2') } },
          10,
        ),
      ).toEqual({ texts: ['r3', 'r5', '(6)'], more: false });
      const refused = async (who: { id: string }, where: Conversation) =>
        (await errorOf(history.read(who.id, where, { kind: 'latest' }, 5))).condition;
      expect(await refused(f, inRoom())).toBe('forbidden');
      expect(await refused(d, { kind: 'room', roomId: privateRoom })).toBe('forbidden');
      expect(await refused(a, { kind: 'room', roomId: newId() })).toBe('not-found');
    });

    it('targets: conversations active between two times, with their latest time', async () => {
      const t = async (who: { id: string }, from: number, to: number, limit = 10) =>
        (await history.targets(who.id, B + from, B + to, limit)).map((x) => [
          x.conversation.kind === 'room' ? x.conversation.roomId : x.conversation.peerId,
          x.lastAt - B,
        ]);
      expect(await t(a, 0, 1000)).toEqual([
        [c.id, 50],
        [privateRoom, 100],
        [room, 500],
        [b.id, 800],
      ]);
      expect(await t(a, 90, 750)).toEqual([
        [privateRoom, 100],
        [room, 500],
        [b.id, 700],
      ]);
      // Read from the first time towards the second; returned oldest first either way.
      expect(await t(a, 0, 1000, 2)).toEqual([
        [c.id, 50],
        [privateRoom, 100],
      ]);
      expect(await t(a, 1000, 0, 2)).toEqual([
        [room, 500],
        [b.id, 800],
      ]);
      // A deleted message still marks activity; the room's last message is before.
      expect(await t(a, 550, 650)).toEqual([[b.id, 600]]);
      // Hidden from a: c's second message, b's held one.
      expect(await t(a, 850, 1000)).toEqual([]);
      expect(await t(a, 450, 550)).toEqual([[room, 500]]);
      expect(await t(c, 850, 1000)).toEqual([[a.id, 900]]);
      // e reads the room from 5 on: nothing of it before 300.
      expect(await t(e, 0, 250)).toEqual([]);
      expect(await t(e, 0, 350)).toEqual([[room, 300]]);
      expect(await t(a, 500, 500)).toEqual([]);
      expect((await errorOf(history.targets(a.id, 0, 1, 0))).condition).toBe('bad-request');
      expect((await errorOf(history.targets(a.id, -1, 1, 5))).condition).toBe('bad-request');
    });

    it('lookup: a message id to its conversation and position, for those who may see it', async () => {
      expect(await history.lookup(a.id, id('d4'))).toEqual({
        conversation: { kind: 'direct', peerId: b.id },
        conversationId: conv(a.id, b.id),
        seq: 4,
        at: B + 400,
      });
      expect(await history.lookup(b.id, id('d4'))).toMatchObject({
        conversation: { kind: 'direct', peerId: a.id },
        seq: 4,
      });
      expect(await history.lookup(b.id, id('d3'))).toMatchObject({ seq: 3 });
      expect(await history.lookup(a.id, id('d3'))).toBeUndefined();
      expect(await history.lookup(a.id, id('d5'))).toBeUndefined();
      expect(await history.lookup(c.id, id('d4'))).toBeUndefined();
      expect(await history.lookup(a.id, id('r3'))).toEqual({
        conversation: { kind: 'room', roomId: room },
        conversationId: `room:${room}`,
        seq: 3,
        at: B + 200,
      });
      expect(await history.lookup(e.id, id('r3'))).toBeUndefined();
      expect(await history.lookup(d.id, id('r5'))).toMatchObject({ seq: 5 });
      expect(await history.lookup(d.id, id('r3'))).toBeUndefined();
      expect(await history.lookup(f.id, id('r5'))).toBeUndefined();
      expect(await history.lookup(d.id, id('p1'))).toBeUndefined();
      expect(await history.lookup(a.id, newId())).toBeUndefined();
    });

    it('markers by message id resolve to its position in that conversation', async () => {
      expect(await history.markerSeq(a.id, withB(), id('d4'))).toBe(4);
      expect(await history.markerSeq(a.id, inRoom(), id('r5'))).toBe(5);
      for (const [where, msg] of [
        [withB(), 'd3'],
        [withB(), 'r5'],
        [inRoom(), 'd4'],
      ] as const)
        expect((await errorOf(history.markerSeq(a.id, where, id(msg)))).condition).toBe(
          'not-found',
        );
    });
  });
}
