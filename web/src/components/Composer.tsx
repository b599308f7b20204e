import { useRef, useState } from 'preact/hooks';

/** Enter sends; Shift+Enter starts a new line. */
export function Composer({ name, onSend }: { name: string; onSend: (text: string) => void }) {
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);

  function submit() {
    if (!text.trim()) return;
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
