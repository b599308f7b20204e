import { firstLine } from '../lib/quote.js';
import { quoted } from '../state/quotes.js';
import { me } from '../state/signals.js';

/**
 * The message a reply answers, quoted above the reply's text: author and
 * first line, as text. A click shows the original in the history, loading it
 * when it is not in the window.
 */
export function ReplyQuote(props: { id: string; onShow: () => void }) {
  const q = quoted(props.id);
  const author = q ? (q.author === me.value?.username ? 'You' : q.author || 'someone') : '';
  const line = !q
    ? 'Reply to an earlier message'
    : q.deleted
      ? 'This message was deleted.'
      : firstLine(q.text);
  return (
    <button
      type="button"
      class="quote"
      aria-label={`${q ? `Replying to ${author}: ${line}` : line}. Show the original message`}
      onClick={props.onShow}
    >
      {q && <span class="quote-author">{author}</span>}
      <span class={`quote-text${q?.deleted || !q ? ' deleted' : ''}`}>{line}</span>
    </button>
  );
}
