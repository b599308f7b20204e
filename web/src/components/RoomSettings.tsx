import { useRef, useState } from 'preact/hooks';
import type { NotifyLevel } from '../../../src/sdk/index.js';
import { canConfigure, canLockTopic, canSeeBans } from '../lib/roomRoles.js';
import { describe } from '../state/errors.js';
import { roomPicture } from '../state/avatars.js';
import { setNotify, updateRoom } from '../state/moderation.js';
import { removeRoomPicture, setRoomPicture } from '../state/rooms.js';
import { myRooms, roomViews } from '../state/signals.js';
import { Avatar } from './Avatar.js';
import { BanList } from './BanList.js';

export const NOTIFY_LABEL: Record<NotifyLevel, string> = {
  all: 'All messages',
  mentions: 'Mentions only',
  none: 'Nothing',
};

/** As the server's bound (core/files/pictures.ts): said before the upload. */
const PICTURE_BYTES = 512 * 1024;

/**
 * A room's settings: its picture (everyone sees it, admins and owners change it),
 * my notify level (everyone), the topic lock (moderators and up), visibility
 * (admins and owners), and the ban list (moderators and up).
 */
export function RoomSettings({ room }: { room: string }) {
  const r = myRooms.value[room];
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  // Remounts the controls after a refusal, so they show the room as it still is.
  const [reset, setReset] = useState(0);
  const file = useRef<HTMLInputElement>(null);
  // The ban list is read again after each ban or unban in the timeline.
  const banEvents = (roomViews.value[room]?.lines ?? []).filter(
    (l) => l.kind === 'banned' || l.kind === 'unbanned',
  ).length;
  if (!r) return null;

  async function save(what: string, action: () => Promise<void>) {
    setError('');
    setSaved('');
    try {
      await action();
      setSaved(what);
    } catch (err) {
      setError(describe(err));
      setReset((n) => n + 1);
    }
  }

  function pick(e: Event) {
    const input = e.currentTarget as HTMLInputElement;
    const f = input.files?.[0];
    input.value = '';
    if (!f) return;
    if (f.size > PICTURE_BYTES) {
      setSaved('');
      return setError('A picture may be at most 512 KB.');
    }
    void save('Picture saved.', () => setRoomPicture(room, f));
  }

  const admin = canConfigure(r.role);
  return (
    <div class="room-panel" role="region" aria-label={`Settings of #${room}`} key={reset}>
      <div class="room-picture">
        <Avatar name={room} picture={roomPicture(room, r.avatar)} size={48} />
        {admin && (
          <>
            <input
              ref={file}
              type="file"
              class="visually-hidden"
              aria-label="Room picture file"
              accept="image/png,image/jpeg,image/webp,image/gif"
              onChange={pick}
            />
            <button type="button" class="secondary" onClick={() => file.current?.click()}>
              {r.avatar ? 'Change room picture' : 'Add a room picture'}
            </button>
            {r.avatar && (
              <button
                type="button"
                class="secondary"
                onClick={() => void save('Picture removed.', () => removeRoomPicture(room))}
              >
                Remove room picture
              </button>
            )}
          </>
        )}
      </div>
      <label for="notify-level">Notify me about</label>
      <select
        id="notify-level"
        value={r.notify}
        onChange={(e) => {
          const v = e.currentTarget.value as NotifyLevel;
          void save('Notification setting saved.', () => setNotify(room, v));
        }}
      >
        {(Object.keys(NOTIFY_LABEL) as NotifyLevel[]).map((k) => (
          <option key={k} value={k}>
            {NOTIFY_LABEL[k]}
          </option>
        ))}
      </select>
      {canLockTopic(r.role) && (
        <label class="check">
          <input
            type="checkbox"
            checked={r.topicLocked}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              void save(on ? 'Topic locked.' : 'Topic unlocked.', () =>
                updateRoom(room, { topicLocked: on }),
              );
            }}
          />
          Only moderators and up may change the topic
        </label>
      )}
      {admin && (
        <>
          <label for="visibility">Who may join</label>
          <select
            id="visibility"
            value={r.visibility}
            onChange={(e) => {
              const v = e.currentTarget.value as 'public' | 'private';
              void save('Visibility saved.', () => updateRoom(room, { visibility: v }));
            }}
          >
            <option value="public">Public: listed, anyone may join</option>
            <option value="private">Private: invited people only</option>
          </select>
        </>
      )}
      <p class="hint" role="status">
        {saved}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {canSeeBans(r.role) && <BanList room={room} version={banEvents} />}
    </div>
  );
}
