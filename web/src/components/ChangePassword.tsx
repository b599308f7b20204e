import { useState } from 'preact/hooks';
import { changePassword } from '../state/account.js';
import { Outcome, useAction } from './useAction.js';

/** A new password; the server signs every other device out (docs/protocol.md 5.9). */
export function ChangePassword() {
  const [old, setOld] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const a = useAction();
  async function submit(e: Event) {
    e.preventDefault();
    if ([...next].length < 8) return a.setError('The new password needs at least 8 characters.');
    if (next !== again) return a.setError('The two new passwords are not the same.');
    const ok = await a.run(
      () => changePassword(old, next),
      'Password changed. Your other devices were signed out.',
    );
    if (ok) {
      setOld('');
      setNext('');
      setAgain('');
    }
  }
  return (
    <section aria-labelledby="set-password-h">
      <h3 id="set-password-h">Password</h3>
      <form class="settings-form" onSubmit={(e) => void submit(e)}>
        <label for="pw-old">Current password</label>
        <input
          id="pw-old"
          type="password"
          autoComplete="current-password"
          required
          value={old}
          onInput={(e) => setOld(e.currentTarget.value)}
        />
        <label for="pw-new">New password</label>
        <input
          id="pw-new"
          type="password"
          autoComplete="new-password"
          required
          value={next}
          onInput={(e) => setNext(e.currentTarget.value)}
        />
        <label for="pw-again">New password again</label>
        <input
          id="pw-again"
          type="password"
          autoComplete="new-password"
          required
          value={again}
          onInput={(e) => setAgain(e.currentTarget.value)}
        />
        <p class="hint">Changing it signs out all your other devices.</p>
        <button type="submit" disabled={a.busy}>
          Change password
        </button>
        <Outcome error={a.error} done={a.done} />
      </form>
    </section>
  );
}
