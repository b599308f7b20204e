import { useState } from 'preact/hooks';
import { describe } from '../state/errors.js';

/**
 * The busy / error / done state every settings form has: `run` calls the
 * server, shows its error in words, and a short confirmation when it worked.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  async function run(fn: () => Promise<unknown>, ok = ''): Promise<boolean> {
    setBusy(true);
    setError('');
    setDone('');
    try {
      await fn();
      setDone(ok);
      return true;
    } catch (err) {
      setError(describe(err));
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, done, run, setError };
}

/** The outcome line under a form: an alert for errors, a polite status otherwise. */
export function Outcome({ error, done }: { error: string; done: string }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : (
    <p class="hint" role="status">
      {done}
    </p>
  );
}
