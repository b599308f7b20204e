import { count } from '../lib/plural.js';
import { useEffect, useState } from 'preact/hooks';
import type { Room } from '../../../src/sdk/index.js';
import { describe } from '../state/errors.js';
import { showPane } from '../state/nav.js';
import { joinRoom, openRoom, searchRooms } from '../state/rooms.js';
import { myRooms } from '../state/signals.js';
import { CreateRoom } from './CreateRoom.js';

/** Public rooms to join, and a form to create one. */
export function RoomDirectory() {
  const [q, setQ] = useState('');
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [error, setError] = useState('');

  async function search(query: string) {
    setError('');
    try {
      setRooms((await searchRooms(query)).rooms);
    } catch (err) {
      setError(describe(err));
    }
  }
  useEffect(() => void search(''), []);

  async function join(name: string) {
    setError('');
    try {
      await (myRooms.value[name] ? openRoom(name) : joinRoom(name));
    } catch (err) {
      setError(describe(err));
    }
  }

  return (
    <section class="directory" aria-labelledby="dir-h">
      <header class="conv-head">
        <button type="button" class="back secondary" onClick={() => showPane({})}>
          <span aria-hidden="true">←</span> Back
        </button>
        <h2 id="dir-h">Rooms</h2>
      </header>
      <div class="pad">
        <form
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            void search(q);
          }}
        >
          <label for="dir-q">Search public rooms</label>
          <div class="row tight">
            <input id="dir-q" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
            <button type="submit">Search</button>
          </div>
        </form>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {rooms && rooms.length === 0 && <p class="hint">No public rooms found.</p>}
        <ul class="rooms">
          {(rooms ?? []).map((r) => (
            <li key={r.id} class="request" data-directory-room={r.name}>
              <p>
                <strong>#{r.name}</strong> · {count(r.memberCount, 'member')}
              </p>
              {r.topic && <p class="hint">{r.topic}</p>}
              <button type="button" onClick={() => void join(r.name)}>
                {myRooms.value[r.name] ? `Open #${r.name}` : `Join #${r.name}`}
              </button>
            </li>
          ))}
        </ul>
        <CreateRoom />
      </div>
    </section>
  );
}
