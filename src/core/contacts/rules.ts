import type { ContactRow } from './store.js';

/**
 * The pure rules of contact consent (RFC 6121 subscriptions), one function per
 * action, on both sides of a relation: `ab` is the actor's row about the other,
 * `ba` the other's row about the actor. Each returns the new rows (null = no row).
 */
export type Pair = { ab: ContactRow | null; ba: ContactRow | null };

export function emptyRow(ownerId: string, contactId: string, now: number): ContactRow {
  return {
    ownerId,
    contactId,
    inRoster: false,
    subTo: false,
    subFrom: false,
    askOut: false,
    pendingIn: false,
    noteIn: '',
    alias: '',
    groups: [],
    updatedAt: now,
    approved: false,
  };
}

/** A row that says nothing any more is removed rather than kept empty. */
function prune(r: ContactRow): ContactRow | null {
  return r.inRoster || r.subTo || r.subFrom || r.askOut || r.pendingIn || r.approved ? r : null;
}

const touch = (r: ContactRow, now: number, patch: Partial<ContactRow>): ContactRow => ({
  ...r,
  ...patch,
  updatedAt: now,
});

/** The actor asks to see the other's presence. `silent`: the other blocked the actor, so only the actor's side moves. */
export function request(
  ab: ContactRow,
  ba: ContactRow,
  note: string,
  now: number,
  silent: boolean,
): Pair {
  if (ab.subTo) return { ab: touch(ab, now, { inRoster: true }), ba };
  const a = touch(ab, now, { inRoster: true, askOut: true });
  if (silent) return { ab: a, ba: prune(ba) };
  if (ba.subFrom) return { ab: touch(a, now, { askOut: false, subTo: true }), ba }; // already shared: repair
  // RFC 6121 3.4: the other said yes before being asked; the approval is used up.
  if (ba.approved)
    return {
      ab: touch(a, now, { askOut: false, subTo: true }),
      ba: touch(ba, now, { subFrom: true, approved: false }),
    };
  return { ab: a, ba: touch(ba, now, { pendingIn: true, noteIn: note }) };
}

/** The actor lets the other see their presence; with `mutual`, the actor also subscribes back, pre-approved by the other's request. */
export function approve(ab: ContactRow, ba: ContactRow, mutual: boolean, now: number): Pair {
  let a = touch(ab, now, { inRoster: true, subFrom: true, pendingIn: false, noteIn: '' });
  let b = touch(ba, now, { inRoster: true, subTo: true, askOut: false });
  if (mutual && !a.subTo) {
    a = touch(a, now, { subTo: true, askOut: false });
    b = touch(b, now, { subFrom: true, pendingIn: false, noteIn: '' });
  }
  return { ab: a, ba: b };
}

/**
 * The actor lets the other see their presence before the other asked (RFC 6121
 * 3.4, XMPP "subscribed" without a request): kept on the actor's row, used by the
 * other's next request. Already seen, or asked: nothing to pre-approve.
 */
export function preApprove(ab: ContactRow, ba: ContactRow, now: number): Pair {
  if (ab.subFrom || ab.pendingIn) return { ab, ba };
  return { ab: touch(ab, now, { inRoster: true, approved: true }), ba };
}

/** The actor stops (or refuses) the other seeing their presence: XMPP "unsubscribed". */
export function deny(ab: ContactRow, ba: ContactRow, now: number): Pair {
  return {
    ab: prune(touch(ab, now, { subFrom: false, pendingIn: false, noteIn: '', approved: false })),
    ba: prune(touch(ba, now, { subTo: false, askOut: false })),
  };
}

/** The actor stops (or withdraws the request for) seeing the other's presence: XMPP "unsubscribe". */
export function cancel(ab: ContactRow, ba: ContactRow, now: number): Pair {
  return {
    ab: prune(touch(ab, now, { subTo: false, askOut: false })),
    ba: prune(touch(ba, now, { subFrom: false, pendingIn: false, noteIn: '' })),
  };
}

/** The actor drops the other from their list: both directions end; the other keeps their own entry. */
export function remove(ab: ContactRow, ba: ContactRow, now: number): Pair {
  return {
    ab: null,
    ba: prune(
      touch(ba, now, { subTo: false, subFrom: false, askOut: false, pendingIn: false, noteIn: '' }),
    ),
  };
}

export function subscription(r: ContactRow): 'none' | 'to' | 'from' | 'both' {
  return r.subTo ? (r.subFrom ? 'both' : 'to') : r.subFrom ? 'from' : 'none';
}
