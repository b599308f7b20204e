/** Characters of a latest message shown in a list of chats (direct or room). */
export const PREVIEW_CHARS = 100;

/** The latest message of a chat as its list entry shows it (docs/protocol.md 5.36a, MyRoom). */
export interface MessagePreview {
  id: string;
  seq: number;
  from: { userId: string; username: string };
  /** At most PREVIEW_CHARS characters; '' for a deleted message. */
  text: string;
  /** More text follows in the message itself. */
  truncated: boolean;
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
}

export function messagePreview(
  m: {
    id: string;
    seq: number;
    text: string;
    createdAt: number;
    editedAt: number | null;
    deleted: boolean;
  },
  from: { userId: string; username: string },
): MessagePreview {
  const chars = [...m.text];
  const shown = m.deleted
    ? { text: '', truncated: false }
    : chars.length > PREVIEW_CHARS
      ? { text: chars.slice(0, PREVIEW_CHARS).join(''), truncated: true }
      : { text: m.text, truncated: false };
  return {
    id: m.id,
    seq: m.seq,
    from,
    ...shown,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    deleted: m.deleted,
  };
}
