import { roomPicture } from '../state/avatars.js';
import { count } from '../lib/plural.js';
import { fullTime } from '../lib/days.js';
import { listTime } from '../lib/listtime.js';
import { parseMarkdown, plainText } from '../lib/markdown.js';
import type { MyRoom } from '../../../src/sdk/index.js';
import { openConversation } from '../state/chat.js';
import { roomMentions, type DmChat, type Preview } from '../state/chats.js';
import { now } from '../state/clock.js';
import { handleIfShared, nameOf } from '../state/names.js';
import { openRoom } from '../state/rooms.js';
import { chatFilter } from '../state/sidebar.js';
import {
  contacts,
  presence,
  roomUnread,
  selected,
  selectedRoom,
  unread,
} from '../state/signals.js';
import { typingFrom } from '../state/typing.js';
import { Avatar } from './Avatar.js';
import { presenceText } from './ContactItem.js';
import { PresenceDot } from './PresenceDot.js';

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

function When({ at }: { at: number }) {
  if (!at) return null;
  return (
    <time class="when" dateTime={new Date(at).toISOString()} title={fullTime(at)}>
      {listTime(at, now.value)}
    </time>
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

/** Opening a chat from the filter's results ends the search, as messengers do. */
function opened(p: Promise<unknown> | void): void {
  chatFilter.value = '';
  void p;
}

/**
 * A person's row: their avatar with a presence dot (when they share it), the
 * name I know them by (with @username only where two share it), the latest
 * message or "typing…", its time and the unread count. `last` is absent for a
 * contact with no chat yet (filter results): their status shows instead.
 */
export function ChatItem({ username, last }: { username: string; last: Preview | undefined }) {
  const key = username.toLowerCase();
  const c = contacts.value.find((x) => x.username.toLowerCase() === key);
  const sees = c?.subscription === 'to' || c?.subscription === 'both';
  const p = sees && c ? presence.value[c.userId] : undefined;
  const name = nameOf(key);
  const handle = handleIfShared(key);
  const typing = key in typingFrom.value;
  const n = unread.value[key] ?? 0;
  return (
    <li data-chat={key}>
      <button
        type="button"
        class={`contact chat-row${n > 0 ? ' has-unread' : ''}`}
        aria-current={selected.value === key ? 'true' : undefined}
        onClick={() => opened(openConversation(key))}
      >
        <span class="with-dot">
          <Avatar username={key} name={name} hash={c?.avatar} size={44} />
          {sees && <PresenceDot p={p} />}
        </span>
        <span class="names">
          <span class="line">
            <span class="name">
              {name}
              {handle && <span class="handle"> {handle}</span>}
            </span>
            {last && <When at={last.at} />}
          </span>
          <span class="line">
            {typing ? (
              <span class="status preview typing-now">typing…</span>
            ) : last ? (
              <PreviewLine last={last} room={false} />
            ) : (
              <span class="status preview">
                {sees ? presenceText(p) : c?.ask ? 'Waiting for approval' : 'Contact'}
              </span>
            )}
            <Badges unread={n} mentions={0} quiet={false} />
          </span>
        </span>
      </button>
    </li>
  );
}

export function DmChatItem({ chat }: { chat: DmChat }) {
  return <ChatItem username={chat.username} last={chat.last} />;
}

/** A room's row: its initials on a rounded square, the latest message seen (else the topic), counts. */
export function RoomChatItem({ room, last }: { room: MyRoom; last: Preview | undefined }) {
  const name = room.name;
  const picture = roomPicture(name, room.avatar);
  const quiet = room.notify !== 'all';
  return (
    <li data-room={name}>
      <button
        type="button"
        class={`contact chat-row${(roomUnread.value[name] ?? 0) > 0 && !quiet ? ' has-unread' : ''}`}
        aria-current={selectedRoom.value === name ? 'true' : undefined}
        onClick={() => opened(openRoom(name))}
      >
        <span class="with-dot">
          <Avatar name={name} picture={picture} size={44} room />
        </span>
        <span class="names">
          <span class="line">
            <span class="name">
              <span class="hash" aria-hidden="true">
                #
              </span>
              <span class="visually-hidden">#</span>
              {name}
            </span>
            <When at={Math.max(room.lastAt, last?.at ?? 0)} />
          </span>
          <span class="line">
            {last ? (
              <PreviewLine last={last} room={true} />
            ) : (
              <span class="status preview">{room.topic || count(room.memberCount, 'member')}</span>
            )}
            <Badges
              unread={roomUnread.value[name] ?? 0}
              mentions={roomMentions.value[name] ?? 0}
              quiet={quiet}
            />
          </span>
        </span>
      </button>
    </li>
  );
}
