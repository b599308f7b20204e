import { fullTime } from '../lib/days.js';
import type { RoomLine } from '../lib/roomEvents.js';
import type { Row } from '../lib/timeline.js';

const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

/** A join, kick, topic change... in the history: a small centred line of text. */
export function RoomLineItem({ line }: { line: RoomLine }) {
  return (
    <li class="room-line" data-line={line.kind} data-seq={line.seq}>
      <span class="pill">
        <span class="text">{line.text}</span>
        {line.at > 0 && (
          <time dateTime={new Date(line.at).toISOString()} title={fullTime(line.at)}>
            {' '}
            · {time.format(line.at)}
          </time>
        )}
      </span>
    </li>
  );
}

/** Several comings and goings in a row, summed up in one line; a button shows each. */
export function RoomLinesSummary(props: {
  row: Extract<Row<unknown>, { kind: 'lines' }>;
  onToggle: () => void;
}) {
  const { row } = props;
  return (
    <li class="room-line room-lines" data-line="summary">
      <span class="pill">
        <span class="text">{row.summary}</span>{' '}
        <button type="button" class="link" aria-expanded={row.open} onClick={props.onToggle}>
          {row.open ? 'Hide details' : `Show all ${row.count}`}
        </button>
      </span>
    </li>
  );
}
