import { useEffect, useState } from 'preact/hooks';
import { editing, lastEditable, refill, replyTo, replying } from '../state/compose.js';
import { latest, newer } from '../state/history.js';
import { showPane } from '../state/nav.js';
import {
  clearRoomError,
  leaveRoom,
  loadOlderRoom,
  dropFailedRoom,
  sendToRoom,
} from '../state/rooms.js';
import { me, myRooms, notice, roomViews } from '../state/signals.js';
import { describe } from '../state/errors.js';
import { room as roomTarget, sourceOf, targetKey } from '../state/target.js';
import { canEditTopic } from '../lib/roomRoles.js';
import { Composer } from './Composer.js';
import { InviteForm } from './InviteForm.js';
import { MemberList } from './MemberList.js';
import { Menu } from './Menu.js';
import { Mentions } from './mentions.js';
import { MessageList } from './MessageList.js';
import { NOTIFY_LABEL, RoomSettings } from './RoomSettings.js';
import { SearchBox } from './SearchBox.js';
import { TopicForm } from './TopicForm.js';
import './rooms-admin.css';

/** Roles that may delete anyone's message (docs/protocol.md 12.2). */
const MODERATORS = new Set(['owner', 'admin', 'moderator']);

type Panel = 'topic' | 'invite' | 'settings' | null;

/** A room: name and topic, what I may change, members, the history and the composer. */
export function RoomView({ name }: { name: string }) {
  const view = roomViews.value[name];
  const room = myRooms.value[name];
  const target = roomTarget(name);
  const key = targetKey(target);
  const reply = replying.value[key] ?? null;
  const [panel, setPanel] = useState<Panel>(null);
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
  const members = view?.members ?? [];
  const known = new Set(members.map((m) => m.username));
  const mayTopic = room && canEditTopic(room.role, room.muted, room.topicLocked);
  return (
    <section class="conversation" aria-labelledby="room-h">
      <header class="conv-head room-head">
        <button type="button" class="back secondary" onClick={() => showPane({})}>
          <span aria-hidden="true">←</span> Back
        </button>
        <h2 id="room-h">#{name}</h2>
        <span class="status topic" data-testid="topic">
          {room?.topic}
          {room?.topicLocked && <span class="hint"> (locked)</span>}
        </span>
        <SearchBox target={target} />
        {room && (
          <div class="room-actions">
            {room.notify !== 'all' && (
              <span class="hint notify-level" data-testid="notify-level">
                Notify: {NOTIFY_LABEL[room.notify]}
              </span>
            )}
            {mayTopic && (
              <button
                type="button"
                class="secondary"
                aria-expanded={panel === 'topic'}
                onClick={() => toggle('topic')}
              >
                Edit topic
              </button>
            )}
            {!room.muted && (
              <button
                type="button"
                class="secondary"
                aria-expanded={panel === 'invite'}
                onClick={() => toggle('invite')}
              >
                Invite
              </button>
            )}
            <button
              type="button"
              class="secondary"
              aria-expanded={panel === 'settings'}
              onClick={() => toggle('settings')}
            >
              Room settings
            </button>
            <button
              type="button"
              class="secondary leave"
              onClick={() =>
                void leaveRoom(name).catch((e: unknown) => (notice.value = describe(e)))
              }
            >
              Leave
            </button>
          </div>
        )}
        {room && (
          <div class="room-menu">
            <Menu
              label="Room actions"
              items={[
                ...(mayTopic ? [{ label: 'Edit topic', run: () => toggle('topic') }] : []),
                ...(!room.muted ? [{ label: 'Invite', run: () => toggle('invite') }] : []),
                { label: 'Room settings', run: () => toggle('settings') },
                {
                  label: 'Leave',
                  run: () =>
                    void leaveRoom(name).catch((e: unknown) => (notice.value = describe(e))),
                },
              ]}
            />
          </div>
        )}
      </header>
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
            />
          )}
        </Mentions.Provider>
        {/* Settings take the side column, the whole height, in place of the members. */}
        {room && (panel === 'settings' ? <RoomSettings room={name} /> : <MemberList room={name} />)}
      </div>
      {room && (
        <Composer
          draftKey={key}
          blocked={room.muted ? `You are muted in #${name}: you may read, not speak.` : undefined}
          name={`#${name}`}
          mentionNames={members.map((m) => m.username).filter((n) => n !== me.value?.username)}
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
