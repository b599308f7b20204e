import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { dayLabel } from '../lib/days.js';
import type { RoomLine } from '../lib/roomEvents.js';
import { timelineRows } from '../lib/timeline.js';
import { me } from '../state/signals.js';
import type { Tick } from '../lib/ticks.js';
import type { Shown, Windowing } from '../state/signals.js';
import type { Target } from '../state/target.js';
import { MessageItem } from './MessageItem.js';
import { RoomLineItem, RoomLinesSummary } from './RoomLineItem.js';
import { useRovingMessages } from './roving.js';

const NEAR = 48;
/** How long a message jumped to stays highlighted. */
const HIGHLIGHT_MS = 4000;

/**
 * A history window (lib/window.ts), oldest at the top. Scrolling near the
 * top loads the page before, near the bottom (after a jump) the page after.
 * When pages come or go at either end, the message at the top of the screen
 * stays where it was; new messages are followed when the view was at the end.
 */
export function MessageList<T extends Shown>(props: {
  messages: T[];
  /** A room's joins, kicks, topic changes..., shown among the messages by roomSeq. */
  lines?: RoomLine[];
  more: boolean;
  newer?: boolean;
  jump?: Windowing['jump'];
  loading: boolean;
  label: string;
  target: Target;
  moderator?: boolean;
  tick?: (m: T) => Tick | undefined;
  /** My read marker when the chat was opened: "New messages" goes before the first one after it. */
  readAt?: number;
  onOlder: () => void;
  onNewer: () => void;
  onLatest: () => void;
  /** A message the server refused: taken back to edit, or deleted. */
  onFailed: (m: T, how: 'edit' | 'delete') => void;
  /** What an empty history shows (after a new room's lines): a designed empty state. */
  empty?: ComponentChildren;
}) {
  const { messages, more, newer, loading, jump } = props;
  const box = useRef<HTMLDivElement>(null);
  const snap = useRef({ atBottom: true, anchorId: '', anchorOffset: 0 });
  const handled = useRef(0);
  /** The newest pending message seen: a new one is mine, just sent, and is shown. */
  const lastPending = useRef('');
  const [highlight, setHighlight] = useState<number | null>(null);
  const [away, setAway] = useState(false);
  /** Runs of room lines opened to show each line (by the roomSeq of the first). */
  const [openRuns, setOpenRuns] = useState<ReadonlySet<number>>(() => new Set());
  const roving = useRovingMessages(box, [messages]);

  function record() {
    const el = box.current;
    if (!el) return;
    const fromBottom = el.scrollHeight - el.clientHeight - el.scrollTop;
    // The first message at least partly on screen anchors the view.
    let anchorId = '';
    let anchorOffset = 0;
    for (const li of el.querySelectorAll<HTMLElement>('li.msg')) {
      if (li.offsetTop + li.offsetHeight > el.scrollTop) {
        anchorId = li.dataset.id ?? '';
        anchorOffset = li.offsetTop - el.scrollTop;
        break;
      }
    }
    snap.current = { atBottom: fromBottom < NEAR, anchorId, anchorOffset };
    setAway(fromBottom > el.clientHeight);
  }

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const was = snap.current;
    const pending = messages.findLast((m) => m.pending === 'sending')?.id ?? '';
    const sent = pending !== '' && pending !== lastPending.current;
    lastPending.current = pending;
    if (sent && !newer) el.scrollTop = el.scrollHeight;
    else if (jump && jump.at !== handled.current) {
      handled.current = jump.at;
      if (jump.seq === 'latest') el.scrollTop = el.scrollHeight;
      else {
        const li = el.querySelector<HTMLElement>(`li.msg[data-seq="${jump.seq}"]`);
        if (li) {
          el.scrollTop = li.offsetTop - (el.clientHeight - li.offsetHeight) / 2;
          li.focus({ preventScroll: true });
          setHighlight(jump.seq);
        }
      }
    } else if (was.atBottom && !newer) el.scrollTop = el.scrollHeight;
    else if (was.anchorId) {
      const li = el.querySelector<HTMLElement>(`li.msg[data-id="${CSS.escape(was.anchorId)}"]`);
      if (li) el.scrollTop = li.offsetTop - was.anchorOffset;
    }
    record();
  }, [messages, jump, props.lines]);

  useEffect(() => {
    if (highlight === null) return;
    const t = setTimeout(() => setHighlight(null), HIGHLIGHT_MS);
    return () => clearTimeout(t);
  }, [highlight]);

  // Only the lines inside the window of messages on screen (the rest come with their pages).
  const stored = messages.filter((m) => !m.pending);
  const first = stored[0]?.seq;
  const last = stored.at(-1)?.seq;
  const lines = (props.lines ?? []).filter(
    (l) =>
      (!more || first === undefined || l.seq > first) &&
      (!newer || last === undefined || l.seq < last),
  );

  // Days, "New messages", room lines (runs of comings and goings summed up) and groups.
  const now = Date.now();
  const rows: ComponentChildren[] = timelineRows(messages, lines, {
    readAt: props.readAt,
    myId: me.value?.id,
    open: openRuns,
  }).map((r) => {
    switch (r.kind) {
      case 'day':
        return (
          <li key={`day:${r.key}`} class="day">
            <span>{dayLabel(r.at, now)}</span>
          </li>
        );
      case 'new':
        return (
          <li key="new" class="new-line" id="first-unread">
            <span>New messages</span>
          </li>
        );
      case 'line':
        return <RoomLineItem key={`line:${r.line.seq}`} line={r.line} />;
      case 'lines':
        return (
          <RoomLinesSummary
            key={`lines:${r.key}`}
            row={r}
            onToggle={() => {
              const next = new Set(openRuns);
              if (!next.delete(r.key)) next.add(r.key);
              setOpenRuns(next);
            }}
          />
        );
      case 'msg': {
        const m = r.message;
        return (
          <MessageItem
            key={m.id}
            m={m}
            target={props.target}
            moderator={!!props.moderator}
            tick={props.tick?.(m)}
            highlighted={highlight === m.seq && !m.pending}
            first={r.first}
            last={r.last}
            onFailed={(how) => props.onFailed(m, how)}
          />
        );
      }
    }
  });

  return (
    <div class="history">
      <div
        class="messages"
        ref={box}
        role="region"
        aria-label={props.label}
        aria-busy={loading}
        onScroll={() => {
          record();
          const el = box.current;
          if (!el || loading) return;
          if (el.scrollTop < NEAR && more) props.onOlder();
          else if (el.scrollHeight - el.clientHeight - el.scrollTop < NEAR && newer)
            props.onNewer();
        }}
      >
        {more && (
          <button type="button" class="link older" disabled={loading} onClick={props.onOlder}>
            {loading ? 'Loading…' : 'Load older messages'}
          </button>
        )}
        <ol
          aria-live={newer ? 'off' : 'polite'}
          aria-label="Messages: arrow keys move, Enter opens a message's menu"
          onKeyDown={roving.onKeyDown}
          onFocusIn={roving.onFocusIn}
        >
          {rows}
        </ol>
        {/* After a new room's creation and joins, never above them. */}
        {!more && !newer && !loading && messages.length === 0 && (
          <div class="empty-history">{props.empty}</div>
        )}
        {newer && (
          <button type="button" class="link older" disabled={loading} onClick={props.onNewer}>
            {loading ? 'Loading…' : 'Load newer messages'}
          </button>
        )}
      </div>
      {(newer || away) && (
        <button type="button" class="to-latest" onClick={props.onLatest}>
          Jump to latest <span aria-hidden="true">↓</span>
        </button>
      )}
    </div>
  );
}
