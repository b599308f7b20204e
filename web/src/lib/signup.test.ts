import { describe, expect, it } from 'vitest';
import { authSentence, signupProblem, signupRules } from './signup.js';

const ctx = { username: 'Alice', invite: '', wait: (s: number) => `${s} seconds` };

describe('sign-up rules', () => {
  it('are shown up front, and met as one types', () => {
    expect(signupRules('', '').map((r) => r.ok)).toEqual([false, false]);
    expect(signupRules('alice', 'short').map((r) => r.ok)).toEqual([true, false]);
    expect(signupRules('alice', 'short')[1]!.text).toContain('(3 more)');
    expect(signupRules('Alice.B', 'correct horse').map((r) => r.ok)).toEqual([true, true]);
    // Characters, not UTF-16 units: eight emoji are eight characters.
    expect(signupRules('a', '😀'.repeat(8))[1]!.ok).toBe(true);
  });

  it('say what to fix before asking the server', () => {
    expect(signupProblem(' ', 'x')).toMatchObject({ field: 'username' });
    expect(signupProblem('al ice', 'correct horse')).toMatchObject({ field: 'username' });
    expect(signupProblem('alice', '1234567')).toEqual({
      field: 'password',
      text: 'Your password needs at least 8 characters (1 more).',
    });
    expect(signupProblem('alice', 'x'.repeat(1025))).toMatchObject({ field: 'password' });
    expect(signupProblem('alice', 'correct horse')).toEqual({ field: '', text: '' });
  });

  it("count to the server's minimum (registration.min_password_length)", () => {
    expect(signupRules('alice', 'sesame', 4)[1]).toMatchObject({
      ok: true,
      text: 'Password: at least 4 characters',
    });
    expect(signupRules('alice', 'x', 1)[1]).toMatchObject({ ok: true });
    expect(signupRules('alice', '', 1)[1]!.text).toBe('Password: at least 1 character');
    expect(signupRules('alice', 'correct horse', 20)[1]).toMatchObject({
      ok: false,
      text: 'Password: at least 20 characters (7 more)',
    });
    expect(signupProblem('alice', 'sesame', 6)).toEqual({ field: '', text: '' });
    expect(signupProblem('alice', 'sesame', 12)).toEqual({
      field: 'password',
      text: 'Your password needs at least 12 characters (6 more).',
    });
    expect(
      authSentence(
        {
          condition: 'bad-request',
          field: 'password',
          message: 'password must be at least 12 characters',
        },
        'signup',
        { ...ctx, minPassword: 12 },
      ),
    ).toBe('Your password needs at least 12 characters.');
  });
});

describe('auth refusals in words', () => {
  const conditions = [
    ['bad-request', 'username'],
    ['bad-request', 'password'],
    ['bad-request', 'device'],
    ['bad-request', undefined],
    ['conflict', 'username'],
    ['invalid-credentials', undefined],
    ['account-disabled', undefined],
    ['registration-closed', undefined],
    ['invalid-invite', 'invite'],
    ['rate-limited', undefined],
    ['unavailable', undefined],
    ['internal', undefined],
  ] as const;

  it('every condition the auth endpoints return is a sentence, never the raw text', () => {
    for (const [condition, field] of conditions)
      for (const action of ['signup', 'signin'] as const) {
        const s = authSentence(
          { condition, field, message: 'raw lowercase server text' },
          action,
          ctx,
        );
        expect(s).toMatch(/^[A-Z“]/);
        expect(s).toMatch(/[.!]$/);
        expect(s).not.toContain('raw lowercase');
      }
  });

  it('names the username taken or reserved, and the wait', () => {
    expect(
      authSentence(
        { condition: 'conflict', message: 'the username "alice" is taken' },
        'signup',
        ctx,
      ),
    ).toBe('The username “alice” is taken. Choose another one, or sign in if it is yours.');
    expect(
      authSentence(
        { condition: 'conflict', message: 'the username "admin" is reserved' },
        'signup',
        {
          ...ctx,
          username: 'admin',
        },
      ),
    ).toContain('kept for the server');
    expect(
      authSentence({ condition: 'rate-limited', message: '', retryAfter: 30 }, 'signin', ctx),
    ).toBe('Too many attempts. Try again in 30 seconds.');
  });
});
