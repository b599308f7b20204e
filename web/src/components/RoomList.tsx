import { showPane } from '../state/nav.js';
import { roomInvites, browsing } from '../state/signals.js';
import { RoomInvite } from './RoomInvite.js';

/** Invitations to rooms and the way to the directory (my rooms are in the chat list). */
export function RoomList() {
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
