import { firstLine } from '../lib/quote.js';
import { me, type Shown } from '../state/signals.js';

/** Above the composer while writing a reply: to whom and what, with a way out. */
export function ReplyBar(props: { m: Shown; onCancel: () => void }) {
  const { m } = props;
  const who = m.from.userId === me.value?.id ? 'yourself' : m.from.username;
  return (
    <div class="reply-bar" role="status">
      <span class="reply-to">
        Replying to <strong>{who}</strong>
        <span class="quote-text">
          {m.deleted ? 'This message was deleted.' : firstLine(m.text)}
        </span>
      </span>
      <button type="button" class="secondary" aria-label="Cancel reply" onClick={props.onCancel}>
        <span aria-hidden="true">✕</span>
      </button>
    </div>
  );
}
