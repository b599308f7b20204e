import { useEffect, useRef, useState } from 'preact/hooks';
import { describe } from '../state/errors.js';
import './confirm.css';

/**
 * An in-page "are you sure?" (never window.confirm): the question, what will
 * happen, and two buttons. Focus starts on Cancel so Enter does no harm.
 */
export function Confirm(props: {
  question: string;
  detail?: string;
  action: string;
  run: () => Promise<void>;
  done: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  async function go() {
    setBusy(true);
    setError('');
    try {
      await props.run();
      props.done();
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  }
  return (
    <div
      class="confirm"
      role="group"
      aria-label={props.question}
      onKeyDown={(e) => e.key === 'Escape' && props.done()}
    >
      <p>
        <strong>{props.question}</strong>
      </p>
      {props.detail && <p class="hint">{props.detail}</p>}
      <div class="row tight">
        <button type="button" class="danger" disabled={busy} onClick={() => void go()}>
          {props.action}
        </button>
        <button ref={cancel} type="button" class="secondary" onClick={props.done}>
          Cancel
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
