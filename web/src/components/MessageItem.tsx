import { me, type Shown } from '../state/signals.js';
import { MessageText } from './MessageText.js';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function MessageItem({ m, onRetry }: { m: Shown; onRetry: () => void }) {
  const mine = m.from.userId === me.value?.id;
  return (
    <li class={`msg ${mine ? 'mine' : 'theirs'}`} data-seq={m.seq} data-pending={m.pending}>
      <span class="author">{mine ? 'You' : m.from.username}</span>
      {m.deleted ? (
        <p class="text deleted">This message was deleted.</p>
      ) : (
        <MessageText text={m.text} />
      )}
      <span class="meta">
        <time dateTime={new Date(m.createdAt).toISOString()}>{time.format(m.createdAt)}</time>
        {m.editedAt !== null && ' · edited'}
        {m.pending === 'sending' && ' · sending…'}
        {m.pending === 'failed' && (
          <>
            {' · not sent '}
            <button type="button" class="link" onClick={onRetry}>
              Retry
            </button>
          </>
        )}
      </span>
    </li>
  );
}
