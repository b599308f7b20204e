import { useState } from 'preact/hooks';
import type { Room } from '../../../src/sdk/index.js';
import { describe } from '../state/errors.js';
import { declineInvite, joinRoom } from '../state/rooms.js';
import { Name } from './Name.js';

/** An invitation to a room: join it, or turn it down (its members see that). */
export function RoomInvite({ room, by }: { room: Room; by: string | null }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  function act(fn: (name: string) => Promise<void>) {
    setBusy(true);
    setError('');
    fn(room.name)
      .catch((e: unknown) => setError(describe(e)))
      .finally(() => setBusy(false));
  }
  return (
    <li class="request" data-invite={room.name}>
      <p>
        {by ? (
          <>
            <Name username={by} /> invited you to{' '}
          </>
        ) : (
          'You are invited to '
        )}
        <strong>#{room.name}</strong>
      </p>
      <div class="row">
        <button type="button" disabled={busy} onClick={() => act(joinRoom)}>
          Join #{room.name}
        </button>
        <button
          type="button"
          class="secondary"
          disabled={busy}
          aria-label={`Decline the invitation to #${room.name}`}
          onClick={() => act(declineInvite)}
        >
          Decline
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
