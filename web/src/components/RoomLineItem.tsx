import { fullTime } from '../lib/days.js';
import type { RoomLine } from '../lib/roomEvents.js';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** A join, kick, topic change... in the history, as text. */
export function RoomLineItem({ line }: { line: RoomLine }) {
  return (
    <li class="room-line" data-line={line.kind} data-seq={line.seq}>
      <span class="text">{line.text}</span>
      {line.at > 0 && (
        <time dateTime={new Date(line.at).toISOString()} title={fullTime(line.at)}>
          {' '}
          · {time.format(line.at)}
        </time>
      )}
    </li>
  );
}
