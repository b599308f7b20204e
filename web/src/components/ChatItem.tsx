import { count } from '../lib/plural.js';
import { Avatar } from './Avatar.js';
import type { MyRoom } from '../../../src/sdk/index.js';
import { openConversation } from '../state/chat.js';
import { roomMentions, type DmChat, type Preview } from '../state/chats.js';
import { openRoom } from '../state/rooms.js';
import { contacts, roomUnread, selected, selectedRoom, unread } from '../state/signals.js';
import { nameOf } from '../state/names.js';
import { parseMarkdown, plainText } from '../lib/markdown.js';

/** The latest message in a line: "You: …", the sender in rooms, or that it was deleted. */
function PreviewLine({ last, room }: { last: Preview; room: boolean }) {
  const who = last.fromMe ? 'You: ' : room ? `${nameOf(last.from)}: ` : '';
  return (
    <span class="status preview">
      {who}
      {last.deleted ? <em>Message deleted</em> : plainText(parseMarkdown(last.text))}
    </span>
  );
}

function Badges({ unread, mentions, quiet }: { unread: number; mentions: number; quiet: boolean }) {
  return (
    <>
      {mentions > 0 && (
        <span
          class="badge mention"
          aria-label={`${mentions} ${mentions === 1 ? 'mention' : 'mentions'}`}
        >
          @{mentions}
        </span>
      )}
      {unread > 0 && (
        <span class={`badge ${quiet ? 'quiet' : ''}`} aria-label={`${unread} unread`}>
          {unread}
        </span>
      )}
    </>
  );
}

/** A direct chat: the person (as my contacts name them, if they are one) and the latest message. */
export function ChatItem({ chat }: { chat: DmChat }) {
  const key = chat.username;
  const c = contacts.value.find((x) => x.userId === chat.userId);
  const name = c?.alias || c?.displayName || chat.displayName || chat.username;
  return (
    <li data-chat={key}>
      <button
        type="button"
        class="contact"
        aria-current={selected.value === key ? 'true' : undefined}
        onClick={() => void openConversation(key)}
      >
        <Avatar username={chat.username} name={name} hash={c?.avatar} />
        <span class="names">
          <span class="name">{name}</span>
          <PreviewLine last={chat.last} room={false} />
        </span>
        <Badges unread={unread.value[key] ?? 0} mentions={0} quiet={false} />
      </button>
    </li>
  );
}

/** A room: its name, the latest message seen (else the topic), unread and mention counts. */
export function RoomChatItem({ room, last }: { room: MyRoom; last: Preview | undefined }) {
  const name = room.name;
  return (
    <li data-room={name}>
      <button
        type="button"
        class="contact"
        aria-current={selectedRoom.value === name ? 'true' : undefined}
        onClick={() => void openRoom(name)}
      >
        <span class="hash" aria-hidden="true">
          #
        </span>
        <span class="names">
          <span class="name">
            <span class="visually-hidden">#</span>
            {name}
          </span>
          {last ? (
            <PreviewLine last={last} room={true} />
          ) : (
            <span class="status">{room.topic || count(room.memberCount, 'member')}</span>
          )}
        </span>
        <Badges
          unread={roomUnread.value[name] ?? 0}
          mentions={roomMentions.value[name] ?? 0}
          quiet={room.notify !== 'all'}
        />
      </button>
    </li>
  );
}
