import { useState } from 'preact/hooks';
import { ParleyApiError } from '../../../src/sdk/index.js';
import { describe } from '../state/errors.js';
import { signIn, signUp } from '../state/session.js';
import { notice } from '../state/signals.js';

/**
 * Sign in or create an account: one form, two buttons. The server does not
 * say up front whether sign-up needs an invite code, so the field appears when
 * sign-up is refused for want of one (or when the user says they have one).
 */
export function SignIn() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [invite, setInvite] = useState('');
  const [askInvite, setAskInvite] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError('');
    notice.value = '';
    try {
      await action();
    } catch (err) {
      if (err instanceof ParleyApiError && err.condition === 'invalid-invite') {
        setAskInvite(true);
        setError(
          invite.trim()
            ? 'That invite code is unknown, used up or expired. Check it, or ask for a new one.'
            : 'This server needs an invite code to sign up. Enter yours below.',
        );
      } else setError(describe(err));
      setBusy(false);
    }
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
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
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
              Only needed to sign up. Ask the server&rsquo;s operator for one.
            </p>
          </>
        )}
        {(error || notice.value) && (
          <p class="error" role="alert">
            {error || notice.value}
          </p>
        )}
        <div class="row">
          <button type="submit" disabled={busy}>
            Sign in
          </button>
          <button
            type="button"
            class="secondary"
            disabled={busy || !username.trim() || !password}
            onClick={() => void run(() => signUp(username.trim(), password, invite.trim()))}
          >
            Sign up
          </button>
        </div>
        {!askInvite && (
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
