import { useLayoutEffect, useRef } from 'preact/hooks';
import { loadOlder } from '../state/chat.js';
import type { Conversation } from '../state/signals.js';
import { MessageItem } from './MessageItem.js';

const NEAR = 48;

/**
 * The history, oldest at the top. Scrolling to the top (or the button there)
 * loads the page before; the view stays where it was when older messages
 * arrive, and follows new ones when it was at the bottom.
 */
export function MessageList({ conv, name }: { conv: Conversation; name: string }) {
  const box = useRef<HTMLDivElement>(null);
  const snap = useRef({ fromBottom: 0, firstId: '', atBottom: true });
  const firstId = conv.messages[0]?.id ?? '';

  function record() {
    const el = box.current;
    if (!el) return;
    const fromBottom = el.scrollHeight - el.clientHeight - el.scrollTop;
    snap.current = { fromBottom, firstId, atBottom: fromBottom < NEAR };
  }

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const was = snap.current;
    if (was.firstId && firstId !== was.firstId && !was.atBottom)
      el.scrollTop = el.scrollHeight - el.clientHeight - was.fromBottom;
    else if (was.atBottom) el.scrollTop = el.scrollHeight;
    record();
  }, [conv.messages]);

  return (
    <div
      class="messages"
      ref={box}
      tabIndex={0}
      aria-label={`Messages with ${name}`}
      onScroll={() => {
        record();
        if (box.current && box.current.scrollTop < NEAR && conv.more) void loadOlder(conv.with);
      }}
    >
      {conv.more && (
        <button
          type="button"
          class="link older"
          disabled={conv.loading}
          onClick={() => void loadOlder(conv.with)}
        >
          {conv.loading ? 'Loading…' : 'Load older messages'}
        </button>
      )}
      {!conv.more && !conv.loading && conv.messages.length === 0 && (
        <p class="hint">No messages yet. Say hello!</p>
      )}
      <ol aria-live="polite">
        {conv.messages.map((m) => (
          <MessageItem key={m.id} m={m} who={conv.with} />
        ))}
      </ol>
    </div>
  );
}
