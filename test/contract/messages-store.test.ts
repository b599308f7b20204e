import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { UserRecord } from '../../src/core/accounts/store.js';
import { newId } from '../../src/core/ids.js';
import type { LogPayload, StoredMessage } from '../../src/core/messages/store.js';
import type { Store } from '../../src/core/store.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';

/**
 * The MessageStore contract, on every backend: a message and its log entries
 * are written together or not at all; a sender's client id names one message
 * forever; conversation and per-user log sequence numbers are gapless and
 * unique however many writers race; changes are logged to exactly the users
 * the caller names; history and the log page the same way on SQLite and
 * PostgreSQL; deleting a user takes their log and reactions but leaves the
 * conversation to the other person.
 */

const tag = () => randomBytes(6).toString('hex');

type NewMessage = Parameters<Store['messages']['insert']>[0];

const conv = (a: string, b: string) => (a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`);

/** Logs the message as it is inside the transaction, so a test can see what was written. */
const payload =
  (change: string): LogPayload =>
  (m, userId) => ({
    name: 'message',
    data: {
      change,
      for: userId,
      id: m.id,
      seq: m.seq,
      text: m.text,
      deleted: m.deletedAt !== null,
      reactions: m.reactions,
    },
  });

const both = (m: StoredMessage) => [m.senderId, m.recipientId];
/** What the service does: a hidden message is logged to its sender only. */
const audience = (m: StoredMessage) =>
  m.visibleToRecipient ? [m.senderId, m.recipientId] : [m.senderId];

const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`message store contract (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    /** A page of a conversation as the native history ops read it (HistoryStore.range). */
    const history = (
      conversationId: string,
      viewerId: string,
      page: { before?: number; after?: number; limit: number },
    ) =>
      store.history.range({
        conversationId,
        viewerId,
        fromSeq: 0,
        order: page.after !== undefined ? 'asc' : 'desc',
        limit: page.limit,
        ...(page.after !== undefined ? { after: { seq: page.after } } : {}),
        ...(page.before !== undefined ? { before: { seq: page.before } } : {}),
      });

    beforeAll(async () => {
      const t = await openTestStore(backend);
      store = t.store;
      dispose = t.dispose;
    });
    afterAll(async () => {
      await dispose?.();
    });

    async function newUser(): Promise<UserRecord> {
      const u: UserRecord = {
        id: newId(),
        username: `m${tag()}`,
        passwordHash: 'hash',
        createdAt: Date.now(),
        disabled: false,
      };
      await store.accounts.createUser(u);
      return u;
    }

    let clock = 1_700_000_000_000;
    function draft(from: string, to: string, patch: Partial<NewMessage> = {}): NewMessage {
      const t = ++clock;
      return {
        id: newId(t),
        conversationId: conv(from, to),
        senderId: from,
        recipientId: to,
        clientId: `c-${tag()}`,
        text: `text ${tag()}`,
        replyTo: null,
        createdAt: t,
        visibleToRecipient: true,
        ...patch,
      };
    }

    const send = (from: string, to: string, patch: Partial<NewMessage> = {}) =>
      store.messages.insert(draft(from, to, patch), audience, payload('new'));

    /** Every log entry of a user, read in small pages. */
    async function wholeLog(userId: string) {
      const out: Awaited<ReturnType<Store['messages']['log']>> = [];
      let after = 0;
      for (;;) {
        const page = await store.messages.log(userId, after, 7);
        out.push(...page);
        if (page.length < 7) return out;
        after = page.at(-1)!.seq;
      }
    }

    it('insert stores the message as given and logs it for each user named, in the same write', async () => {
      const a = await newUser();
      const b = await newUser();
      // Characters that mean something in SQL and in PostgreSQL's array literals too.
      const d = draft(a.id, b.id, {
        text: 'héllo "wörld" \\ ✓ 👍\nline two {a,b} \'NULL\' ',
        clientId: 'client-1',
      });
      const r = await store.messages.insert(d, both, payload('new'));
      expect(r.duplicate).toBe(false);
      const want: StoredMessage = {
        ...d,
        seq: 1,
        editedAt: null,
        deletedAt: null,
        filtered: 'no',
        reactions: [],
      };
      expect(r.message).toEqual(want);
      expect(r.seqs).toEqual(
        new Map([
          [a.id, 1],
          [b.id, 1],
        ]),
      );
      expect(await store.messages.byId(d.id)).toEqual(want);
      expect(await store.messages.bySenderClientId(a.id, 'client-1')).toEqual(want);
      expect(await store.messages.bySenderClientId(b.id, 'client-1')).toBeUndefined();
      for (const u of [a, b]) {
        const log = await store.messages.log(u.id, 0, 10);
        expect(log).toEqual([
          {
            userId: u.id,
            seq: 1,
            at: d.createdAt,
            name: 'message',
            data: {
              change: 'new',
              for: u.id,
              id: d.id,
              seq: 1,
              text: d.text,
              deleted: false,
              reactions: [],
            },
            // An entry about a message comes with the message as it is now.
            message: want,
          },
        ]);
        expect(await store.messages.logHead(u.id)).toBe(1);
        expect(await store.messages.firstLogSeq(u.id, d.id)).toBe(1);
      }
      // A reply keeps its parent.
      const reply = await send(b.id, a.id, { replyTo: d.id });
      expect(reply.message).toMatchObject({ seq: 2, replyTo: d.id });
      expect((await store.messages.byId(reply.message.id))?.replyTo).toBe(d.id);
    });

    it('texts and client ids that look like array syntax or NULL are stored as they are', async () => {
      const a = await newUser();
      const b = await newUser();
      const odd = ['NULL', '{a,b}', '"', '\\', ',', ' ', '{}', '{"x":"y"}'];
      const sent = await Promise.all(
        odd.map((t) => send(a.id, b.id, { text: t, clientId: `${t}|${tag()}` })),
      );
      for (const [i, r] of sent.entries()) {
        const got = await store.messages.byId(r.message.id);
        expect(got).toMatchObject({ text: odd[i], clientId: r.message.clientId });
        expect(got?.clientId.startsWith(`${odd[i]}|`)).toBe(true);
      }
    });

    it('a failure while logging leaves nothing behind: no message, no log entry, the client id still free', async () => {
      const a = await newUser();
      const b = await newUser();
      await send(a.id, b.id);
      const d = draft(a.id, b.id, { clientId: 'doomed' });
      // The sender's entry is written first; the recipient's payload then fails.
      const failing: LogPayload = (m, userId) => {
        if (userId === b.id) throw new Error('payload failed');
        return payload('new')(m, userId);
      };
      await expect(store.messages.insert(d, both, failing)).rejects.toThrow('payload failed');
      expect(await store.messages.byId(d.id)).toBeUndefined();
      expect(await store.messages.bySenderClientId(a.id, 'doomed')).toBeUndefined();
      expect(await store.messages.logHead(a.id)).toBe(1);
      expect(await store.messages.logHead(b.id)).toBe(1);
      expect(await store.messages.firstLogSeq(a.id, d.id)).toBeUndefined();
      // The same send, retried, goes through with the next numbers: no gap was left.
      const again = await store.messages.insert(d, both, payload('new'));
      expect(again).toMatchObject({ duplicate: false, message: { id: d.id, seq: 2 } });
      expect([...again.seqs.values()]).toEqual([2, 2]);
    });

    it('a send that fails among concurrent ones fails alone: the others are stored, gapless', async () => {
      const a = await newUser();
      const b = await newUser();
      const failing: LogPayload = (m, userId) => {
        if (userId === b.id) throw new Error('payload failed');
        return payload('new')(m, userId);
      };
      // Sent together, they share one transaction (group commit).
      const doomed = draft(a.id, b.id, { clientId: 'doomed' });
      const outcomes = await Promise.allSettled([
        ...range(1, 5).map((i) => send(a.id, b.id, { text: `before ${i}` })),
        store.messages.insert(doomed, both, failing),
        ...range(1, 5).map((i) => send(b.id, a.id, { text: `after ${i}` })),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual([
        ...range(1, 5).map(() => 'fulfilled'),
        'rejected',
        ...range(1, 5).map(() => 'fulfilled'),
      ]);
      expect(await store.messages.byId(doomed.id)).toBeUndefined();
      const hist = await history(conv(a.id, b.id), a.id, { limit: 50 });
      expect(hist.map((m) => m.seq)).toEqual(range(1, 10).reverse());
      for (const user of [a, b]) {
        const log = await wholeLog(user.id);
        expect(log.map((e) => e.seq)).toEqual(range(1, 10));
        expect(log.some((e) => e.data.id === doomed.id)).toBe(false);
      }
    });

    it('a second insert with the same sender and client id writes nothing and returns the first message', async () => {
      const a = await newUser();
      const b = await newUser();
      const c = await newUser();
      const first = await send(a.id, b.id, { clientId: 'same' });
      const retry = await store.messages.insert(
        draft(a.id, b.id, { clientId: 'same', text: 'different text' }),
        both,
        payload('new'),
      );
      expect(retry.duplicate).toBe(true);
      expect(retry.message).toEqual(first.message);
      expect(retry.seqs.size).toBe(0);
      // Even to another recipient: the client id is the sender's.
      const elsewhere = await send(a.id, c.id, { clientId: 'same' });
      expect(elsewhere).toMatchObject({ duplicate: true, message: { id: first.message.id } });
      expect(await store.messages.logHead(a.id)).toBe(1);
      expect(await store.messages.logHead(b.id)).toBe(1);
      expect(await store.messages.logHead(c.id)).toBe(0);
      expect(await history(conv(a.id, c.id), a.id, { limit: 10 })).toEqual([]);
      // Another sender may use the same client id.
      const theirs = await send(b.id, a.id, { clientId: 'same' });
      expect(theirs).toMatchObject({ duplicate: false, message: { seq: 2 } });
    });

    it("sendContext reads the send's lookups at once: names, block, filters, an earlier send", async () => {
      const a = await newUser();
      const b = await newUser();
      expect(await store.messages.sendContext(a.id, b.username, 'c1')).toEqual({
        senderName: a.username,
        senderGuest: false,
        to: { id: b.id, username: b.username, guest: false },
        blocked: false,
        blocking: false,
        phrases: [],
        earlier: undefined,
      });
      // Someone else's block, or a block the other way round, is not this one.
      const c = await newUser();
      await store.contacts.block(b.id, c.id, 1);
      await store.contacts.block(a.id, b.id, 1);
      expect(await store.messages.sendContext(a.id, b.username, 'c1')).toMatchObject({
        blocked: false,
        blocking: true,
      });
      await store.contacts.block(b.id, a.id, 1);
      await store.filters.add(b.id, 'Spam Words', 1);
      await store.filters.add(b.id, 'another', 1);
      await store.filters.add(c.id, 'not b', 1);
      const first = await send(a.id, b.id, { clientId: 'c1' });
      const ctx = await store.messages.sendContext(a.id, b.username, 'c1');
      expect(ctx).toMatchObject({ blocked: true, phrases: ['another', 'Spam Words'] });
      expect(ctx.earlier).toEqual(first.message);
      // An unknown recipient; a client id is the sender's own.
      expect(await store.messages.sendContext(b.id, 'nobody-' + tag(), 'c1')).toEqual({
        senderName: b.username,
        senderGuest: false,
        to: undefined,
        blocked: false,
        blocking: false,
        phrases: [],
        earlier: undefined,
      });
      // A sender deleted meanwhile has no name.
      await store.accounts.deleteUser(c.id);
      expect(await store.messages.sendContext(c.id, a.username, 'x')).toMatchObject({
        senderName: undefined,
        to: { id: a.id },
      });
    });

    it('30 concurrent inserts from both participants (and a third user) get gapless, unique sequence numbers', async () => {
      const a = await newUser();
      const b = await newUser();
      const c = await newUser();
      const results = await Promise.all([
        ...range(1, 30).map((i) =>
          i % 2 ? send(a.id, b.id, { text: `a${i}` }) : send(b.id, a.id, { text: `b${i}` }),
        ),
        // Another conversation of a's, at the same time: a's log interleaves both.
        ...range(1, 10).map((i) => send(c.id, a.id, { text: `c${i}` })),
      ]);
      expect(results.every((r) => !r.duplicate)).toBe(true);
      const ab = results.slice(0, 30);
      expect(ab.map((r) => r.message.seq).sort((x, y) => x - y)).toEqual(range(1, 30));
      expect(
        results
          .slice(30)
          .map((r) => r.message.seq)
          .sort((x, y) => x - y),
      ).toEqual(range(1, 10));
      const seqsOf = (userId: string) =>
        results.filter((r) => r.seqs.has(userId)).map((r) => r.seqs.get(userId)!);
      expect(seqsOf(a.id).sort((x, y) => x - y)).toEqual(range(1, 40));
      expect(seqsOf(b.id).sort((x, y) => x - y)).toEqual(range(1, 30));
      expect(seqsOf(c.id).sort((x, y) => x - y)).toEqual(range(1, 10));

      // What was returned is what was stored: the history and each log agree.
      const hist = await history(conv(a.id, b.id), a.id, { limit: 100 });
      expect(hist.map((m) => m.seq)).toEqual(range(1, 30).reverse());
      for (const m of hist) {
        const r = ab.find((x) => x.message.id === m.id)!;
        expect(r.message.seq).toBe(m.seq);
      }
      for (const [user, n] of [
        [a, 40],
        [b, 30],
        [c, 10],
      ] as const) {
        const log = await wholeLog(user.id);
        expect(log.map((e) => e.seq)).toEqual(range(1, n));
        expect(new Set(log.map((e) => e.data.id)).size).toBe(n);
        for (const e of log) {
          const r = results.find((x) => x.message.id === e.data.id)!;
          expect(r.seqs.get(user.id)).toBe(e.seq);
          expect(e.data.seq).toBe(r.message.seq);
        }
        expect(await store.messages.logHead(user.id)).toBe(n);
      }
    });

    it('concurrent inserts with the same client id store one message; every caller gets it', async () => {
      const a = await newUser();
      const b = await newUser();
      const c = await newUser();
      const results = await Promise.all(
        range(1, 12).map((i) =>
          // Retries of one send, some (wrongly) addressed elsewhere: still one message.
          send(a.id, i % 3 ? b.id : c.id, { clientId: 'retried', text: `try ${i}` }),
        ),
      );
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      const winner = results.find((r) => !r.duplicate)!.message;
      for (const r of results) expect(r.message).toEqual(winner);
      expect(await store.messages.bySenderClientId(a.id, 'retried')).toEqual(winner);
      expect(await store.messages.logHead(a.id)).toBe(1);
      const other = winner.recipientId === b.id ? c : b;
      expect(await store.messages.logHead(winner.recipientId)).toBe(1);
      expect(await store.messages.logHead(other.id)).toBe(0);
      expect(await history(conv(a.id, b.id), a.id, { limit: 50 })).toHaveLength(
        winner.recipientId === b.id ? 1 : 0,
      );
      expect(await history(conv(a.id, c.id), a.id, { limit: 50 })).toHaveLength(
        winner.recipientId === c.id ? 1 : 0,
      );
    });

    it('update applies the change and logs it to the users named; a deletion clears reactions; a missing id is undefined', async () => {
      const a = await newUser();
      const b = await newUser();
      const m = (await send(a.id, b.id, { text: 'before' })).message;
      await store.messages.react(m.id, b.id, '👍', true, ++clock, audience, payload('reaction'));
      const edited = await store.messages.update(
        m.id,
        (cur) => {
          expect(cur.text).toBe('before');
          return { text: 'after', editedAt: 1234 };
        },
        audience,
        payload('edited'),
      );
      expect(edited?.message).toMatchObject({
        id: m.id,
        seq: 1,
        text: 'after',
        editedAt: 1234,
        deletedAt: null,
        reactions: [{ emoji: '👍', userIds: [b.id] }],
      });
      expect(edited?.seqs).toEqual(
        new Map([
          [a.id, 3],
          [b.id, 3],
        ]),
      );
      expect(await store.messages.byId(m.id)).toEqual(edited!.message);
      const logB = await store.messages.log(b.id, 2, 10);
      expect(logB).toEqual([
        {
          userId: b.id,
          seq: 3,
          at: 1234,
          name: 'message',
          data: expect.objectContaining({ change: 'edited', id: m.id, text: 'after' }),
          message: edited!.message,
        },
      ]);
      // The first log entry about the message stays the one a retried send answers with.
      expect(await store.messages.firstLogSeq(b.id, m.id)).toBe(1);

      const deleted = await store.messages.update(
        m.id,
        () => ({ text: '', deletedAt: 5678 }),
        audience,
        payload('deleted'),
      );
      expect(deleted?.message).toMatchObject({ text: '', deletedAt: 5678, reactions: [] });
      expect((await store.messages.byId(m.id))?.reactions).toEqual([]);
      expect((await store.messages.log(a.id, 3, 10)).map((e) => [e.seq, e.at, e.data])).toEqual([
        [4, 5678, expect.objectContaining({ change: 'deleted', deleted: true, reactions: [] })],
      ]);

      const headA = await store.messages.logHead(a.id);
      const gone = 'x'.repeat(26);
      expect(
        await store.messages.update(gone, () => ({ text: 'x' }), audience, payload('edited')),
      ).toBeUndefined();
      expect(
        await store.messages.react(gone, a.id, '👍', true, 1, audience, payload('reaction')),
      ).toBeUndefined();
      expect(await store.messages.logHead(a.id)).toBe(headA);
    });

    it('a deleted message takes no reactions, and a change that throws writes nothing', async () => {
      const a = await newUser();
      const b = await newUser();
      const m = (await send(a.id, b.id, { text: 'doomed' })).message;
      await store.messages.update(m.id, () => ({ text: '', deletedAt: 1 }), both, payload('d'));
      const head = await store.messages.logHead(b.id);
      expect(
        await store.messages.react(m.id, b.id, '👍', true, 2, both, payload('reaction')),
      ).toBeUndefined();
      expect((await store.messages.byId(m.id))?.reactions).toEqual([]);
      await expect(
        store.messages.update(
          m.id,
          (cur) => {
            expect(cur.deletedAt).toBe(1);
            throw new Error('refused');
          },
          both,
          payload('edited'),
        ),
      ).rejects.toThrow('refused');
      expect(await store.messages.byId(m.id)).toMatchObject({ text: '', deletedAt: 1 });
      expect(await store.messages.logHead(b.id)).toBe(head);
      expect(await store.messages.logHead(a.id)).toBe(head);
    });

    it('reactions: one per user and emoji, removable, grouped by emoji, logged to the audience only', async () => {
      const a = await newUser();
      const b = await newUser();
      const m = (await send(a.id, b.id)).message;
      const r1 = await store.messages.react(m.id, b.id, '👍', true, 10, audience, payload('r'));
      expect(r1?.message.reactions).toEqual([{ emoji: '👍', userIds: [b.id] }]);
      // The same reaction again changes nothing, so nothing is logged.
      const r2 = await store.messages.react(m.id, b.id, '👍', true, 11, audience, payload('r'));
      expect(r2?.message.reactions).toEqual([{ emoji: '👍', userIds: [b.id] }]);
      expect(r2?.seqs.size).toBe(0);
      await store.messages.react(m.id, a.id, '👍', true, 12, audience, payload('r'));
      const r4 = await store.messages.react(m.id, a.id, '🎉', true, 13, audience, payload('r'));
      expect(r4?.message.reactions).toEqual([
        { emoji: '👍', userIds: [b.id, a.id] },
        { emoji: '🎉', userIds: [a.id] },
      ]);
      const r5 = await store.messages.react(m.id, b.id, '👍', false, 14, audience, payload('r'));
      expect(r5?.message.reactions).toEqual([
        { emoji: '👍', userIds: [a.id] },
        { emoji: '🎉', userIds: [a.id] },
      ]);
      expect(r5?.seqs).toEqual(
        new Map([
          [a.id, 5],
          [b.id, 5],
        ]),
      );
      expect((await store.messages.byId(m.id))?.reactions).toEqual(r5?.message.reactions);
      const last = (await store.messages.log(b.id, 4, 10))[0]!;
      expect(last).toMatchObject({ seq: 5, at: 14, data: { reactions: r5?.message.reactions } });
      // Removing a reaction that is not there is harmless and logs nothing.
      const r6 = await store.messages.react(m.id, b.id, '🙃', false, 15, audience, payload('r'));
      expect(r6?.message.reactions).toEqual(r5?.message.reactions);
      expect(r6?.seqs.size).toBe(0);
      expect(await store.messages.logHead(b.id)).toBe(5);
    });

    it('changes to a hidden message are logged to its sender only', async () => {
      const a = await newUser();
      const b = await newUser();
      await send(a.id, b.id);
      const hidden = await send(a.id, b.id, { visibleToRecipient: false });
      expect(hidden.message.visibleToRecipient).toBe(false);
      expect(hidden.seqs).toEqual(new Map([[a.id, 2]]));
      const edited = await store.messages.update(
        hidden.message.id,
        () => ({ text: 'edited', editedAt: 1 }),
        audience,
        payload('edited'),
      );
      expect(edited?.seqs).toEqual(new Map([[a.id, 3]]));
      const reacted = await store.messages.react(
        hidden.message.id,
        a.id,
        '👀',
        true,
        2,
        audience,
        payload('reaction'),
      );
      expect(reacted?.seqs).toEqual(new Map([[a.id, 4]]));
      expect(reacted?.message.visibleToRecipient).toBe(false);
      expect(await store.messages.logHead(b.id)).toBe(1);
      expect((await wholeLog(b.id)).map((e) => e.data.id)).not.toContain(hidden.message.id);
      expect(await store.messages.firstLogSeq(b.id, hidden.message.id)).toBeUndefined();
      expect(await store.messages.firstLogSeq(a.id, hidden.message.id)).toBe(2);
    });

    it('history pages before, after and from the end; a hidden message is seen by its sender only', async () => {
      const a = await newUser();
      const b = await newUser();
      const c = await newUser();
      const sent: StoredMessage[] = [];
      for (const i of range(1, 9)) {
        const hidden = i === 4 || i === 7;
        const r = await send(i % 2 ? a.id : b.id, i % 2 ? b.id : a.id, {
          text: `m${i}`,
          visibleToRecipient: !hidden,
        });
        sent.push(r.message);
      }
      // Another conversation must never show up.
      await send(a.id, c.id, { text: 'elsewhere' });
      await send(c.id, b.id, { text: 'elsewhere too' });
      const id = conv(a.id, b.id);
      const texts = (ms: StoredMessage[]) => ms.map((m) => m.text);

      // Backward (no cursor, or before): newest first, `limit` rows.
      const forA = await history(id, a.id, { limit: 100 });
      const forB = await history(id, b.id, { limit: 100 });
      // m4 was sent by b (even i) while hidden: only b sees it. m7 was sent by a: only a sees it.
      expect(texts(forA)).toEqual(['m9', 'm8', 'm7', 'm6', 'm5', 'm3', 'm2', 'm1']);
      expect(texts(forB)).toEqual(['m9', 'm8', 'm6', 'm5', 'm4', 'm3', 'm2', 'm1']);
      expect(forA.map((m) => m.seq)).toEqual([9, 8, 7, 6, 5, 3, 2, 1]);
      expect(forA[0]).toEqual(sent[8]);

      // The limit counts what the viewer sees, not what is hidden from them.
      expect(texts(await history(id, a.id, { limit: 3 }))).toEqual(['m9', 'm8', 'm7']);
      expect(texts(await history(id, b.id, { limit: 3 }))).toEqual(['m9', 'm8', 'm6']);
      expect(texts(await history(id, a.id, { before: 6, limit: 2 }))).toEqual(['m5', 'm3']);
      expect(texts(await history(id, b.id, { before: 6, limit: 2 }))).toEqual(['m5', 'm4']);
      expect(texts(await history(id, a.id, { before: 1, limit: 5 }))).toEqual([]);
      expect(texts(await history(id, a.id, { before: 3, limit: 5 }))).toEqual(['m2', 'm1']);

      // Forward (after): oldest first.
      expect(texts(await history(id, a.id, { after: 0, limit: 3 }))).toEqual(['m1', 'm2', 'm3']);
      expect(texts(await history(id, a.id, { after: 3, limit: 2 }))).toEqual(['m5', 'm6']);
      expect(texts(await history(id, b.id, { after: 6, limit: 5 }))).toEqual(['m8', 'm9']);
      expect(texts(await history(id, b.id, { after: 9, limit: 5 }))).toEqual([]);
    });

    it('history returns reactions and edits with each message', async () => {
      const a = await newUser();
      const b = await newUser();
      const m1 = (await send(a.id, b.id, { text: 'one' })).message;
      const m2 = (await send(b.id, a.id, { text: 'two' })).message;
      await store.messages.react(m1.id, b.id, '👍', true, 1, both, payload('r'));
      await store.messages.react(m2.id, a.id, '❤️', true, 2, both, payload('r'));
      await store.messages.react(m2.id, b.id, '❤️', true, 3, both, payload('r'));
      await store.messages.update(m2.id, () => ({ text: 'two!', editedAt: 9 }), both, payload('e'));
      const h = await history(conv(a.id, b.id), a.id, { after: 0, limit: 10 });
      expect(h.map((m) => [m.text, m.editedAt, m.reactions])).toEqual([
        ['one', null, [{ emoji: '👍', userIds: [b.id] }]],
        ['two!', 9, [{ emoji: '❤️', userIds: [a.id, b.id] }]],
      ]);
    });

    it('log pages in order after a cursor; logHead and firstLogSeq follow it', async () => {
      const a = await newUser();
      const b = await newUser();
      expect(await store.messages.logHead(a.id)).toBe(0);
      expect(await store.messages.log(a.id, 0, 10)).toEqual([]);
      const ms: StoredMessage[] = [];
      for (const i of range(1, 12)) ms.push((await send(a.id, b.id, { text: `n${i}` })).message);
      await store.messages.update(
        ms[0]!.id,
        () => ({ text: 'n1!', editedAt: 1 }),
        both,
        payload('e'),
      );
      expect(await store.messages.logHead(a.id)).toBe(13);
      const p1 = await store.messages.log(a.id, 0, 5);
      const p2 = await store.messages.log(a.id, 5, 5);
      const p3 = await store.messages.log(a.id, 10, 5);
      expect(p1.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(p2.map((e) => e.seq)).toEqual([6, 7, 8, 9, 10]);
      expect(p3.map((e) => e.seq)).toEqual([11, 12, 13]);
      expect(p3.map((e) => e.data.text)).toEqual(['n11', 'n12', 'n1!']);
      expect(await store.messages.log(a.id, 13, 5)).toEqual([]);
      expect(await store.messages.log(a.id, 1000, 5)).toEqual([]);
      expect((await store.messages.log(a.id, 12, 1))[0]?.data).toMatchObject({ change: 'e' });
      // A user's log holds only their own entries.
      expect((await wholeLog(b.id)).every((e) => e.userId === b.id)).toBe(true);
      expect(await store.messages.firstLogSeq(a.id, ms[0]!.id)).toBe(1);
      expect(await store.messages.firstLogSeq(a.id, ms[11]!.id)).toBe(12);
      expect(await store.messages.firstLogSeq(a.id, 'no-such-message')).toBeUndefined();
      const c = await newUser();
      expect(await store.messages.firstLogSeq(c.id, ms[0]!.id)).toBeUndefined();
    });

    it('deleting a user removes their log and reactions; the other person keeps the conversation', async () => {
      const a = await newUser();
      const b = await newUser();
      const m1 = (await send(a.id, b.id, { text: 'from a' })).message;
      const m2 = (await send(b.id, a.id, { text: 'from b', replyTo: m1.id })).message;
      await store.messages.react(m1.id, b.id, '👍', true, 1, both, payload('r'));
      await store.messages.react(m1.id, a.id, '👍', true, 2, both, payload('r'));
      await store.messages.react(m2.id, b.id, '🎉', true, 3, both, payload('r'));
      const logA = await wholeLog(a.id);
      expect(await store.messages.logHead(b.id)).toBe(5);

      expect(await store.accounts.deleteUser(b.id)).toBe(true);

      expect(await store.messages.logHead(b.id)).toBe(0);
      expect(await store.messages.log(b.id, 0, 100)).toEqual([]);
      expect(await store.messages.firstLogSeq(b.id, m1.id)).toBeUndefined();
      // a's log is untouched (the messages it names lost b's reactions: they are read as they are now).
      const entries = (log: typeof logA) => log.map(({ message: _m, ...entry }) => entry);
      expect(entries(await wholeLog(a.id))).toEqual(entries(logA));
      const h = await history(conv(a.id, b.id), a.id, { after: 0, limit: 10 });
      expect(h.map((m) => [m.id, m.text, m.senderId, m.replyTo, m.reactions])).toEqual([
        [m1.id, 'from a', a.id, null, [{ emoji: '👍', userIds: [a.id] }]],
        [m2.id, 'from b', b.id, m1.id, []],
      ]);
      expect((await store.messages.byId(m2.id))?.text).toBe('from b');
      // The conversation goes on numbering from where it was (logged for a alone now).
      const next = await store.messages.insert(
        draft(a.id, b.id, { text: 'still here' }),
        (m) => [m.senderId],
        payload('new'),
      );
      expect(next.message.seq).toBe(3);
      expect(next.seqs).toEqual(new Map([[a.id, logA.length + 1]]));
    });
  });
}
