import { showPane } from '../state/nav.js';
import { leaveRoom, loadOlderRoom, retryRoom, sendToRoom } from '../state/rooms.js';
import { myRooms, notice, roomViews } from '../state/signals.js';
import { describe } from '../state/errors.js';
import { Composer } from './Composer.js';
import { MemberList } from './MemberList.js';
import { MessageList } from './MessageList.js';

/** A room: name and topic, members, the history and the composer. */
export function RoomView({ name }: { name: string }) {
  const view = roomViews.value[name];
  const room = myRooms.value[name];
  return (
    <section class="conversation" aria-labelledby="room-h">
      <header class="conv-head">
        <button type="button" class="back secondary" onClick={() => showPane({})}>
          <span aria-hidden="true">←</span> Back
        </button>
        <h2 id="room-h">#{name}</h2>
        <span class="status topic" data-testid="topic">
          {room?.topic}
        </span>
        <button
          type="button"
          class="secondary leave"
          onClick={() => void leaveRoom(name).catch((e: unknown) => (notice.value = describe(e)))}
        >
          Leave
        </button>
      </header>
      {view?.error && (
        <p class="error" role="alert">
          {view.error}
        </p>
      )}
      <div class="room-body">
        {view && (
          <MessageList
            messages={view.messages}
            more={view.more}
            loading={view.loading}
            label={`Messages in #${name}`}
            onOlder={() => void loadOlderRoom(name)}
            onRetry={(m) => void retryRoom(name, m)}
          />
        )}
        <MemberList members={view?.members ?? null} />
      </div>
      <Composer name={`#${name}`} onSend={(text) => void sendToRoom(name, text)} />
    </section>
  );
}
