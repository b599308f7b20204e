import { useLayoutEffect, useRef } from 'preact/hooks';
import { interleave, type RoomLine } from '../lib/roomEvents.js';
import type { Shown } from '../state/signals.js';
import { MessageItem } from './MessageItem.js';
import { RoomLineItem } from './RoomLineItem.js';

const NEAR = 48;

/**
 * A history, oldest at the top. Scrolling to the top (or the button there)
 * loads the page before; the view stays where it was when older messages
 * arrive, and follows new ones when it was at the bottom.
 */
export function MessageList<T extends Shown>(props: {
  messages: T[];
  /** A room's joins, kicks, topic changes..., shown among the messages by roomSeq. */
  lines?: RoomLine[];
  more: boolean;
  loading: boolean;
  label: string;
  onOlder: () => void;
  onRetry: (m: T) => void;
}) {
  const { messages, more, loading } = props;
  const box = useRef<HTMLDivElement>(null);
  const snap = useRef({ fromBottom: 0, firstId: '', atBottom: true });
  const firstId = messages[0]?.id ?? '';

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
  }, [messages, props.lines]);

  return (
    <div
      class="messages"
      ref={box}
      tabIndex={0}
      aria-label={props.label}
      onScroll={() => {
        record();
        if (box.current && box.current.scrollTop < NEAR && more && !loading) props.onOlder();
      }}
    >
      {more && (
        <button type="button" class="link older" disabled={loading} onClick={props.onOlder}>
          {loading ? 'Loading…' : 'Load older messages'}
        </button>
      )}
      {!more && !loading && messages.length === 0 && (
        <p class="hint">No messages yet. Say hello!</p>
      )}
      <ol aria-live="polite">
        {interleave(messages, props.lines ?? []).map((x) =>
          'line' in x ? (
            <RoomLineItem key={`line:${x.line.seq}`} line={x.line} />
          ) : (
            <MessageItem
              key={x.message.id}
              m={x.message}
              onRetry={() => props.onRetry(x.message)}
            />
          ),
        )}
      </ol>
    </div>
  );
}
