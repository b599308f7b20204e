import { useEffect, useState } from 'preact/hooks';
import { ParleyApiError, type ServerInfo } from '../../../src/sdk/index.js';
import { client } from '../state/client.js';
import { waitFor } from '../lib/reltime.js';
import { authSentence, MIN_PASSWORD, signupProblem, signupRules } from '../lib/signup.js';
import { describe } from '../state/errors.js';
import { signIn, signUp } from '../state/session.js';
import { notice } from '../state/signals.js';

/**
 * Sign in or create an account: one form, two buttons. The server says up
 * front who may sign up and how long a password must be (`GET /api/v1/server`):
 * the invite code field shows at once on an invite-only server, Sign up is gone
 * on a closed one, and the password rule counts to the server's minimum. If
 * that answer does not come, the field still appears when sign-up is refused
 * for want of a code (or when the user says they have one).
 */
export function SignIn() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [invite, setInvite] = useState('');
  const [askInvite, setAskInvite] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [policy, setPolicy] = useState<ServerInfo['registration'] | null>(null);
  // The server's rule (registration.min_password_length); the default until it answers.
  const [minPassword, setMinPassword] = useState(MIN_PASSWORD);

  useEffect(() => {
    let live = true;
    client
      .server()
      .then((info) => {
        if (!live) return;
        setPolicy(info.registration);
        if (Number.isInteger(info.minPasswordLength) && info.minPasswordLength > 0)
          setMinPassword(info.minPasswordLength);
        if (info.registration === 'invite') setAskInvite(true);
      })
      // Not known: the form works as it would without asking.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);

  const [busyWith, setBusyWith] = useState<'signin' | 'signup' | null>(null);
  const [bad, setBad] = useState<'username' | 'password' | ''>('');
  const rules = signupRules(username, password, minPassword);

  async function run(action: () => Promise<void>, signingUp = false) {
    setBusy(true);
    setBusyWith(signingUp ? 'signup' : 'signin');
    setError('');
    setBad('');
    notice.value = '';
    try {
      await action();
    } catch (err) {
      if (err instanceof ParleyApiError) {
        if (err.condition === 'invalid-invite') setAskInvite(true);
        if (err.field === 'username' || err.field === 'password') setBad(err.field);
        setError(
          authSentence(err, signingUp ? 'signup' : 'signin', {
            username,
            invite,
            wait: waitFor,
            minPassword,
          }),
        );
      } else setError(describe(err));
      setBusy(false);
      setBusyWith(null);
    }
  }

  /** Sign-up says what to fix first, on the field to fix, rather than looking disabled. */
  function trySignUp() {
    const p = signupProblem(username, password, minPassword);
    if (p.field) {
      setError(p.text);
      setBad(p.field);
      document.getElementById(`signin-${p.field}`)?.focus();
      return;
    }
    void run(() => signUp(username.trim(), password, invite.trim()), true);
  }

  return (
    <main class="signin">
      <h1>Parley</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => signIn(username.trim(), password));
        }}
      >
        <label for="signin-username">Username</label>
        <input
          id="signin-username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellcheck={false}
          required
          aria-invalid={bad === 'username'}
          aria-describedby={policy !== 'closed' ? 'signup-rules' : undefined}
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <label for="signin-password">Password</label>
        <input
          id="signin-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={bad === 'password'}
          aria-describedby={policy !== 'closed' ? 'signup-rules' : undefined}
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {policy !== 'closed' && (
          <div class="rules" id="signup-rules">
            <p class="hint">New here? To sign up:</p>
            <ul>
              {rules.map((r) => (
                <li key={r.id} data-rule={r.id} data-ok={r.ok}>
                  <span aria-hidden="true">{r.ok ? '✓' : '○'}</span> {r.text}
                  <span class="visually-hidden">{r.ok ? ' (done)' : ' (not yet)'}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        {askInvite && (
          <>
            <label for="signin-invite">Invite code</label>
            <input
              id="signin-invite"
              name="invite"
              autoComplete="off"
              autoCapitalize="none"
              spellcheck={false}
              maxLength={128}
              aria-describedby="signin-invite-hint"
              value={invite}
              onInput={(e) => setInvite(e.currentTarget.value)}
            />
            <p class="hint" id="signin-invite-hint">
              {policy === 'invite'
                ? 'This server needs an invite code to sign up (not to sign in). Ask its operator for one.'
                : 'Only needed to sign up. Ask the server\u2019s operator for one.'}
            </p>
          </>
        )}
        {(error || notice.value) && (
          <p class="error" role="alert">
            {error || notice.value}
          </p>
        )}
        <div class="row">
          <button type="submit" disabled={busy} aria-busy={busyWith === 'signin'}>
            {busyWith === 'signin' ? 'Signing in…' : 'Sign in'}
          </button>
          {policy !== 'closed' && (
            <button
              type="button"
              class="secondary"
              disabled={busy}
              aria-busy={busyWith === 'signup'}
              onClick={trySignUp}
            >
              {busyWith === 'signup' ? 'Signing up…' : 'Sign up'}
            </button>
          )}
        </div>
        {policy === 'closed' && (
          <p class="hint">
            This server does not take new sign-ups. Ask its operator for an account.
          </p>
        )}
        {!askInvite && policy === null && (
          <p>
            <button type="button" class="link" onClick={() => setAskInvite(true)}>
              I have an invite code
            </button>
          </p>
        )}
      </form>
    </main>
  );
}
