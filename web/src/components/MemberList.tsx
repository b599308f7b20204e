import type { RoomMember } from '../../../src/sdk/index.js';

/** Who is in the room, with their role when it is more than member. */
export function MemberList({ members }: { members: RoomMember[] | null }) {
  const list = [...(members ?? [])].sort((a, b) => a.username.localeCompare(b.username));
  return (
    <details class="members" open>
      <summary>Members{members ? ` (${members.length})` : ''}</summary>
      <ul aria-label="Members">
        {list.map((m) => (
          <li key={m.userId} data-member={m.username}>
            {m.username}
            {m.role !== 'member' && <span class="role"> · {m.role}</span>}
            {m.muted && <span class="role"> · muted</span>}
          </li>
        ))}
      </ul>
    </details>
  );
}
