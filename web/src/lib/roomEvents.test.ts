import { describe, expect, it } from 'vitest';
import { addLines, interleave, roomLine } from './roomEvents.js';

const alice = { id: 'a', username: 'alice' };
const carol = { id: 'c', username: 'carol' };
const member = (change: string, extra: Record<string, unknown> = {}) =>
  roomLine('room.member', { roomSeq: 5, at: 1000, change, user: carol, by: alice, ...extra }, 'x');

describe('roomLine', () => {
  it('says who did what, with the reason', () => {
    expect(member('kicked', { reason: 'spam' })?.text).toBe(
      'alice removed carol from the room: spam',
    );
    expect(member('kicked', { reason: '' })?.text).toBe('alice removed carol from the room');
    expect(member('banned', { reason: 'rude', expiresAt: 1000 + 3_600_000 })?.text).toBe(
      'alice banned carol for 1 hour: rude',
    );
    expect(member('banned', { reason: '', expiresAt: null })?.text).toBe('alice banned carol');
    expect(member('role', { role: 'moderator', from: 'member' })?.text).toBe(
      'alice made carol a moderator',
    );
    expect(member('joined', { by: null })?.text).toBe('carol joined');
    expect(member('role', { role: 'owner', from: 'admin', by: null })?.text).toBe(
      'The room passed to carol as an owner',
    );
    expect(member('unbanned')?.text).toBe('alice lifted the ban on carol');
    expect(member('declined', { by: null })?.text).toBe('carol declined the invitation');
  });

  it('calls people by the names given', () => {
    const names: Record<string, string> = { alice: 'Alice Liddell', carol: 'Carol <b>D</b>' };
    const l = roomLine(
      'room.member',
      { roomSeq: 2, change: 'invited', user: carol, by: alice },
      'x',
      (u) => names[u] ?? u,
    );
    expect(l?.text).toBe('Alice Liddell invited Carol <b>D</b>');
  });

  it('says "you" for me', () => {
    const l = roomLine('room.member', { roomSeq: 1, change: 'muted', user: carol, by: alice }, 'c');
    expect(l?.text).toBe('alice muted you');
  });

  it('describes settings and topic changes; skips unknown ones', () => {
    const up = (changes: object) =>
      roomLine('room.updated', { roomSeq: 2, changes, by: alice }, '');
    expect(up({ topic: 'Tea' })?.text).toBe('alice changed the topic to “Tea”');
    expect(up({ topicLocked: true, visibility: 'private' })?.text).toBe(
      'alice locked the topic and made the room private',
    );
    expect(up({ avatar: 'ab'.repeat(20) })?.text).toBe('alice changed the room picture');
    expect(up({ avatar: null })?.text).toBe('alice removed the room picture');
    // Not a hash: nothing to say about it.
    expect(up({ avatar: 42 })).toBeNull();
    expect(up({})).toBeNull();
    expect(member('exploded')).toBeNull();
    expect(roomLine('room.message', { roomSeq: 3 }, '')).toBeNull();
  });
});

describe('interleave', () => {
  it('puts lines between messages by roomSeq, pending sends last', () => {
    const l = (seq: number) => ({ seq, at: 0, kind: 'joined', text: String(seq) });
    const out = interleave(
      [{ seq: 2 }, { seq: 5 }, { seq: 0, pending: 'sending' }],
      [l(1), l(3), l(7)],
    );
    expect(out.map((x) => ('line' in x ? `l${x.line.seq}` : `m${x.message.seq}`))).toEqual([
      'l1',
      'm2',
      'l3',
      'm5',
      'l7',
      'm0',
    ]);
    expect(addLines([l(3), l(1)], [l(3), l(2)]).map((x) => x.seq)).toEqual([1, 2, 3]);
  });
});
