import { roomPicture } from '../state/avatars.js';
import { useEffect, useState } from 'preact/hooks';
import { editing, lastEditable, refill, replyTo, replying } from '../state/compose.js';
import { latest, newer } from '../state/history.js';
import {
  clearRoomError,
  leaveRoom,
  loadOlderRoom,
  dropFailedRoom,
  sendToRoom,
} from '../state/rooms.js';
import { me, myRooms, roomViews } from '../state/signals.js';
import { room as roomTarget, sourceOf, targetKey } from '../state/target.js';
import { canEditTopic } from '../lib/roomRoles.js';
import { count } from '../lib/plural.js';
import { Avatar } from './Avatar.js';
import { ChatHead } from './ChatHead.js';
import { Composer } from './Composer.js';
import { Confirm } from './Confirm.js';
import { RoomEmpty } from './EmptyChat.js';
import { Glyph } from './glyphs.js';
import { InviteForm } from './InviteForm.js';
import { MemberList, memberCount } from './MemberList.js';
import { Menu, type MenuItem } from './Menu.js';
import { Mentions } from './mentions.js';
import { MessageList } from './MessageList.js';
import { NOTIFY_LABEL, RoomSettings } from './RoomSettings.js';
import { SearchBox } from './SearchBox.js';
import { TopicForm } from './TopicForm.js';
import './rooms-admin.css';

/** Where the side column would cover the history (chat-head.css). */
const PHONE = '(max-width: 40rem)';

/** Roles that may delete anyone's message (docs/protocol.md 12.2). */
const MODERATORS = new Set(['owner', 'admin', 'moderator']);

type Panel = 'topic' | 'invite' | 'settings' | null;

/** A room: name, topic and members count, what I may change, members, the history and the composer. */
export function RoomView({ name }: { name: string }) {
  const view = roomViews.value[name];
  const room = myRooms.value[name];
  const target = roomTarget(name);
  const key = targetKey(target);
  const reply = replying.value[key] ?? null;
  const [panel, setPanel] = useState<Panel>(null);
  // Beside the messages on a wide screen; on a phone, where they would cover them, a tap away
  // (also when a window narrows to a phone's width).
  const [members, setMembers] = useState(() => !matchMedia(PHONE).matches);
  useEffect(() => {
    const mq = matchMedia(PHONE);
    const narrowed = (e: MediaQueryListEvent) => e.matches && setMembers(false);
    mq.addEventListener('change', narrowed);
    return () => mq.removeEventListener('change', narrowed);
  }, []);
  const [leaving, setLeaving] = useState(false);
  // Where I had read to when the room opened (it is marked read as it shows).
  const [readAt] = useState(() => myRooms.value[name]?.read);
  // Muted or unmuted, an error from before ("you are muted") no longer holds.
  const muted = room?.muted;
  useEffect(() => clearRoomError(name), [muted]);
  const toggle = (p: Panel) => setPanel(panel === p ? null : p);
  // Escape closes an open panel (topic, invite, settings), unless something inside took it.
  useEffect(() => {
    if (!panel) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) setPanel(null);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [panel]);
  const people = view?.members ?? [];
  const known = new Set(people.map((m) => m.username));
  const mayTopic = room && canEditTopic(room.role, room.muted, room.topicLocked);
  const showMembers = members && panel !== 'settings';
  const invite = room && !room.muted ? () => setPanel('invite') : undefined;
  const items: MenuItem[] = room
    ? [
        ...(invite ? [{ label: 'Invite people', run: () => toggle('invite') }] : []),
        ...(mayTopic ? [{ label: 'Edit topic', run: () => toggle('topic') }] : []),
        { label: 'Room settings', run: () => toggle('settings') },
        { label: 'Leave room', danger: true, run: () => setLeaving(true) },
      ]
    : [];
  return (
    <section class="conversation" aria-labelledby="room-h">
      <ChatHead
        titleId="room-h"
        title={`#${name}`}
        avatar={<Avatar name={name} picture={roomPicture(name, room?.avatar)} room />}
        sub={
          <>
            {view || room ? count(memberCount(view, room), 'member') : ''}
            <span class="topic" data-testid="topic">
              {room?.topic && ` · ${room.topic}`}
              {room?.topic && room.topicLocked && <span class="locked"> (locked)</span>}
            </span>
            {room && room.notify !== 'all' && (
              <span class="notify-level" data-testid="notify-level">
                {' · '}Notify: {NOTIFY_LABEL[room.notify]}
              </span>
            )}
          </>
        }
        actions={
          <>
            <SearchBox target={target} />
            <button
              type="button"
              class="icon-button"
              aria-label="Members"
              title="Members"
              aria-pressed={showMembers}
              onClick={() => {
                if (panel === 'settings') setPanel(null);
                setMembers(!showMembers);
              }}
            >
              <Glyph name="members" />
            </button>
            {room && <Menu label="More options" icon={<Glyph name="more" />} items={items} />}
          </>
        }
        pop={
          leaving &&
          room && (
            <Confirm
              question={`Leave #${name}?`}
              detail={
                room.visibility === 'private'
                  ? 'Its messages stop reaching you. It is private: coming back needs a new invitation.'
                  : 'Its messages stop reaching you. You can join again from the room directory.'
              }
              action="Leave"
              // Leaving closes the room (state/rooms.ts dropRoom).
              run={() => leaveRoom(name)}
              done={() => setLeaving(false)}
            />
          )
        }
      />
      {room && panel === 'topic' && mayTopic && (
        <TopicForm room={name} topic={room.topic} onDone={() => setPanel(null)} />
      )}
      {room && panel === 'invite' && <InviteForm room={name} onDone={() => setPanel(null)} />}
      {view?.gone && (
        <p class="error gone" role="alert">
          {view.gone}
        </p>
      )}
      {/* One notice at a time: once I am out of the room, why is all that matters. */}
      {view?.error && !view.gone && (
        <p class="error" role="alert">
          {view.error}
        </p>
      )}
      <div class="room-body">
        <Mentions.Provider value={{ known: (n) => known.has(n), me: me.value?.username ?? '' }}>
          {view && (
            <MessageList
              messages={view.messages}
              lines={view.lines}
              more={view.more}
              newer={view.newer}
              jump={view.jump}
              loading={view.loading}
              label={`Messages in #${name}`}
              target={target}
              readAt={readAt}
              moderator={MODERATORS.has(room?.role ?? 'member')}
              onOlder={() => void loadOlderRoom(name)}
              onNewer={() => void newer(sourceOf(target))}
              onLatest={() => void latest(sourceOf(target))}
              onFailed={(m, how) => {
                dropFailedRoom(name, m);
                if (how === 'edit') refill.value = { key, text: m.text };
              }}
              empty={<RoomEmpty name={name} onInvite={invite} />}
            />
          )}
        </Mentions.Provider>
        {/* Settings take the side column, the whole height, in place of the members. */}
        {room && panel === 'settings' && <RoomSettings room={name} />}
        {room && showMembers && <MemberList room={name} />}
      </div>
      {room && (
        <Composer
          draftKey={key}
          blocked={room.muted ? `You are muted in #${name}: you may read, not speak.` : undefined}
          name={`#${name}`}
          mentionNames={people.map((m) => m.username).filter((n) => n !== me.value?.username)}
          replying={reply}
          onCancelReply={() => replyTo(key, null)}
          onEditLast={() => {
            const m = view && lastEditable(view.messages);
            if (m) editing.value = m.id;
          }}
          files={{ room: name }}
          onSend={(text, attachments) => {
            replyTo(key, null);
            void sendToRoom(name, text, undefined, reply?.id ?? null, attachments);
          }}
        />
      )}
    </section>
  );
}
