/**
 * Timeline events other than messages, as one line of text each (docs/protocol.md
 * 12.31). Names and reasons come from other people: callers render the result
 * as text, never as HTML.
 */
export interface RoomLine {
  /** The event's roomSeq: where it sits among the messages. */
  seq: number;
  text: string;
  at: number;
  /** The change, for styling and tests (e.g. "kicked", "topic"). */
  kind: string;
  /** Whom a join, leave, invitation or decline is about ("You" for me): a run of them is summed up by name. */
  who?: string;
}

type Who = { id: string; username: string } | null | undefined;

const ROLE_WORD: Record<string, string> = {
  owner: 'an owner',
  admin: 'an admin',
  moderator: 'a moderator',
  member: 'a member',
};

function until(expiresAt: unknown, now: number): string {
  if (typeof expiresAt !== 'number') return '';
  const mins = Math.max(1, Math.round((expiresAt - now) / 60_000));
  if (mins < 60) return ` for ${mins} minute${mins === 1 ? '' : 's'}`;
  const hours = Math.round(mins / 60);
  if (hours < 48) return ` for ${hours} hour${hours === 1 ? '' : 's'}`;
  const days = Math.round(hours / 24);
  return ` for ${days} days`;
}

const withReason = (reason: unknown) =>
  typeof reason === 'string' && reason.trim() ? `: ${reason.trim()}` : '';

/** The line for one event, or null for events that are not shown (messages, unknown changes). */
export function roomLine(
  name: string,
  d: Record<string, unknown>,
  myId: string | undefined,
  /** What to call someone by username (display names, state/names.ts). */
  nameOf: (username: string) => string = (u) => u,
): RoomLine | null {
  const seq = typeof d.roomSeq === 'number' ? d.roomSeq : 0;
  const at = typeof d.at === 'number' ? d.at : 0;
  const who = (p: Who, cap = false) =>
    !p ? (cap ? 'Someone' : 'someone') : p.id === myId ? (cap ? 'You' : 'you') : nameOf(p.username);
  const by = d.by as Who;
  const user = d.user as Who;
  const line = (kind: string, text: string): RoomLine => ({ seq, at, kind, text });
  /** A line about `user` coming or going: named, so a run of them can be summed up. */
  const about = (kind: string, text: string): RoomLine => ({
    ...line(kind, text),
    who: who(user, true),
  });

  if (name === 'room.created') return line('created', `${who(by, true)} created the room`);
  if (name === 'room.updated') {
    const c = (d.changes ?? {}) as {
      topic?: string;
      topicLocked?: boolean;
      visibility?: string;
      avatar?: string | null;
    };
    const parts: string[] = [];
    if (typeof c.topic === 'string')
      parts.push(c.topic ? `changed the topic to “${c.topic}”` : 'cleared the topic');
    if (typeof c.topicLocked === 'boolean')
      parts.push(c.topicLocked ? 'locked the topic' : 'unlocked the topic');
    if (c.visibility === 'public' || c.visibility === 'private')
      parts.push(`made the room ${c.visibility}`);
    if (typeof c.avatar === 'string') parts.push('changed the room picture');
    if (c.avatar === null) parts.push('removed the room picture');
    if (!parts.length) return null;
    return line(
      typeof c.topic === 'string' ? 'topic' : 'settings',
      `${who(by, true)} ${parts.join(' and ')}`,
    );
  }
  if (name !== 'room.member') return null;
  const change = d.change as string;
  switch (change) {
    case 'joined':
      return about(change, `${who(user, true)} joined`);
    case 'left':
      return about(change, `${who(user, true)} left`);
    case 'invited':
      return about(change, `${who(by, true)} invited ${who(user)}`);
    case 'declined':
      return about(change, `${who(user, true)} declined the invitation`);
    case 'kicked':
      return line(
        change,
        `${who(by, true)} removed ${who(user)} from the room${withReason(d.reason)}`,
      );
    case 'banned':
      return line(
        change,
        `${who(by, true)} banned ${who(user)}${until(d.expiresAt, at)}${withReason(d.reason)}`,
      );
    case 'unbanned':
      return line(change, `${who(by, true)} lifted the ban on ${who(user)}`);
    case 'role':
      // Nobody made them: the room passed to them when its last owner's account went.
      if (!by)
        return line(
          change,
          `The room passed to ${who(user)} as ${ROLE_WORD[d.role as string] ?? String(d.role)}`,
        );
      return line(
        change,
        `${who(by, true)} made ${who(user)} ${ROLE_WORD[d.role as string] ?? String(d.role)}`,
      );
    case 'muted':
      return line(change, `${who(by, true)} muted ${who(user)}`);
    case 'unmuted':
      return line(change, `${who(by, true)} unmuted ${who(user)}`);
    default:
      return null;
  }
}

/** Messages and lines in one list by roomSeq; pending sends (seq 0) stay last. */
export function interleave<M extends { seq: number; pending?: unknown }>(
  messages: M[],
  lines: RoomLine[],
): ({ message: M } | { line: RoomLine })[] {
  const out: ({ message: M } | { line: RoomLine })[] = [];
  let i = 0;
  for (const m of messages) {
    while (i < lines.length && !m.pending && lines[i]!.seq < m.seq) out.push({ line: lines[i++]! });
    if (m.pending) while (i < lines.length) out.push({ line: lines[i++]! });
    out.push({ message: m });
  }
  while (i < lines.length) out.push({ line: lines[i++]! });
  return out;
}

/** Adds lines by roomSeq, once each. */
export function addLines(list: RoomLine[], more: RoomLine[]): RoomLine[] {
  const bySeq = new Map(list.map((l) => [l.seq, l]));
  for (const l of more) bySeq.set(l.seq, l);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
