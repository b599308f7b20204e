import type { MyRoom } from '../../../src/sdk/index.js';
import { rank } from '../lib/fuzzy.js';
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
import { nameOf } from '../state/names.js';
import { showPane } from '../state/nav.js';
import { addingContact, chatFilter, sideView } from '../state/sidebar.js';
import { contacts, myRooms, roomInvites } from '../state/signals.js';
import { ChatItem, DmChatItem, RoomChatItem } from './ChatItem.js';
import { RoomInvite } from './RoomInvite.js';
import './chats.css';

type Entry = { at: number; key: string } & (
  { kind: 'dm'; chat: DmChat } | { kind: 'room'; room: MyRoom; last: Preview | undefined }
);

/** Direct chats and my rooms, the latest activity first. */
function allChats(): Entry[] {
  return [
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
}

const namesOf = (e: Entry) =>
  e.kind === 'dm'
    ? [nameOf(e.chat.username), e.chat.username]
    : [e.room.name, `#${e.room.name}`, e.room.topic];

/** What the filter finds: chats first, then contacts I have no chat with yet. */
function found(q: string): { chats: Entry[]; people: string[] } {
  const query = q.replace(/^[@#]/, '');
  const chats = rank(allChats(), query, namesOf, Infinity);
  const chatted = new Set(Object.keys(dmChats.value));
  const others = contacts.value
    .filter((c) => c.inRoster && !chatted.has(c.username.toLowerCase()))
    .map((c) => c.username.toLowerCase());
  const people = rank(others, query, (u) => [nameOf(u), u], 20);
  return { chats, people };
}

/** "Contact requests 2": people waiting for an answer, atop the list; opens the contacts. */
function RequestsRow() {
  const waiting = contacts.value.filter((c) => c.pendingIn).length;
  if (!waiting) return null;
  return (
    <button type="button" class="requests-row" onClick={() => (sideView.value = 'contacts')}>
      <span class="names">
        <span class="name">Contact requests</span>
        <span class="status">
          {waiting === 1 ? 'Someone wants' : `${waiting} people want`} to see when you are online
        </span>
      </span>
      <span class="badge" aria-label={`${waiting} waiting`}>
        {waiting}
      </span>
    </button>
  );
}

/** No chat yet: what this list is for, and the ways to start one. */
function Empty() {
  return (
    <div class="list-empty">
      <p class="empty-title">No chats yet</p>
      <p class="hint">
        Your conversations and rooms appear here. Add someone you know by their username, find
        people by name or city, or join a room.
      </p>
      <div class="empty-actions">
        <button type="button" onClick={() => (addingContact.value = true)}>
          Add a contact
        </button>
        <button type="button" class="secondary" onClick={() => showPane({ pane: 'people' })}>
          Find people
        </button>
        <button type="button" class="secondary" onClick={() => showPane({ browse: true })}>
          Browse rooms
        </button>
      </div>
    </div>
  );
}

function Rows({ entries }: { entries: Entry[] }) {
  return (
    <>
      {entries.map((e) =>
        e.kind === 'dm' ? (
          <DmChatItem key={e.key} chat={e.chat} />
        ) : (
          <RoomChatItem key={e.key} room={e.room} last={e.last} />
        ),
      )}
    </>
  );
}

/**
 * The conversation list: one row per chat, direct chats and rooms together by
 * latest activity; contact requests and room invitations above it. While the
 * filter holds text, only what matches, then matching contacts without a chat.
 */
export function ChatList() {
  const q = chatFilter.value.trim();
  const entries = q ? null : allChats();
  const hits = q ? found(q) : null;
  return (
    <section aria-label="Chat list" class="chats">
      {!q && <RequestsRow />}
      {!q && roomInvites.value.length > 0 && (
        <ul class="invites">
          {roomInvites.value.map((i) => (
            <RoomInvite key={i.room.id} room={i.room} by={i.by} />
          ))}
        </ul>
      )}
      {chatsError.value && (
        <p class="error" role="alert">
          {chatsError.value}{' '}
          <button type="button" class="link" onClick={() => void loadChats()}>
            Try again
          </button>
        </p>
      )}
      {hits ? (
        <>
          {hits.chats.length > 0 && (
            <ul class="contacts chat-rows">
              <Rows entries={hits.chats} />
            </ul>
          )}
          {hits.people.length > 0 && (
            <>
              <h2 class="list-h">Contacts</h2>
              <ul class="contacts chat-rows">
                {hits.people.map((u) => (
                  <ChatItem key={u} username={u} last={undefined} />
                ))}
              </ul>
            </>
          )}
          {hits.chats.length + hits.people.length === 0 && (
            <p class="hint list-note" role="status">
              No chat or contact matches “{q}”. To search messages, open a chat and use its Search.
            </p>
          )}
        </>
      ) : entries!.length === 0 ? (
        chatsLoading.value ? (
          <p class="hint list-note">Loading chats…</p>
        ) : (
          <Empty />
        )
      ) : (
        <ul class="contacts chat-rows">
          <Rows entries={entries!} />
        </ul>
      )}
      {!q && chatsNext.value && (
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
