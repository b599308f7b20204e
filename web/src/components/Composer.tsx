import { useRef, useState } from 'preact/hooks';

/** Enter sends; Shift+Enter starts a new line. */
export function Composer(props: {
  name: string;
  onSend: (text: string) => void;
  /** Called as the user types (to send typing notices), and when they stop. */
  onTyping?: () => void;
  onStop?: () => void;
}) {
  const { name, onSend } = props;
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);

  function submit() {
    if (!text.trim()) return;
    props.onStop?.();
    onSend(text);
    setText('');
    area.current?.focus();
  }

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label for="composer-text" class="visually-hidden">
        Message to {name}
      </label>
      <textarea
        id="composer-text"
        ref={area}
        rows={2}
        placeholder={`Message ${name}`}
        value={text}
        onInput={(e) => {
          const value = e.currentTarget.value;
          setText(value);
          if (value.trim()) props.onTyping?.();
          else props.onStop?.();
        }}
        onBlur={() => props.onStop?.()}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <button type="submit">Send</button>
    </form>
  );
}
