import { showPane } from '../state/nav.js';
import { myRooms, roomInvites, browsing } from '../state/signals.js';
import { RoomInvite } from './RoomInvite.js';
import { RoomItem } from './RoomItem.js';

/** My rooms, invitations to others, and the way to the directory. */
export function RoomList() {
  const rooms = Object.values(myRooms.value).sort((a, b) => a.name.localeCompare(b.name));
  return (
    <section aria-labelledby="rooms-h">
      <h2 id="rooms-h">Rooms</h2>
      {roomInvites.value.length > 0 && (
        <ul class="invites">
          {roomInvites.value.map((i) => (
            <RoomInvite key={i.room.id} room={i.room} by={i.by} />
          ))}
        </ul>
      )}
      {rooms.length > 0 && (
        <ul class="contacts">
          {rooms.map((r) => (
            <RoomItem key={r.id} r={r} />
          ))}
        </ul>
      )}
      <button
        type="button"
        class="secondary wide"
        aria-pressed={browsing.value}
        onClick={() => showPane({ browse: true })}
      >
        Browse or create rooms
      </button>
    </section>
  );
}
