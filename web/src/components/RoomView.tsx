import { editing, lastEditable, replyTo, replying } from '../state/compose.js';
import { latest, newer } from '../state/history.js';
import { showPane } from '../state/nav.js';
import { leaveRoom, loadOlderRoom, retryRoom, sendToRoom } from '../state/rooms.js';
import { myRooms, notice, roomViews } from '../state/signals.js';
import { describe } from '../state/errors.js';
import { room as roomTarget, sourceOf, targetKey } from '../state/target.js';
import { Composer } from './Composer.js';
import { MemberList } from './MemberList.js';
import { MessageList } from './MessageList.js';
import { SearchBox } from './SearchBox.js';

/** Roles that may delete anyone's message (docs/protocol.md 12.2). */
const MODERATORS = new Set(['owner', 'admin', 'moderator']);

/** A room: name and topic, members, the history and the composer. */
export function RoomView({ name }: { name: string }) {
  const view = roomViews.value[name];
  const room = myRooms.value[name];
  const target = roomTarget(name);
  const key = targetKey(target);
  const reply = replying.value[key] ?? null;
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
        <SearchBox target={target} />
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
            newer={view.newer}
            jump={view.jump}
            loading={view.loading}
            label={`Messages in #${name}`}
            target={target}
            moderator={MODERATORS.has(room?.role ?? 'member')}
            onOlder={() => void loadOlderRoom(name)}
            onNewer={() => void newer(sourceOf(target))}
            onLatest={() => void latest(sourceOf(target))}
            onRetry={(m) => void retryRoom(name, m)}
          />
        )}
        <MemberList members={view?.members ?? null} />
      </div>
      <Composer
        name={`#${name}`}
        replying={reply}
        onCancelReply={() => replyTo(key, null)}
        onEditLast={() => {
          const m = view && lastEditable(view.messages);
          if (m) editing.value = m.id;
        }}
        onSend={(text) => {
          replyTo(key, null);
          void sendToRoom(name, text, undefined, reply?.id ?? null);
        }}
      />
    </section>
  );
}
