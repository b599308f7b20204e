import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import type { LogPayload, StoredMessage } from '../../src/core/messages/store.js';
import { openStore } from '../../src/store/open.js';
import { describeOn, everyStoreBackend } from '../helpers/backends.js';
import { storeOptions } from '../helpers/store-fixtures.js';

/**
 * The ConversationStore contract, on every backend: entries follow the latest
 * message each person can see (hidden and held ones move nothing for the
 * recipient), carry the read marker, the unread count and the block, page in
 * one order; and migration 0009 builds the same entries from messages stored
 * before it existed.
 */
const tag = () => randomBytes(4).toString('hex');
const conv = (a: string, b: string) => (a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`);
const payload: LogPayload = (m) => ({ name: 'message', data: { id: m.id } });
const audience = (m: StoredMessage) =>
  m.visibleToRecipient ? [m.senderId, m.recipientId] : [m.senderId];

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`conversation store contract (${backend.name})`, () => {
    it('lists by activity with markers, counts and blocks; the migration rebuilds the same', async () => {
      const m = backend.make();
      const opts = storeOptions(m);
      let store = await openStore(opts);
      try {
        const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((p) => ({
          id: newId(),
          username: `${p}${tag()}`,
        }));
        for (const u of [a!, b!, c!, d!])
          await store.accounts.createUser({
            ...u,
            passwordHash: 'x',
            createdAt: 1,
            disabled: false,
          });
        let t = 1_000;
        const send = (
          from: { id: string },
          to: { id: string },
          text: string,
          extra: { visibleToRecipient?: boolean; held?: boolean } = {},
        ) =>
          store.messages.insert(
            {
              id: newId(t),
              conversationId: conv(from.id, to.id),
              senderId: from.id,
              recipientId: to.id,
              clientId: `c${t}`,
              text,
              replyTo: null,
              createdAt: (t += 10),
              visibleToRecipient: extra.visibleToRecipient ?? true,
              ...(extra.held ? { held: true } : {}),
            },
            audience,
            payload,
          );
        await send(b!, a!, 'b1');
        await send(b!, a!, 'b2');
        await send(a!, b!, 'a3');
        await send(c!, a!, 'c1');
        // Hidden from a (a blocked d) and held by a's filters: neither moves a's list.
        await send(d!, a!, 'd1');
        await store.contacts.block(a!.id, d!.id, t);
        await send(d!, a!, 'd2 after the block', { visibleToRecipient: false });
        await send(c!, a!, 'c2 held', { held: true });
        await store.markers.advance(a!.id, conv(a!.id, b!.id), { read: 1 }, t);

        const list = await store.conversations.list(a!.id, { limit: 10 });
        expect(
          list.map((r) => [r.other.username, r.last.text, r.unread, r.read, r.blocked]),
        ).toEqual([
          [d!.username, 'd1', 1, 0, true],
          [c!.username, 'c1', 1, 0, false],
          [b!.username, 'a3', 1, 1, false],
        ]);
        // The sender of the hidden message sees it as the latest.
        expect((await store.conversations.list(d!.id, { limit: 10 }))[0]!.last.text).toBe(
          'd2 after the block',
        );
        // Paging: after the first entry come the other two, in the same order.
        const first = list[0]!;
        const rest = await store.conversations.list(a!.id, {
          limit: 10,
          before: { at: first.lastAt, conversationId: first.conversationId },
        });
        expect(rest.map((r) => r.other.username)).toEqual([c!.username, b!.username]);

        // Sends racing into one batch (group commit) move each entry once, to the latest.
        const sent = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            i % 2 ? send(b!, c!, `race ${i}`) : send(c!, b!, `race ${i}`),
          ),
        );
        const top = Math.max(...sent.map((r) => r.message.seq));
        for (const u of [b!, c!]) {
          const [entry] = await store.conversations.list(u.id, { limit: 1 });
          expect(entry!.last.seq).toBe(top);
          expect(entry!.lastAt).toBe(sent.find((r) => r.message.seq === top)!.message.createdAt);
        }

        // Rebuilt by the migration from the messages alone, the lists come out the same.
        const before = await Promise.all(
          [a!, b!, c!, d!].map((u) => store.conversations.list(u.id, { limit: 10 })),
        );
        await sql`drop table conversations`.execute(store.db);
        // Later migrations run again after it (they are written to allow that).
        await sql`delete from kysely_migration where name >= '0009_conversations'`.execute(
          store.db,
        );
        await store.close();
        store = await openStore(opts);
        const after = await Promise.all(
          [a!, b!, c!, d!].map((u) => store.conversations.list(u.id, { limit: 10 })),
        );
        expect(after).toEqual(before);
      } finally {
        await store.close();
        await m.cleanup();
      }
    });
  });
}
