import { afterAll, beforeAll, expect, it } from 'vitest';
import { ParleyError } from '../../src/core/errors.js';
import {
  type ArchiveQuery,
  createHistoryService,
  type HistoryService,
} from '../../src/core/history/service.js';
import { newId } from '../../src/core/ids.js';
import type { StoredMessage } from '../../src/core/messages/store.js';
import type { Store } from '../../src/core/store.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';
import { payload, storeUsers, tag } from '../helpers/store-fixtures.js';

/**
 * A user's archive of direct messages (HistoryService.archive over
 * HistoryStore.archive, what XEP-0313 MAM reads), on every backend: one
 * conversation or all of them in the order the user heard of each, bounds by
 * id and time in both directions, and never a deleted, hidden or held message.
 */
const B = 1_900_000_000_000;
const conv = (a: string, b: string) => (a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`);
const audience = (m: StoredMessage) =>
  m.visibleToRecipient ? [m.senderId, m.recipientId] : [m.senderId];

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`archive contract (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let history: HistoryService;
    let a: { id: string; username: string };
    let b: { id: string; username: string };
    let c: { id: string; username: string };
    const ids = new Map<string, string>();
    const id = (text: string) => ids.get(text)!;

    const send = async (
      from: { id: string },
      to: { id: string },
      text: string,
      at: number,
      extra: { hidden?: boolean; held?: boolean } = {},
    ) => {
      const r = await store.messages.insert(
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
      );
      ids.set(text, r.message.id);
    };
    const texts = (p: { messages: { text: string }[] }) => p.messages.map((m) => m.text);
    const read = (who: { id: string }, q: Partial<ArchiveQuery>) =>
      history.archive(who.id, { from: 'start', limit: 50, ...q });

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
      const u = await storeUsers(store, ['a', 'b', 'c']);
      [a, b, c] = [u[0]!, u[1]!, u[2]!];
      await send(a, b, 'm1', 1);
      await send(b, a, 'm2', 2);
      await send(c, a, 'm3', 3);
      await send(b, a, 'm4', 4, { hidden: true });
      await send(a, b, 'm5', 5);
      await send(b, a, 'm6', 6, { held: true });
      await send(a, c, 'm7', 7);
      // An edit logs m1 again: it keeps its first place. A deletion takes m5 out.
      await store.messages.update(
        id('m1'),
        () => ({ text: 'm1 edited', editedAt: B + 8 }),
        audience,
        payload,
      );
      await store.messages.update(
        id('m5'),
        () => ({ text: '', deletedAt: B + 9 }),
        audience,
        payload,
      );
    });
    afterAll(() => dispose());

    it('holds what the user may read, in the order they heard of it', async () => {
      expect(texts(await read(a, {}))).toEqual(['m1 edited', 'm2', 'm3', 'm7']);
      // The sender keeps what the recipient never saw (blocked, held).
      expect(texts(await read(b, {}))).toEqual(['m1 edited', 'm2', 'm4', 'm6']);
      expect(texts(await read(a, { with: b.username }))).toEqual(['m1 edited', 'm2']);
      expect(texts(await read(c, { with: a.username }))).toEqual(['m3', 'm7']);
    });

    it('pages both ways by id, and bounds by time', async () => {
      const first = await read(a, { limit: 2 });
      expect([texts(first), first.more]).toEqual([['m1 edited', 'm2'], true]);
      const next = await read(a, { limit: 2, afterId: id('m2') });
      expect([texts(next), next.more]).toEqual([['m3', 'm7'], false]);
      const last = await read(a, { from: 'end', limit: 1 });
      expect([texts(last), last.more]).toEqual([['m7'], true]);
      const older = await read(a, { from: 'end', limit: 5, beforeId: id('m7') });
      expect([texts(older), older.more]).toEqual([['m1 edited', 'm2', 'm3'], false]);
      expect(texts(await read(a, { start: B + 2, end: B + 3 }))).toEqual(['m2', 'm3']);
      expect(texts(await read(a, { afterId: id('m1'), beforeId: id('m7') }))).toEqual(['m2', 'm3']);
      expect(texts(await read(a, { with: b.username, from: 'end', limit: 1 }))).toEqual(['m2']);
      // A deleted message still marks its place.
      expect(texts(await read(a, { afterId: id('m5') }))).toEqual(['m7']);
    });

    it('refuses anchors the user may not read, and bad bounds', async () => {
      for (const q of [
        { afterId: id('m4') },
        { beforeId: id('m6') },
        { afterId: 'nope' },
        { with: b.username, afterId: id('m3') },
      ]) {
        const err = await read(a, q).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ParleyError);
        expect((err as ParleyError).condition).toBe('not-found');
      }
      for (const q of [{ limit: 0 }, { limit: 101 }, { start: -1 }, { with: a.username }]) {
        const err = await read(a, q).catch((e: unknown) => e);
        expect((err as ParleyError).condition).toBe('bad-request');
      }
    });

    it('finds archived messages by id, leaving out the rest', async () => {
      const found = await history.archiveByIds(a.id, [
        id('m7'),
        id('m1'),
        id('m4'),
        id('m5'),
        id('m6'),
        'unknown',
      ]);
      expect(found.map((m) => m.text)).toEqual(['m1 edited', 'm7']);
      const withB = await history.archiveByIds(a.id, [id('m7'), id('m2')], b.username);
      expect(withB.map((m) => m.text)).toEqual(['m2']);
    });
  });
}
