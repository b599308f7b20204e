import { useState } from 'preact/hooks';
import { describe } from '../state/errors.js';
import { signIn, signUp } from '../state/session.js';
import { notice } from '../state/signals.js';

/** Sign in or create an account: one form, two buttons. */
export function SignIn() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function run(action: typeof signIn) {
    setBusy(true);
    setError('');
    notice.value = '';
    try {
      await action(username.trim(), password);
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  }

  return (
    <main class="signin">
      <h1>Parley</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(signIn);
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
            onClick={() => void run(signUp)}
          >
            Sign up
          </button>
        </div>
      </form>
    </main>
  );
}
