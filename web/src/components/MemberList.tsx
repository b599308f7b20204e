import { useRef, useState } from 'preact/hooks';
import type { MyRoom, RoomMember } from '../../../src/sdk/index.js';
import { describe } from '../state/errors.js';
import { loadMoreMembers } from '../state/rooms.js';
import { me, myRooms, myShow, presence, roomViews, type RoomView } from '../state/signals.js';
import { memberOrder } from '../lib/roomRoles.js';
import { shownName } from '../state/names.js';
import { MemberActions } from './MemberActions.js';
import { Name } from './Name.js';
import { PresenceDot } from './PresenceDot.js';
import './rooms-admin.css';

const BADGE: Record<string, string> = { owner: 'owner', admin: 'admin', moderator: 'mod' };

/** How many are in the room: the live list when all of it is loaded, else the room's count when last read. */
export function memberCount(view: RoomView | undefined, room: MyRoom | undefined): number {
  const loaded = view?.members?.length ?? 0;
  if (view?.members && !view.membersNext) return loaded;
  return Math.max(room?.memberCount ?? 0, loaded);
}

/**
 * Who is in the room, in the server's order (owners, admins, moderators, then
 * members, each by name), a page at a time. Each other member opens the
 * actions my role allows on them.
 */
export function MemberList({ room }: { room: string }) {
  const view = roomViews.value[room];
  const mine = myRooms.value[room];
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const members = [...(view?.members ?? [])].sort(memberOrder);
  const count = memberCount(view, mine);

  function close(username: string) {
    setOpen(null);
    buttons.current.get(username)?.focus();
  }

  async function more() {
    setBusy(true);
    setError('');
    try {
      await loadMoreMembers(room);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    // The header's Members button shows and hides it (RoomView).
    <aside class="members" aria-labelledby="members-h">
      <h3 id="members-h">Members{view?.members && <span class="members-count"> {count}</span>}</h3>
      <ul aria-label="Members">
        {members.map((m) => (
          <li
            key={m.userId}
            data-member={m.username}
            onKeyDown={(e) => {
              // Escape closes the actions even before the focus has moved into them.
              if (e.key === 'Escape' && open === m.username) {
                e.preventDefault();
                close(m.username);
              }
            }}
          >
            <MemberRow
              m={m}
              isMe={m.userId === me.value?.id}
              open={open === m.username}
              buttonRef={(el) => {
                if (el) buttons.current.set(m.username, el);
                else buttons.current.delete(m.username);
              }}
              onToggle={() => setOpen(open === m.username ? null : m.username)}
            />
            {open === m.username && mine && (
              <MemberActions
                room={room}
                member={m}
                myRole={mine.role}
                onClose={() => close(m.username)}
              />
            )}
          </li>
        ))}
      </ul>
      {view?.membersNext && (
        <button type="button" class="secondary wide" disabled={busy} onClick={() => void more()}>
          {busy ? 'Loading…' : 'Show more members'}
        </button>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </aside>
  );
}

function MemberRow(props: {
  m: RoomMember;
  isMe: boolean;
  open: boolean;
  buttonRef: (el: HTMLButtonElement | null) => void;
  onToggle: () => void;
}) {
  const { m, isMe } = props;
  // A dot only where I can see presence: mine, and my contacts'.
  const p = isMe ? { userId: m.userId, show: myShow.value, status: '' } : presence.value[m.userId];
  const inner = (
    <>
      {p ? <PresenceDot p={p as never} /> : <span class="dot-none" aria-hidden="true" />}
      <span class="member-name">
        <Name username={m.username} />
        {isMe && <span class="hint"> (you)</span>}
      </span>
      {/* Spaces between the parts: its visible text reads as its label does. */}
      {BADGE[m.role] && ' '}
      {BADGE[m.role] && (
        <span class="role-badge" data-role={m.role} title={m.role}>
          {BADGE[m.role]}
        </span>
      )}
      {m.muted && ' '}
      {m.muted && <span class="role-badge muted">muted</span>}
      {m.guest && ' '}
      {m.guest && (
        <span class="role-badge guest" title="A guest: no account, gone when they disconnect">
          guest
        </span>
      )}
    </>
  );
  if (isMe) return <div class="member">{inner}</div>;
  return (
    <button
      type="button"
      class="member"
      ref={props.buttonRef}
      aria-haspopup="menu"
      aria-expanded={props.open}
      // What it shows, word for word (axe: label-content-name-mismatch), then what it does.
      aria-label={`${[shownName(m.username), BADGE[m.role], m.muted && 'muted', m.guest && 'guest']
        .filter(Boolean)
        .join(' ')}: actions`}
      onClick={props.onToggle}
    >
      {inner}
    </button>
  );
}
