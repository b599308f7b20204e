import type { MyRoom } from '../../../src/sdk/index.js';
import { openRoom } from '../state/rooms.js';
import { roomUnread, selectedRoom } from '../state/signals.js';

export function RoomItem({ r }: { r: MyRoom }) {
  const count = roomUnread.value[r.name] ?? 0;
  return (
    <li data-room={r.name}>
      <button
        type="button"
        class="contact"
        aria-current={selectedRoom.value === r.name ? 'true' : undefined}
        onClick={() => void openRoom(r.name)}
      >
        <span class="hash" aria-hidden="true">
          #
        </span>
        <span class="names">
          <span class="name">
            <span class="visually-hidden">#</span>
            {r.name}
          </span>
          <span class="status">{r.topic || `${r.memberCount} members`}</span>
        </span>
        {count > 0 && (
          <span class="badge" aria-label={`${count} unread`}>
            {count}
          </span>
        )}
      </button>
    </li>
  );
}
