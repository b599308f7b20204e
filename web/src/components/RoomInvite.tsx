import { useState } from 'preact/hooks';
import type { Room } from '../../../src/sdk/index.js';
import { describe } from '../state/errors.js';
import { joinRoom } from '../state/rooms.js';

export function RoomInvite({ room, by }: { room: Room; by: string | null }) {
  const [error, setError] = useState('');
  return (
    <li class="request" data-invite={room.name}>
      <p>
        {by ? `${by} invited you to ` : 'You are invited to '}
        <strong>#{room.name}</strong>
      </p>
      <button
        type="button"
        onClick={() => void joinRoom(room.name).catch((e: unknown) => setError(describe(e)))}
      >
        Join #{room.name}
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
