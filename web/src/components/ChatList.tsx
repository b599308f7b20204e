import type { MyRoom } from '../../../src/sdk/index.js';
import {
  chatsError,
  chatsLoading,
  chatsNext,
  dmChats,
  loadChats,
  loadOlderChats,
  roomLast,
  type DmChat,
  type Preview,
} from '../state/chats.js';
import { myRooms } from '../state/signals.js';
import { ChatItem, RoomChatItem } from './ChatItem.js';
import './chats.css';

type Entry = { at: number; key: string } & (
  { kind: 'dm'; chat: DmChat } | { kind: 'room'; room: MyRoom; last: Preview | undefined }
);

/** Direct chats and my rooms in one list, the latest activity first. */
export function ChatList() {
  const entries: Entry[] = [
    ...Object.values(dmChats.value).map((chat): Entry => ({
      kind: 'dm',
      chat,
      at: chat.last.at,
      key: `dm:${chat.username}`,
    })),
    ...Object.values(myRooms.value).map((room): Entry => {
      const last = roomLast.value[room.name];
      return {
        kind: 'room',
        room,
        last,
        at: Math.max(room.lastAt, last?.at ?? 0),
        key: `room:${room.id}`,
      };
    }),
  ].sort((a, b) => b.at - a.at || a.key.localeCompare(b.key));
  return (
    <section aria-labelledby="chats-h" class="chats">
      <h2 id="chats-h">Chats</h2>
      {chatsError.value && (
        <p class="error" role="alert">
          {chatsError.value}{' '}
          <button type="button" class="link" onClick={() => void loadChats()}>
            Try again
          </button>
        </p>
      )}
      {entries.length === 0 ? (
        <p class="hint">{chatsLoading.value ? 'Loading chats…' : 'No chats yet.'}</p>
      ) : (
        <ul class="contacts">
          {entries.map((e) =>
            e.kind === 'dm' ? (
              <ChatItem key={e.key} chat={e.chat} />
            ) : (
              <RoomChatItem key={e.key} room={e.room} last={e.last} />
            ),
          )}
        </ul>
      )}
      {chatsNext.value && (
        <button
          type="button"
          class="secondary wide"
          disabled={chatsLoading.value}
          onClick={() => void loadOlderChats()}
        >
          Show older chats
        </button>
      )}
    </section>
  );
}
