import { useRef, useState } from 'preact/hooks';
import { useMentionPicker } from './MentionPicker.js';

/** Enter sends; Shift+Enter starts a new line. */
export function Composer(props: {
  name: string;
  onSend: (text: string) => void;
  /** Called as the user types (to send typing notices), and when they stop. */
  onTyping?: () => void;
  onStop?: () => void;
  /** In a room: the names `@` offers. */
  mentionNames?: string[];
}) {
  const { name, onSend } = props;
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  const picker = useMentionPicker(props.mentionNames, area, setText);

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
        {...picker.attrs}
        onClick={(e) => picker.refresh(e.currentTarget)}
        onInput={(e) => {
          const value = e.currentTarget.value;
          setText(value);
          picker.refresh(e.currentTarget);
          if (value.trim()) props.onTyping?.();
          else props.onStop?.();
        }}
        onBlur={() => {
          picker.close();
          props.onStop?.();
        }}
        onKeyDown={(e) => {
          if (picker.onKeyDown(e)) return;
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      {picker.list}
      <button type="submit">Send</button>
    </form>
  );
}
