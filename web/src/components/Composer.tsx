import { useRef, useState } from 'preact/hooks';
import { send } from '../state/chat.js';

/** Enter sends; Shift+Enter starts a new line. */
export function Composer({ who, name }: { who: string; name: string }) {
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);

  function submit() {
    if (!text.trim()) return;
    void send(who, text);
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
        onInput={(e) => setText(e.currentTarget.value)}
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
