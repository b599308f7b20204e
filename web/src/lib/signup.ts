/**
 * What sign-up asks of a username and a password (docs/protocol.md 3.1, 3.2),
 * checked as the person types, and every refusal of the auth endpoints in a
 * sentence a person understands (issue 15, bug 18). Pure.
 */

export interface Rule {
  id: string;
  text: string;
  ok: boolean;
}

/** The server's default; the form uses what `GET /api/v1/server` says (`minPasswordLength`). */
export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 1024;
const USERNAME_RE = /^[a-z0-9._-]{1,32}$/;

const codePoints = (s: string) => [...s].length;

export function usernameOk(username: string): boolean {
  return USERNAME_RE.test(username.trim().toLowerCase());
}

const chars = (n: number) => `${n} character${n === 1 ? '' : 's'}`;

/** The rules sign-up shows up front, each with whether it is met yet; `min` is the server's. */
export function signupRules(username: string, password: string, min = MIN_PASSWORD): Rule[] {
  const n = codePoints(password);
  return [
    {
      id: 'username',
      text: 'Username: up to 32 letters (a–z), digits, dots, underscores or hyphens',
      ok: usernameOk(username),
    },
    {
      id: 'password-min',
      text:
        n >= min || n === 0
          ? `Password: at least ${chars(min)}`
          : `Password: at least ${chars(min)} (${min - n} more)`,
      ok: n >= min && n <= MAX_PASSWORD,
    },
  ];
}

/** What is wrong before asking the server, or '' when sign-up may go. */
export function signupProblem(
  username: string,
  password: string,
  min = MIN_PASSWORD,
): {
  field: 'username' | 'password' | '';
  text: string;
} {
  const u = username.trim();
  if (!u) return { field: 'username', text: 'Choose a username to sign up.' };
  if (!usernameOk(u)) return { field: 'username', text: USERNAME_SENTENCE };
  const n = codePoints(password);
  if (n === 0) return { field: 'password', text: 'Choose a password to sign up.' };
  if (n < min)
    return {
      field: 'password',
      text: `Your password needs at least ${chars(min)} (${min - n} more).`,
    };
  if (n > MAX_PASSWORD)
    return {
      field: 'password',
      text: `Your password can have at most ${MAX_PASSWORD} characters.`,
    };
  return { field: '', text: '' };
}

const USERNAME_SENTENCE =
  'A username has 1 to 32 characters: letters a–z, digits, dots, underscores or hyphens (no spaces, no @).';

/** The parts of a ParleyApiError this needs (kept structural so it stays pure). */
export interface AuthRefusal {
  condition: string;
  message: string;
  field?: string;
  retryAfter?: number;
}

/** A refusal of sign-up (`account.register`) or sign-in (`session.login`) in words. */
export function authSentence(
  e: AuthRefusal,
  action: 'signup' | 'signin',
  ctx: {
    username: string;
    invite: string;
    wait: (seconds: number) => string;
    /** The server's minimum password length, when known. */
    minPassword?: number;
  },
): string {
  const name = ctx.username.trim().toLowerCase();
  switch (e.condition) {
    case 'bad-request':
      if (e.field === 'username')
        return action === 'signup'
          ? USERNAME_SENTENCE
          : `There is no account by that name. ${USERNAME_SENTENCE}`;
      if (e.field === 'password')
        return /at least/.test(e.message)
          ? `Your password needs at least ${chars(ctx.minPassword ?? MIN_PASSWORD)}.`
          : `That password is too long: at most ${MAX_PASSWORD} characters.`;
      if (e.field === 'device')
        return 'This browser’s name is too long for the server. Try another browser.';
      return 'The server did not understand the request. Reload the page and try again.';
    case 'conflict':
      return /reserved/.test(e.message)
        ? `The username “${name}” is kept for the server. Choose another one.`
        : `The username “${name}” is taken. Choose another one, or sign in if it is yours.`;
    case 'invalid-credentials':
      return 'That username and password do not match. Check both and try again.';
    case 'account-disabled':
      return 'This account is disabled. Ask the server’s operator about it.';
    case 'registration-closed':
      return 'This server does not take new sign-ups. Ask its operator for an account.';
    case 'invalid-invite':
      return ctx.invite.trim()
        ? 'That invite code is unknown, used up or expired. Check it, or ask for a new one.'
        : 'This server needs an invite code to sign up. Enter yours below.';
    case 'rate-limited': {
      const wait = e.retryAfter ? ctx.wait(e.retryAfter) : 'a minute';
      return action === 'signup'
        ? `Too many accounts were made from your network lately. Try again in ${wait}, or sign in to an account you have.`
        : `Too many attempts. Try again in ${wait}.`;
    }
    case 'unavailable':
      return 'Cannot reach the server. Check your connection and try again in a moment.';
    default:
      return action === 'signup'
        ? 'The server could not create the account just now. Try again in a moment.'
        : 'The server could not sign you in just now. Try again in a moment.';
  }
}
