import { describe, expect, it } from 'vitest';
import { parseOutbox, worthRetrying } from './outbox.js';

const ok = { clientId: 'c1', kind: 'dm', to: 'bob', text: 'hi', createdAt: 1 };

describe('parseOutbox', () => {
  it('reads what was stored', () => {
    expect(parseOutbox(JSON.stringify([ok, { ...ok, clientId: 'c2', kind: 'room' }]))).toEqual([
      ok,
      { ...ok, clientId: 'c2', kind: 'room' },
    ]);
  });

  it('drops damaged entries and keeps the rest', () => {
    const raw = JSON.stringify([
      ok,
      null,
      'text',
      { ...ok, clientId: '' },
      { ...ok, clientId: 'x', kind: 'email' },
      { ...ok, clientId: 'y', text: 5 },
      { ...ok, clientId: 'z', createdAt: 'now' },
      { ...ok, clientId: 'w', to: '' },
      { ...ok, clientId: 'v', replyTo: 7 },
      { ...ok, clientId: 'u', text: 'x'.repeat(70_000) },
    ]);
    expect(parseOutbox(raw)).toEqual([ok]);
  });

  it('keeps one entry per client id (never two sends of one message)', () => {
    expect(parseOutbox(JSON.stringify([ok, { ...ok, text: 'other' }]))).toEqual([ok]);
  });

  it('survives garbage', () => {
    for (const raw of [null, '', '{', '{}', '42', '"x"', '[[]]', '__proto__'])
      expect(parseOutbox(raw)).toEqual([]);
  });
});

describe('worthRetrying', () => {
  it('retries when the server was unreachable, busy or limiting', () => {
    expect(worthRetrying('unavailable')).toBe(true);
    expect(worthRetrying('rate-limited', 429)).toBe(true);
    expect(worthRetrying('internal-error', 500)).toBe(true);
    expect(worthRetrying('something-new', 503)).toBe(true);
  });

  it('gives up on errors that would repeat', () => {
    for (const c of ['invalid', 'too-large', 'not-found', 'forbidden', 'blocked'])
      expect(worthRetrying(c, 400)).toBe(false);
  });
});
