import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { editMessage } from '../state/actions.js';
import type { Shown } from '../state/signals.js';
import type { Target } from '../state/target.js';

/** Editing a message in place: Enter saves, Shift+Enter makes a new line, Escape cancels. */
export function MessageEditor(props: { m: Shown; target: Target; onDone: () => void }) {
  const { m } = props;
  const [text, setText] = useState(m.text);
  const [error, setError] = useState('');
  const [saving, setSaving] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const id = `edit-${m.id}`;

  useLayoutEffect(() => {
    const el = area.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  async function save() {
    if (saving) return;
    setSaving(true);
    const problem = await editMessage(props.target, m, text);
    setSaving(false);
    if (problem) setError(problem);
    else props.onDone();
  }

  return (
    <form
      class="editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label for={id} class="visually-hidden">
        Edit message
      </label>
      <textarea
        id={id}
        ref={area}
        rows={2}
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onInput={(e) => {
          setText(e.currentTarget.value);
          setError('');
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            props.onDone();
          } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void save();
          }
        }}
      />
      {error && (
        <p class="error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
      <div class="row tight editor-buttons">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" class="secondary" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
