import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRecord } from '../../src/core/accounts/store.js';
import { emptyRow } from '../../src/core/contacts/rules.js';
import type { ContactRow } from '../../src/core/contacts/store.js';
import { newId } from '../../src/core/ids.js';
import type { Store } from '../../src/core/store.js';
import type { Contact } from '../../src/sdk/types.js';
import { describeOn, everyStoreBackend, openTestStore } from '../helpers/backends.js';
import { startSingle, uname } from '../helpers/server.js';

/**
 * The ContactStore contract: both rows of a relation change together or not at
 * all, reads come back exactly as written, blocks are directional, deleting a
 * user leaves nothing of them behind, and concurrent changes to one pair never
 * lose an update (SQLite and PostgreSQL alike).
 */

function tag(): string {
  return randomBytes(6).toString('hex');
}

/** A row with every field set to something other than its default. */
function fullRow(owner: string, contact: string, patch: Partial<ContactRow> = {}): ContactRow {
  return {
    ownerId: owner,
    contactId: contact,
    inRoster: true,
    subTo: true,
    subFrom: false,
    askOut: false,
    pendingIn: true,
    noteIn: 'a note with "quotes", \\ and ünïcödé ✓',
    alias: 'Ally',
    groups: ['Friends', 'Work'],
    updatedAt: 1_700_000_000_123,
    approved: true,
    ...patch,
  };
}

for (const backend of everyStoreBackend()) {
  describeOn(backend)(`contact store contract (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      const t = await openTestStore(backend);
      store = t.store;
      dispose = t.dispose;
    });
    afterAll(async () => {
      await dispose?.();
    });

    async function newUser(username = `u${tag()}`, displayName?: string): Promise<UserRecord> {
      const u: UserRecord = {
        id: newId(),
        username,
        passwordHash: `hash-of-${username}`,
        createdAt: Date.now(),
        disabled: false,
      };
      await store.accounts.createUser(u);
      if (displayName !== undefined) await store.profiles.updateProfile(u.id, { displayName });
      return u;
    }

    /** Both rows of a pair as the store holds them (read through changePair, writing them back unchanged). */
    async function read(a: string, b: string) {
      return store.contacts.changePair(a, b, (ab, ba) => ({
        ab: ab ?? null,
        ba: ba ?? null,
        result: { ab, ba },
      }));
    }

    /** The owner's rows, without the joined username and display name. */
    async function rowsOf(ownerId: string): Promise<ContactRow[]> {
      return (await store.contacts.contactsOf(ownerId)).map(
        ({ username: _u, displayName: _d, avatar: _a, ...r }) => r,
      );
    }

    describe('changePair', () => {
      it('creates both rows from nothing, and reads them back field for field', async () => {
        const a = await newUser();
        const b = await newUser();
        const seen: unknown[] = [];
        const ab = fullRow(a.id, b.id);
        const ba = fullRow(b.id, a.id, {
          inRoster: false,
          subTo: false,
          subFrom: true,
          askOut: true,
          pendingIn: false,
          noteIn: '',
          alias: '',
          groups: [],
          updatedAt: 1_700_000_000_456,
        });
        const result = await store.contacts.changePair(a.id, b.id, (x, y) => {
          seen.push(x, y);
          return { ab, ba, result: 'done' };
        });
        expect(result).toBe('done');
        expect(seen).toEqual([undefined, undefined]);

        expect(await read(a.id, b.id)).toEqual({ ab, ba });
        // The other order hands the rows over the other way round.
        expect(await read(b.id, a.id)).toEqual({ ab: ba, ba: ab });
        expect(await rowsOf(a.id)).toEqual([ab]);
        expect(await rowsOf(b.id)).toEqual([ba]);
      });

      it('updates both rows, and each boolean flag round-trips on its own', async () => {
        const a = await newUser();
        const b = await newUser();
        await store.contacts.changePair(a.id, b.id, () => ({
          ab: emptyRow(a.id, b.id, 1),
          ba: emptyRow(b.id, a.id, 1),
          result: null,
        }));
        expect(await read(a.id, b.id)).toEqual({
          ab: emptyRow(a.id, b.id, 1),
          ba: emptyRow(b.id, a.id, 1),
        });
        for (const flag of ['inRoster', 'subTo', 'subFrom', 'askOut', 'pendingIn'] as const) {
          const ab = { ...emptyRow(a.id, b.id, 2), [flag]: true };
          const ba = { ...emptyRow(b.id, a.id, 3), alias: flag };
          await store.contacts.changePair(a.id, b.id, (x, y) => {
            expect(x).toBeDefined();
            expect(y).toBeDefined();
            return { ab, ba, result: null };
          });
          expect(await read(a.id, b.id)).toEqual({ ab, ba });
        }
      });

      it('null deletes one row and keeps the other; null for both deletes the pair', async () => {
        const a = await newUser();
        const b = await newUser();
        const c = await newUser();
        const ab = fullRow(a.id, b.id);
        const ba = fullRow(b.id, a.id, { alias: 'Bee' });
        const ac = fullRow(a.id, c.id);
        await store.contacts.changePair(a.id, b.id, () => ({ ab, ba, result: null }));
        await store.contacts.changePair(a.id, c.id, () => ({ ab: ac, ba: null, result: null }));

        await store.contacts.changePair(a.id, b.id, () => ({ ab: null, ba, result: null }));
        expect(await read(a.id, b.id)).toEqual({ ab: undefined, ba });

        await store.contacts.changePair(b.id, a.id, () => ({ ab: null, ba: null, result: null }));
        expect(await read(a.id, b.id)).toEqual({ ab: undefined, ba: undefined });
        expect(await rowsOf(b.id)).toEqual([]);
        // Another pair of the same user is untouched.
        expect(await rowsOf(a.id)).toEqual([ac]);
        expect(await read(a.id, c.id)).toEqual({ ab: ac, ba: undefined });
        // Deleting rows that do not exist is harmless.
        await store.contacts.changePair(b.id, c.id, () => ({ ab: null, ba: null, result: null }));
        expect(await read(b.id, c.id)).toEqual({ ab: undefined, ba: undefined });
      });

      it('when change throws, nothing is written and the error comes out unchanged', async () => {
        const a = await newUser();
        const b = await newUser();
        const boom = new Error('refused');
        await expect(
          store.contacts.changePair(a.id, b.id, () => {
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(await read(a.id, b.id)).toEqual({ ab: undefined, ba: undefined });

        const ab = fullRow(a.id, b.id);
        const ba = fullRow(b.id, a.id);
        await store.contacts.changePair(a.id, b.id, () => ({ ab, ba, result: null }));
        // A change that would rewrite both and then fails: neither row moves.
        await expect(
          store.contacts.changePair(a.id, b.id, (x, y) => {
            x!.alias = 'mutated in place';
            y!.groups.push('mutated');
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(await read(a.id, b.id)).toEqual({ ab, ba });
      });

      it('a write that fails half way (the second row is refused by the database) leaves the first row as it was', async () => {
        const a = await newUser();
        const b = await newUser();
        const ab = fullRow(a.id, b.id);
        const ba = fullRow(b.id, a.id);
        await store.contacts.changePair(a.id, b.id, () => ({ ab, ba, result: null }));
        // The second row breaks a NOT NULL column: the database refuses it after the
        // first row was already written inside the transaction.
        await expect(
          store.contacts.changePair(a.id, b.id, () => ({
            ab: { ...ab, alias: 'changed', updatedAt: 9 },
            ba: { ...ba, alias: 'changed too', noteIn: null as unknown as string },
            result: null,
          })),
        ).rejects.toThrow();
        expect(await read(a.id, b.id)).toEqual({ ab, ba });
      });

      it('20 concurrent read-modify-write changes of one pair, in both orders, lose nothing', async () => {
        const a = await newUser();
        const b = await newUser();
        const bump = (r: ContactRow | undefined, owner: string, other: string): ContactRow => ({
          ...(r ?? emptyRow(owner, other, 0)),
          inRoster: true,
          alias: String(Number(r?.alias || '0') + 1),
        });
        // Starting from no rows at all, so the first writers race on inserting them too.
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => {
            const [x, y] = i % 2 ? [a.id, b.id] : [b.id, a.id];
            return store.contacts.changePair(x, y, (xy, yx) => ({
              ab: bump(xy, x, y),
              ba: bump(yx, y, x),
              result: i,
            }));
          }),
        );
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
        const { ab, ba } = await read(a.id, b.id);
        expect(ab?.alias).toBe('20');
        expect(ba?.alias).toBe('20');
      });
    });

    describe('contactsOf', () => {
      it('lists only the owner’s rows, ordered by username, with the display name from the profile', async () => {
        const owner = await newUser();
        const p = `co${tag()}`;
        // Created out of order, with and without a display name.
        const c = await newUser(`${p}c`, 'Charlie C');
        const a = await newUser(`${p}a`);
        const d = await newUser(`${p}d-`, 'Dee');
        const b = await newUser(`${p}b`, 'Bee ✓');
        const d2 = await newUser(`${p}d.`, 'Dot');
        for (const u of [c, a, d, b, d2])
          await store.contacts.changePair(owner.id, u.id, () => ({
            ab: fullRow(owner.id, u.id, { alias: `alias of ${u.username}` }),
            // The other side exists too, but is theirs, not the owner's.
            ba: fullRow(u.id, owner.id),
            result: null,
          }));

        const list = await store.contacts.contactsOf(owner.id);
        const names = [a, b, c, d, d2].map((u) => u.username).sort();
        expect(list.map((r) => r.username)).toEqual(names);
        expect(list.map((r) => r.username)).toEqual([
          `${p}a`,
          `${p}b`,
          `${p}c`,
          `${p}d-`,
          `${p}d.`,
        ]);
        const byName = Object.fromEntries(list.map((r) => [r.username, r]));
        expect(byName[a.username]).toEqual({
          ...fullRow(owner.id, a.id, { alias: `alias of ${a.username}` }),
          username: a.username,
          displayName: '',
          avatar: null,
        });
        expect(byName[b.username]!.displayName).toBe('Bee ✓');
        expect(byName[c.username]!.displayName).toBe('Charlie C');
        expect(byName[d.username]!.displayName).toBe('Dee');

        // A later profile change shows up: the name is joined, not copied.
        await store.profiles.updateProfile(a.id, { displayName: 'Now Named' });
        expect(
          (await store.contacts.contactsOf(owner.id)).find((r) => r.contactId === a.id)
            ?.displayName,
        ).toBe('Now Named');

        // Each contact sees only their own row about the owner.
        expect((await store.contacts.contactsOf(b.id)).map((r) => r.contactId)).toEqual([owner.id]);
        expect(await store.contacts.contactsOf(newId())).toEqual([]);
      });

      it('groups round-trip exactly (order, unicode, JSON-looking names, empty list, 20 groups)', async () => {
        const owner = await newUser();
        const cases: string[][] = [
          [],
          ['one'],
          ['Zeta', 'alpha', 'Mid'],
          ['"]', '[', '{"x":1}', '\\', 'null', ''],
          ['日本語', 'émigré', '👩‍👩‍👧', 'tab\there'],
          Array.from({ length: 20 }, (_, i) => `g${i}${'x'.repeat(60)}`),
        ];
        for (const groups of cases) {
          const u = await newUser();
          const ab = fullRow(owner.id, u.id, { groups });
          await store.contacts.changePair(owner.id, u.id, () => ({ ab, ba: null, result: null }));
          expect((await read(owner.id, u.id)).ab?.groups).toEqual(groups);
          expect(
            (await store.contacts.contactsOf(owner.id)).find((r) => r.contactId === u.id)?.groups,
          ).toEqual(groups);
        }
      });
    });

    describe('blocks', () => {
      it('block, isBlocked, blocked, blockersOf and unblock; blocking twice says false', async () => {
        const p = `bl${tag()}`;
        const owner = await newUser(`${p}o`);
        const y = await newUser(`${p}y`);
        const x = await newUser(`${p}x`);
        const other = await newUser(`${p}z`);

        expect(await store.contacts.isBlocked(owner.id, y.id)).toBe(false);
        expect(await store.contacts.block(owner.id, y.id, 1_700_000_000_002)).toBe(true);
        expect(await store.contacts.block(owner.id, x.id, 1_700_000_000_001)).toBe(true);
        // A second block of the same user: false, and the first time stays.
        expect(await store.contacts.block(owner.id, y.id, 1_800_000_000_000)).toBe(false);

        expect(await store.contacts.blocked(owner.id)).toEqual([
          { userId: x.id, username: x.username, createdAt: 1_700_000_000_001 },
          { userId: y.id, username: y.username, createdAt: 1_700_000_000_002 },
        ]);
        // Directional: the blocked did not block the owner.
        expect(await store.contacts.isBlocked(owner.id, y.id)).toBe(true);
        expect(await store.contacts.isBlocked(y.id, owner.id)).toBe(false);
        expect(await store.contacts.isBlocked(owner.id, other.id)).toBe(false);
        expect(await store.contacts.blocked(y.id)).toEqual([]);
        expect(await store.contacts.blockersOf(y.id)).toEqual([owner.id]);
        expect(await store.contacts.blockersOf(owner.id)).toEqual([]);

        // y is blocked by someone else as well.
        expect(await store.contacts.block(other.id, y.id, 5)).toBe(true);
        expect((await store.contacts.blockersOf(y.id)).sort()).toEqual([owner.id, other.id].sort());

        expect(await store.contacts.unblock(owner.id, y.id)).toBe(true);
        expect(await store.contacts.unblock(owner.id, y.id)).toBe(false);
        expect(await store.contacts.unblock(y.id, owner.id)).toBe(false);
        expect(await store.contacts.isBlocked(owner.id, y.id)).toBe(false);
        expect(await store.contacts.blockersOf(y.id)).toEqual([other.id]);
        expect((await store.contacts.blocked(owner.id)).map((b) => b.userId)).toEqual([x.id]);
        // Blocking again after an unblock works and takes the new time.
        expect(await store.contacts.block(owner.id, y.id, 7)).toBe(true);
        expect((await store.contacts.blocked(owner.id)).find((b) => b.userId === y.id)).toEqual({
          userId: y.id,
          username: y.username,
          createdAt: 7,
        });
      });

      it('blocks are independent of contact rows', async () => {
        const a = await newUser();
        const b = await newUser();
        const ab = fullRow(a.id, b.id);
        await store.contacts.changePair(a.id, b.id, () => ({ ab, ba: null, result: null }));
        await store.contacts.block(a.id, b.id, 1);
        expect(await read(a.id, b.id)).toEqual({ ab, ba: undefined });
        await store.contacts.changePair(a.id, b.id, () => ({ ab: null, ba: null, result: null }));
        expect(await store.contacts.isBlocked(a.id, b.id)).toBe(true);
      });
    });

    it('deleting a user removes their contact rows on both sides and their blocks both ways', async () => {
      const gone = await newUser();
      const b = await newUser();
      const c = await newUser();
      await store.contacts.changePair(gone.id, b.id, () => ({
        ab: fullRow(gone.id, b.id),
        ba: fullRow(b.id, gone.id),
        result: null,
      }));
      await store.contacts.changePair(c.id, gone.id, () => ({
        ab: fullRow(c.id, gone.id),
        ba: null,
        result: null,
      }));
      const bc = fullRow(b.id, c.id);
      const cb = fullRow(c.id, b.id);
      await store.contacts.changePair(b.id, c.id, () => ({ ab: bc, ba: cb, result: null }));
      await store.contacts.block(gone.id, b.id, 1);
      await store.contacts.block(c.id, gone.id, 2);
      await store.contacts.block(b.id, c.id, 3);

      expect(await store.accounts.deleteUser(gone.id)).toBe(true);

      expect(await store.contacts.contactsOf(gone.id)).toEqual([]);
      expect(await read(gone.id, b.id)).toEqual({ ab: undefined, ba: undefined });
      expect(await read(c.id, gone.id)).toEqual({ ab: undefined, ba: undefined });
      expect(await rowsOf(b.id)).toEqual([bc]);
      expect(await rowsOf(c.id)).toEqual([cb]);
      expect(await store.contacts.blocked(gone.id)).toEqual([]);
      expect(await store.contacts.blockersOf(gone.id)).toEqual([]);
      expect(await store.contacts.isBlocked(gone.id, b.id)).toBe(false);
      expect(await store.contacts.isBlocked(c.id, gone.id)).toBe(false);
      expect(await store.contacts.blocked(c.id)).toEqual([]);
      expect(await store.contacts.blockersOf(b.id)).toEqual([]);
      // Blocks between the others stay.
      expect(await store.contacts.blockersOf(c.id)).toEqual([b.id]);
    });
  });

  describeOn(backend)(`contacts at the same moment through the service (${backend.name})`, () => {
    let node: Awaited<ReturnType<typeof startSingle>>;
    beforeAll(async () => {
      node = await startSingle(backend, {
        limits: { requests_per_minute_per_address: 1_000_000 },
      });
    });
    afterAll(async () => {
      await node?.dispose();
    });

    async function pair() {
      const a = node.client();
      const b = node.client();
      const an = uname('sa');
      const bn = uname('sb');
      await a.register(an, 'password123');
      await b.register(bn, 'password123');
      return { a, b, an, bn };
    }

    const flip = { none: 'none', to: 'from', from: 'to', both: 'both' } as const;

    /** Each side's view of the other mirrors it: asks match pending requests, to matches from. */
    function expectMirror(ofA: Contact | undefined, ofB: Contact | undefined) {
      const mine = ofA ?? { subscription: 'none' as const, ask: false, pendingIn: false };
      const theirs = ofB ?? { subscription: 'none' as const, ask: false, pendingIn: false };
      const both = JSON.stringify({ ofA, ofB });
      expect(mine.ask, both).toBe(theirs.pendingIn);
      expect(mine.pendingIn, both).toBe(theirs.ask);
      expect(mine.subscription, both).toBe(flip[theirs.subscription]);
    }

    async function views(
      p: Awaited<ReturnType<typeof pair>>,
    ): Promise<[Contact | undefined, Contact | undefined]> {
      return [
        (await p.a.contacts()).find((c) => c.username === p.bn),
        (await p.b.contacts()).find((c) => c.username === p.an),
      ];
    }

    it('two users requesting each other at once both end up asking and both see the other’s request', async () => {
      const pairs = await Promise.all(Array.from({ length: 8 }, () => pair()));
      const replies = await Promise.all(
        pairs.flatMap((p) => [
          p.a.requestContact(p.bn, 'from a'),
          p.b.requestContact(p.an, 'from b'),
        ]),
      );
      for (const r of replies) expect(r).toMatchObject({ subscription: 'none', ask: true });
      for (const p of pairs) {
        const [ofA, ofB] = await views(p);
        expectMirror(ofA, ofB);
        expect(ofA).toMatchObject({ ask: true, pendingIn: true, note: 'from b', inRoster: true });
        expect(ofB).toMatchObject({ ask: true, pendingIn: true, note: 'from a', inRoster: true });
      }
    });

    it('both approving each other at once ends in both; approve racing cancel ends consistent', async () => {
      const pairs = await Promise.all(Array.from({ length: 6 }, () => pair()));
      await Promise.all(pairs.flatMap((p) => [p.a.requestContact(p.bn), p.b.requestContact(p.an)]));
      // The first mutual approval settles both directions, so the second finds no request left.
      const settled = await Promise.allSettled(
        pairs.flatMap((p) => [p.a.approveContact(p.bn), p.b.approveContact(p.an)]),
      );
      for (let i = 0; i < settled.length; i += 2) {
        const two = [settled[i]!, settled[i + 1]!];
        expect(two.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
        for (const r of two)
          if (r.status === 'rejected') expect(r.reason).toMatchObject({ condition: 'not-found' });
      }
      for (const p of pairs) {
        const [ofA, ofB] = await views(p);
        expectMirror(ofA, ofB);
        expect(ofA).toMatchObject({ subscription: 'both', ask: false, pendingIn: false });
      }

      const racing = await Promise.all(Array.from({ length: 6 }, () => pair()));
      await Promise.all(racing.map((p) => p.a.requestContact(p.bn)));
      // b approves while a withdraws: whichever wins, the two sides agree.
      await Promise.allSettled(
        racing.flatMap((p) => [p.b.approveContact(p.an, false), p.a.cancelContact(p.bn)]),
      );
      for (const p of racing) expectMirror(...(await views(p)));
    });
  });
}
