import { useState } from 'preact/hooks';
import type { NotifyLevel } from '../../../src/sdk/index.js';
import { canConfigure, canLockTopic, canSeeBans } from '../lib/roomRoles.js';
import { describe } from '../state/errors.js';
import { setNotify, updateRoom } from '../state/moderation.js';
import { myRooms, roomViews } from '../state/signals.js';
import { BanList } from './BanList.js';

export const NOTIFY_LABEL: Record<NotifyLevel, string> = {
  all: 'All messages',
  mentions: 'Mentions only',
  none: 'Nothing',
};

/**
 * A room's settings: my notify level (everyone), the topic lock (moderators
 * and up), visibility (admins and owners), and the ban list (moderators and up).
 */
export function RoomSettings({ room }: { room: string }) {
  const r = myRooms.value[room];
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  // Remounts the controls after a refusal, so they show the room as it still is.
  const [reset, setReset] = useState(0);
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

  return (
    <div class="room-panel" role="region" aria-label={`Settings of #${room}`} key={reset}>
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
      {canConfigure(r.role) && (
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
