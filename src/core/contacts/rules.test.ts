import { describe, expect, it } from 'vitest';
import * as rules from './rules.js';
import type { ContactRow } from './store.js';

/**
 * The pure consent rules, checked on both sides of a relation: `a` is always
 * the actor, `b` the other. Rows are built from the empty row plus the flags a
 * state needs, so every expectation names the whole resulting row.
 */

const A = 'user-a';
const B = 'user-b';
const T0 = 1_000;
const T = 2_000;

/** A's row about B (or B's about A with owner 'b'), with `patch` over the empty row. */
function row(owner: 'a' | 'b', patch: Partial<ContactRow> = {}): ContactRow {
  const [o, c] = owner === 'a' ? [A, B] : [B, A];
  return { ...rules.emptyRow(o, c, T0), ...patch };
}

/** The whole expected row at time T. */
function at(owner: 'a' | 'b', patch: Partial<ContactRow> = {}): ContactRow {
  return { ...row(owner, patch), updatedAt: T };
}

/** Runs a rule and also checks it did not change its inputs. */
function pure<R>(inputs: ContactRow[], f: () => R): R {
  const before = structuredClone(inputs);
  const out = f();
  expect(inputs).toEqual(before);
  return out;
}

describe('emptyRow and subscription()', () => {
  it('emptyRow says nothing', () => {
    expect(rules.emptyRow(A, B, 42)).toEqual({
      ownerId: A,
      contactId: B,
      inRoster: false,
      subTo: false,
      subFrom: false,
      askOut: false,
      pendingIn: false,
      noteIn: '',
      alias: '',
      groups: [],
      updatedAt: 42,
      approved: false,
    });
    // Each call gets its own groups list.
    const x = rules.emptyRow(A, B, 1);
    x.groups.push('g');
    expect(rules.emptyRow(A, B, 1).groups).toEqual([]);
  });

  it('maps subTo/subFrom to none, to, from and both, whatever else is set', () => {
    expect(rules.subscription(row('a'))).toBe('none');
    expect(rules.subscription(row('a', { subTo: true }))).toBe('to');
    expect(rules.subscription(row('a', { subFrom: true }))).toBe('from');
    expect(rules.subscription(row('a', { subTo: true, subFrom: true }))).toBe('both');
    // Asks, pending requests and roster membership are not subscriptions.
    expect(
      rules.subscription(row('a', { askOut: true, pendingIn: true, inRoster: true, alias: 'x' })),
    ).toBe('none');
    expect(rules.subscription(row('a', { subFrom: true, askOut: true }))).toBe('from');
    expect(rules.subscription(row('a', { subTo: true, pendingIn: true }))).toBe('to');
  });
});

describe('request', () => {
  it('from nothing: the actor asks and keeps the contact; the other gets a pending request with the note, outside their list', () => {
    const ab = row('a');
    const ba = row('b');
    const out = pure([ab, ba], () => rules.request(ab, ba, 'hello', T, false));
    expect(out.ab).toEqual(at('a', { inRoster: true, askOut: true }));
    expect(out.ba).toEqual(at('b', { pendingIn: true, noteIn: 'hello' }));
    expect(rules.subscription(out.ab!)).toBe('none');
    expect(rules.subscription(out.ba!)).toBe('none');
  });

  it('asking again replaces the note and keeps alias and groups on both sides', () => {
    const ab = row('a', { inRoster: true, askOut: true, alias: 'Bee', groups: ['Work'] });
    const ba = row('b', { pendingIn: true, noteIn: 'first', alias: 'Ay', groups: ['X'] });
    const out = rules.request(ab, ba, 'second', T, false);
    expect(out.ab).toEqual(
      at('a', { inRoster: true, askOut: true, alias: 'Bee', groups: ['Work'] }),
    );
    expect(out.ba).toEqual(
      at('b', { pendingIn: true, noteIn: 'second', alias: 'Ay', groups: ['X'] }),
    );
  });

  it('a request to someone already in the other’s list leaves their entry and subscription as they were', () => {
    // b shares nothing with a yet but keeps a (they approved a once, then a cancelled).
    const ab = row('a', { inRoster: true });
    const ba = row('b', { inRoster: true, subTo: true, alias: 'Ay' });
    const out = rules.request(ab, ba, '', T, false);
    expect(out.ab).toEqual(at('a', { inRoster: true, askOut: true }));
    expect(out.ba).toEqual(
      at('b', { inRoster: true, subTo: true, alias: 'Ay', pendingIn: true, noteIn: '' }),
    );
  });

  it('when both ask each other, both asks wait: nothing is approved by itself', () => {
    // b asked a first; now a asks b.
    const ab = row('a', { pendingIn: true, noteIn: 'from b' });
    const ba = row('b', { inRoster: true, askOut: true });
    const out = rules.request(ab, ba, 'from a', T, false);
    expect(out.ab).toEqual(
      at('a', { inRoster: true, askOut: true, pendingIn: true, noteIn: 'from b' }),
    );
    expect(out.ba).toEqual(
      at('b', { inRoster: true, askOut: true, pendingIn: true, noteIn: 'from a' }),
    );
    expect(rules.subscription(out.ab!)).toBe('none');
    expect(rules.subscription(out.ba!)).toBe('none');
  });

  it('when the actor already sees the other, only puts them back in the list; the other side is untouched', () => {
    const ab = row('a', { subTo: true, alias: 'Bee' });
    const ba = row('b', { inRoster: true, subFrom: true });
    const out = pure([ab, ba], () => rules.request(ab, ba, 'again?', T, false));
    expect(out.ab).toEqual(at('a', { inRoster: true, subTo: true, alias: 'Bee' }));
    expect(out.ab!.askOut).toBe(false);
    // Not even its time changes, and no pending request or note appears.
    expect(out.ba).toEqual(ba);
  });

  it('also with silent, an existing subscription is only put back in the list', () => {
    const ab = row('a', { subTo: true, subFrom: true });
    const ba = row('b', { inRoster: true, subTo: true, subFrom: true });
    const out = rules.request(ab, ba, '', T, true);
    expect(out.ab).toEqual(at('a', { inRoster: true, subTo: true, subFrom: true }));
    expect(out.ba).toEqual(ba);
  });

  it('already shared (the other’s subFrom is set, the actor lost subTo): repairs the actor’s side without asking', () => {
    const ab = row('a', { inRoster: true, subFrom: true });
    const ba = row('b', { inRoster: true, subFrom: true, subTo: true });
    const out = pure([ab, ba], () => rules.request(ab, ba, 'note', T, false));
    expect(out.ab).toEqual(at('a', { inRoster: true, subTo: true, subFrom: true }));
    expect(out.ab!.askOut).toBe(false);
    // The other side already says "from": no pending request, no note, not touched.
    expect(out.ba).toEqual(ba);
    expect(rules.subscription(out.ab!)).toBe('both');
  });

  it('already shared also repairs from an empty row of the actor', () => {
    const ab = row('a');
    const ba = row('b', { subFrom: true });
    const out = rules.request(ab, ba, '', T, false);
    expect(out.ab).toEqual(at('a', { inRoster: true, subTo: true }));
    expect(out.ba).toEqual(ba);
  });

  describe('silent (the other blocked the actor)', () => {
    it('only the actor’s side moves; a missing row of the other stays missing', () => {
      const ab = row('a');
      const ba = row('b');
      const out = pure([ab, ba], () => rules.request(ab, ba, 'let me in', T, true));
      expect(out.ab).toEqual(at('a', { inRoster: true, askOut: true }));
      expect(out.ba).toBeNull();
    });

    it('an existing row of the other is returned unchanged: no pending request, no note, same time', () => {
      const ab = row('a', { inRoster: true });
      const ba = row('b', { inRoster: true, alias: 'Ay', groups: ['Old'] });
      const out = rules.request(ab, ba, 'let me in', T, true);
      expect(out.ab).toEqual(at('a', { inRoster: true, askOut: true }));
      expect(out.ba).toEqual(ba);
      expect(out.ba!.pendingIn).toBe(false);
      expect(out.ba!.noteIn).toBe('');
      expect(out.ba!.updatedAt).toBe(T0);
    });

    it('a row of the other that says nothing (only an alias) is pruned', () => {
      const ab = row('a');
      const ba = row('b', { alias: 'stale', groups: ['g'] });
      expect(rules.request(ab, ba, '', T, true).ba).toBeNull();
    });

    it('does not repair through the other’s subFrom: the actor just waits', () => {
      const ab = row('a', { inRoster: true });
      const ba = row('b', { inRoster: true, subFrom: true });
      const out = rules.request(ab, ba, '', T, true);
      expect(out.ab).toEqual(at('a', { inRoster: true, askOut: true }));
      expect(out.ba).toEqual(ba);
    });
  });
});

describe('approve', () => {
  /** b asked a (a has a pending request from b), b keeps a in their list. */
  const asked = () => ({
    ab: row('a', { pendingIn: true, noteIn: 'please' }),
    ba: row('b', { inRoster: true, askOut: true }),
  });

  it('mutual: both directions flow, the request and its note are gone, both keep each other', () => {
    const { ab, ba } = asked();
    const out = pure([ab, ba], () => rules.approve(ab, ba, true, T));
    expect(out.ab).toEqual(at('a', { inRoster: true, subTo: true, subFrom: true }));
    expect(out.ba).toEqual(at('b', { inRoster: true, subTo: true, subFrom: true }));
    expect(rules.subscription(out.ab!)).toBe('both');
    expect(rules.subscription(out.ba!)).toBe('both');
  });

  it('not mutual: only the requester sees the approver ("from" / "to"), nobody asks', () => {
    const { ab, ba } = asked();
    const out = pure([ab, ba], () => rules.approve(ab, ba, false, T));
    expect(out.ab).toEqual(at('a', { inRoster: true, subFrom: true }));
    expect(out.ba).toEqual(at('b', { inRoster: true, subTo: true }));
    expect(rules.subscription(out.ab!)).toBe('from');
    expect(rules.subscription(out.ba!)).toBe('to');
  });

  it('not mutual keeps the approver’s own waiting request to the other', () => {
    const ab = row('a', { inRoster: true, askOut: true, pendingIn: true, noteIn: 'b asks' });
    const ba = row('b', { inRoster: true, askOut: true, pendingIn: true, noteIn: 'a asks' });
    const out = rules.approve(ab, ba, false, T);
    expect(out.ab).toEqual(at('a', { inRoster: true, subFrom: true, askOut: true }));
    expect(out.ba).toEqual(
      at('b', { inRoster: true, subTo: true, pendingIn: true, noteIn: 'a asks' }),
    );
  });

  it('mutual when both had asked: everything settles to both, every ask and note cleared', () => {
    const ab = row('a', { inRoster: true, askOut: true, pendingIn: true, noteIn: 'b asks' });
    const ba = row('b', { inRoster: true, askOut: true, pendingIn: true, noteIn: 'a asks' });
    const out = rules.approve(ab, ba, true, T);
    expect(out.ab).toEqual(at('a', { inRoster: true, subTo: true, subFrom: true }));
    expect(out.ba).toEqual(at('b', { inRoster: true, subTo: true, subFrom: true }));
  });

  it('mutual when the approver already sees the other: stays both, nothing else changes', () => {
    // a sees b ("to"); b asks to see a.
    const ab = row('a', { inRoster: true, subTo: true, pendingIn: true, noteIn: 'n' });
    const ba = row('b', { inRoster: true, subFrom: true, askOut: true });
    const out = rules.approve(ab, ba, true, T);
    expect(out.ab).toEqual(at('a', { inRoster: true, subTo: true, subFrom: true }));
    expect(out.ba).toEqual(at('b', { inRoster: true, subTo: true, subFrom: true }));
  });

  it('puts both in each other’s list and keeps alias and groups', () => {
    const ab = row('a', { pendingIn: true, alias: 'Bee', groups: ['G'] });
    const ba = row('b', { askOut: true, alias: 'Ay' });
    const out = rules.approve(ab, ba, false, T);
    expect(out.ab).toEqual(at('a', { inRoster: true, subFrom: true, alias: 'Bee', groups: ['G'] }));
    expect(out.ba).toEqual(at('b', { inRoster: true, subTo: true, alias: 'Ay' }));
  });
});

describe('deny', () => {
  it('refusing a stranger’s request removes the actor’s row; the requester keeps the contact, no longer asking', () => {
    const ab = row('a', { pendingIn: true, noteIn: 'hi' });
    const ba = row('b', { inRoster: true, askOut: true });
    const out = pure([ab, ba], () => rules.deny(ab, ba, T));
    expect(out.ab).toBeNull();
    expect(out.ba).toEqual(at('b', { inRoster: true }));
  });

  it('refusing keeps the actor’s row when it is in the list, with the request and note cleared', () => {
    const ab = row('a', { inRoster: true, pendingIn: true, noteIn: 'hi', alias: 'Bee' });
    const ba = row('b', { inRoster: true, askOut: true });
    const out = rules.deny(ab, ba, T);
    expect(out.ab).toEqual(at('a', { inRoster: true, alias: 'Bee' }));
    expect(out.ba).toEqual(at('b', { inRoster: true }));
  });

  it('takes established consent back: both becomes to / from', () => {
    const ab = row('a', { inRoster: true, subTo: true, subFrom: true });
    const ba = row('b', { inRoster: true, subTo: true, subFrom: true });
    const out = rules.deny(ab, ba, T);
    expect(out.ab).toEqual(at('a', { inRoster: true, subTo: true }));
    expect(out.ba).toEqual(at('b', { inRoster: true, subFrom: true }));
    expect(rules.subscription(out.ab!)).toBe('to');
    expect(rules.subscription(out.ba!)).toBe('from');
  });

  it('leaves the actor’s own request to the other in place', () => {
    const ab = row('a', { inRoster: true, askOut: true, pendingIn: true });
    const ba = row('b', { inRoster: true, askOut: true, pendingIn: true, noteIn: 'a asks' });
    const out = rules.deny(ab, ba, T);
    expect(out.ab).toEqual(at('a', { inRoster: true, askOut: true }));
    expect(out.ba).toEqual(at('b', { inRoster: true, pendingIn: true, noteIn: 'a asks' }));
  });

  it('prunes rows that say nothing afterwards, alias and groups do not keep them', () => {
    const ab = row('a', { pendingIn: true, alias: 'x', groups: ['g'] });
    const ba = row('b', { askOut: true, alias: 'y' });
    expect(rules.deny(ab, ba, T)).toEqual({ ab: null, ba: null });
    // On empty rows (no relation at all) both stay absent.
    expect(rules.deny(row('a'), row('b'), T)).toEqual({ ab: null, ba: null });
  });
});

describe('cancel', () => {
  it('withdraws a waiting request: the actor keeps the contact, the other’s pending request and note go', () => {
    const ab = row('a', { inRoster: true, askOut: true });
    const ba = row('b', { pendingIn: true, noteIn: 'hi' });
    const out = pure([ab, ba], () => rules.cancel(ab, ba, T));
    expect(out.ab).toEqual(at('a', { inRoster: true }));
    expect(out.ba).toBeNull();
  });

  it('the other keeps their entry when it is in their list', () => {
    const ab = row('a', { inRoster: true, askOut: true });
    const ba = row('b', { inRoster: true, pendingIn: true, noteIn: 'hi', groups: ['G'] });
    const out = rules.cancel(ab, ba, T);
    expect(out.ab).toEqual(at('a', { inRoster: true }));
    expect(out.ba).toEqual(at('b', { inRoster: true, groups: ['G'] }));
  });

  it('takes established consent back: both becomes from / to', () => {
    const ab = row('a', { inRoster: true, subTo: true, subFrom: true });
    const ba = row('b', { inRoster: true, subTo: true, subFrom: true });
    const out = rules.cancel(ab, ba, T);
    expect(out.ab).toEqual(at('a', { inRoster: true, subFrom: true }));
    expect(out.ba).toEqual(at('b', { inRoster: true, subTo: true }));
  });

  it('leaves the other’s own request to the actor in place', () => {
    const ab = row('a', { inRoster: true, askOut: true, pendingIn: true, noteIn: 'b asks' });
    const ba = row('b', { inRoster: true, askOut: true, pendingIn: true, noteIn: 'a asks' });
    const out = rules.cancel(ab, ba, T);
    expect(out.ab).toEqual(at('a', { inRoster: true, pendingIn: true, noteIn: 'b asks' }));
    expect(out.ba).toEqual(at('b', { inRoster: true, askOut: true }));
  });

  it('prunes rows that say nothing afterwards', () => {
    const ab = row('a', { askOut: true, alias: 'x' });
    const ba = row('b', { pendingIn: true, noteIn: 'n', groups: ['g'] });
    expect(rules.cancel(ab, ba, T)).toEqual({ ab: null, ba: null });
    expect(rules.cancel(row('a'), row('b'), T)).toEqual({ ab: null, ba: null });
  });
});

describe('remove', () => {
  it('drops the actor’s row; the other keeps their entry, alias and groups, with nothing flowing', () => {
    const ab = row('a', { inRoster: true, subTo: true, subFrom: true, alias: 'Bee' });
    const ba = row('b', { inRoster: true, subTo: true, subFrom: true, alias: 'Ay', groups: ['G'] });
    const out = pure([ab, ba], () => rules.remove(ab, ba, T));
    expect(out.ab).toBeNull();
    expect(out.ba).toEqual(at('b', { inRoster: true, alias: 'Ay', groups: ['G'] }));
    expect(rules.subscription(out.ba!)).toBe('none');
  });

  it('ends requests both ways: the other’s ask and the actor’s pending note go too', () => {
    const ab = row('a', { inRoster: true, askOut: true, pendingIn: true, noteIn: 'b asks' });
    const ba = row('b', { inRoster: true, askOut: true, pendingIn: true, noteIn: 'a asks' });
    const out = rules.remove(ab, ba, T);
    expect(out.ab).toBeNull();
    expect(out.ba).toEqual(at('b', { inRoster: true }));
  });

  it('the other’s row is pruned when it was only a pending request', () => {
    const ab = row('a', { inRoster: true, askOut: true });
    const ba = row('b', { pendingIn: true, noteIn: 'hi', alias: 'x' });
    expect(rules.remove(ab, ba, T)).toEqual({ ab: null, ba: null });
  });
});

describe('the two sides always mirror each other', () => {
  type Action = 'request' | 'approve' | 'approveOne' | 'deny' | 'cancel' | 'remove';
  const ACTIONS: Action[] = ['request', 'approve', 'approveOne', 'deny', 'cancel', 'remove'];

  /** A small deterministic generator, so a failure replays the same way. */
  function lcg(seed: number) {
    let s = seed >>> 0;
    return (n: number) => {
      s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
      return (s >>> 16) % n;
    };
  }

  const flags = (r: ContactRow | null) =>
    r ?? { subTo: false, subFrom: false, askOut: false, pendingIn: false, noteIn: '' };

  it('after any sequence of actions by either side (as the service allows them)', () => {
    const rand = lcg(20_261_121);
    let rows: Record<string, ContactRow | null> = { ab: null, ba: null };
    const seen = new Set<string>();
    for (let step = 0; step < 5_000; step++) {
      const actor = rand(2) === 0 ? 'a' : 'b';
      const action = ACTIONS[rand(ACTIONS.length)]!;
      const [mineKey, theirsKey] = actor === 'a' ? ['ab', 'ba'] : ['ba', 'ab'];
      const [me, them] = actor === 'a' ? [A, B] : [B, A];
      const mine = rows[mineKey!] ?? rules.emptyRow(me, them, step);
      const theirs = rows[theirsKey!] ?? rules.emptyRow(them, me, step);
      // The service refuses approve without a pending request and remove without a row.
      if ((action === 'approve' || action === 'approveOne') && !mine.pendingIn) continue;
      if (action === 'remove' && !rows[mineKey!]) continue;
      const out =
        action === 'request'
          ? rules.request(mine, theirs, `note ${step}`, step, false)
          : action === 'approve' || action === 'approveOne'
            ? rules.approve(mine, theirs, action === 'approve', step)
            : rules[action](mine, theirs, step);
      rows = { [mineKey!]: out.ab, [theirsKey!]: out.ba };

      const ab = flags(rows.ab!);
      const ba = flags(rows.ba!);
      const where = `step ${step}: ${actor} ${action} -> ${JSON.stringify(rows)}`;
      expect(ab.subTo, where).toBe(ba.subFrom);
      expect(ab.subFrom, where).toBe(ba.subTo);
      expect(ab.askOut, where).toBe(ba.pendingIn);
      expect(ab.pendingIn, where).toBe(ba.askOut);
      for (const r of [rows.ab, rows.ba]) {
        if (!r) continue;
        // Never asking for what is already granted, never a note without a request,
        // never a row that says nothing.
        expect(r.askOut && r.subTo, where).toBe(false);
        expect(r.pendingIn && r.subFrom, where).toBe(false);
        if (!r.pendingIn) expect(r.noteIn, where).toBe('');
        expect(r.inRoster || r.subTo || r.subFrom || r.askOut || r.pendingIn, where).toBe(true);
      }
      seen.add(`${rules.subscription(flags(rows.ab!) as ContactRow)}/${ab.askOut}/${ab.pendingIn}`);
    }
    // The walk went through every subscription state, with asks both ways.
    for (const s of ['none', 'to', 'from', 'both'])
      expect([...seen].some((x) => x.startsWith(`${s}/`))).toBe(true);
    expect(seen.has('none/true/true')).toBe(true);
  });
});

describe('pre-approval (RFC 6121 3.4)', () => {
  it("records an approval that the other side's next request uses up", () => {
    const pre = pure([row('a'), row('b')], () => rules.preApprove(row('a'), row('b'), T));
    expect(pre).toEqual({ ab: at('a', { inRoster: true, approved: true }), ba: row('b') });
    // B asks: approved at once, and the approval is spent.
    const asked = rules.request(row('b'), pre.ab!, '', T, false);
    expect(asked).toEqual({
      ab: at('b', { inRoster: true, subTo: true }),
      ba: at('a', { inRoster: true, subFrom: true }),
    });
  });

  it('changes nothing when they already see you or already asked', () => {
    const seen = row('a', { subFrom: true, inRoster: true });
    expect(rules.preApprove(seen, row('b', { subTo: true }), T).ab).toBe(seen);
    const asked = row('a', { pendingIn: true });
    expect(rules.preApprove(asked, row('b', { askOut: true }), T).ab).toBe(asked);
  });

  it('unsubscribed takes it back; a request from someone blocked (silent) does not use it', () => {
    const pre = rules.preApprove(row('a'), row('b'), T0).ab!;
    expect(rules.deny(pre, row('b'), T).ab).toEqual(at('a', { inRoster: true }));
    const silent = rules.request(row('b'), pre, '', T, true);
    expect(silent.ab).toMatchObject({ askOut: true, subTo: false });
  });
});
