import { useEffect, useRef, useState } from 'preact/hooks';
import type { RoomMember, RoomRole } from '../../../src/sdk/index.js';
import { canModerate, rolesToGrant } from '../lib/roomRoles.js';
import { openConversation } from '../state/chat.js';
import { describe } from '../state/errors.js';
import { ban, kick, mute, setRole } from '../state/moderation.js';

const ROLE_LABEL: Record<RoomRole, string> = {
  owner: 'Make owner',
  admin: 'Make admin',
  moderator: 'Make moderator',
  member: 'Make member',
};

/** Ban lengths offered, in seconds (null: until lifted). */
const DURATIONS: [string, number | null][] = [
  ['Until lifted', null],
  ['1 hour', 3600],
  ['1 day', 86_400],
  ['1 week', 7 * 86_400],
  ['30 days', 30 * 86_400],
];

/**
 * The actions my role allows on one member: one menu under their name (the
 * destructive ones last, apart). Kick and ban ask for a reason in place (never
 * a browser dialog). Escape closes; the arrow keys move between the actions.
 */
export function MemberActions(props: {
  room: string;
  member: RoomMember;
  myRole: RoomRole;
  onClose: () => void;
}) {
  const { room, member: m, myRole, onClose } = props;
  const [mode, setMode] = useState<'menu' | 'kick' | 'ban'>('menu');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const moderate = canModerate(myRole, m.role);
  const grants = rolesToGrant(myRole, m.role);

  useEffect(() => {
    box.current?.querySelector<HTMLElement>('[role="menuitem"], input, select')?.focus();
  }, [mode]);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError('');
    try {
      await action();
      onClose();
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      if (mode === 'menu') onClose();
      else setMode('menu');
      return;
    }
    if (mode !== 'menu' || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
    const items = [
      ...(box.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []),
    ];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    const next = items[(at + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length];
    e.preventDefault();
    next?.focus();
  }

  return (
    <div
      class="member-actions"
      ref={box}
      role={mode === 'menu' ? 'menu' : 'group'}
      aria-label={`Actions for ${m.username}`}
      data-mode={mode}
      onKeyDown={onKeyDown}
    >
      {mode === 'menu' && (
        <>
          <button type="button" role="menuitem" onClick={() => void openConversation(m.username)}>
            Message
          </button>
          {moderate && (
            <button
              type="button"
              role="menuitem"
              disabled={busy}
              onClick={() => void run(() => mute(room, m.username, !m.muted))}
            >
              {m.muted ? 'Unmute' : 'Mute'}
            </button>
          )}
          {grants.map((r) => (
            <button
              key={r}
              type="button"
              role="menuitem"
              disabled={busy}
              onClick={() => void run(() => setRole(room, m.username, r))}
            >
              {ROLE_LABEL[r]}
            </button>
          ))}
          {moderate && (
            <>
              <hr role="separator" />
              <button type="button" role="menuitem" class="danger" onClick={() => setMode('kick')}>
                Kick…
              </button>
              <button type="button" role="menuitem" class="danger" onClick={() => setMode('ban')}>
                Ban…
              </button>
            </>
          )}
        </>
      )}
      {mode === 'kick' && (
        <ReasonForm
          verb="Kick"
          who={m.username}
          busy={busy}
          onCancel={() => setMode('menu')}
          onSubmit={(reason) => void run(() => kick(room, m.username, reason))}
        />
      )}
      {mode === 'ban' && (
        <ReasonForm
          verb="Ban"
          who={m.username}
          busy={busy}
          durations
          onCancel={() => setMode('menu')}
          onSubmit={(reason, seconds) => void run(() => ban(room, m.username, reason, seconds))}
        />
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function ReasonForm(props: {
  verb: string;
  who: string;
  busy: boolean;
  durations?: boolean;
  onCancel: () => void;
  onSubmit: (reason: string, seconds: number | null) => void;
}) {
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState(0);
  const id = `${props.verb.toLowerCase()}-${props.who}`;
  return (
    <form
      class="reason-form"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(reason, DURATIONS[duration]?.[1] ?? null);
      }}
    >
      <label for={`${id}-reason`}>Reason (optional, others see it)</label>
      <input
        id={`${id}-reason`}
        maxLength={300}
        value={reason}
        onInput={(e) => setReason(e.currentTarget.value)}
      />
      {props.durations && (
        <>
          <label for={`${id}-for`}>How long</label>
          <select
            id={`${id}-for`}
            value={String(duration)}
            onChange={(e) => setDuration(Number(e.currentTarget.value))}
          >
            {DURATIONS.map(([label], i) => (
              <option key={label} value={String(i)}>
                {label}
              </option>
            ))}
          </select>
        </>
      )}
      <div class="row">
        <button type="submit" class="danger" disabled={props.busy}>
          {props.verb} {props.who}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
