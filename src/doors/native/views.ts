import type { DirectMessage, Message, RoomMessage } from '../../core/events.js';
import type { Attachment } from '../../core/files/types.js';

/**
 * The native protocol's message shapes (docs/protocol.md, "Direct messages"
 * and "RoomMessage"), made from core's domain messages. Only this door knows
 * them: IRC and XMPP map the same domain objects to their own forms.
 */
export interface MessageView {
  id: string;
  conversationId: string;
  seq: number;
  from: { userId: string; username: string };
  to: { userId: string; username: string };
  clientId: string;
  text: string;
  replyTo: string | null;
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
  reactions: { emoji: string; count: number; userIds: string[] }[];
  /** Files it carries (absent when none): docs/protocol.md, "Files". */
  attachments?: AttachmentView[];
}

export interface AttachmentView {
  id: string;
  name: string;
  size: number;
  type: string;
  width?: number;
  height?: number;
  /** An image's placeholder (blurhash); thumbnails at `<url or link>/thumb/<160|320|640>`. */
  blurhash?: string;
  /** Fetch with the bearer token (members of the conversation only). */
  url: string;
  /** A capability path that needs no token (for <img>, IRC): a secret, dead once the message is deleted. */
  link: string;
}

/** A file as the native protocol shows it. */
export function attachmentView(a: Attachment): AttachmentView {
  return {
    id: a.id,
    name: a.name,
    size: a.size,
    type: a.type,
    ...(a.width !== undefined ? { width: a.width, height: a.height! } : {}),
    ...(a.blurhash ? { blurhash: a.blurhash } : {}),
    url: `/api/v1/files/${a.id}`,
    link: fileLink(a),
  };
}

/** The capability path of a file (the web server's /f/ route). */
export const fileLink = (a: Pick<Attachment, 'id' | 'token'>): string => `/f/${a.id}/${a.token}`;

export interface RoomMessageView extends Omit<MessageView, 'to'> {
  room: { id: string; name: string };
  mentions: string[];
}

function common(m: Message): Omit<MessageView, 'to'> {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    from: { userId: m.sender.id, username: m.sender.username },
    clientId: m.clientId,
    text: m.text,
    replyTo: m.replyTo,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    deleted: m.deletedAt !== null,
    reactions: m.reactions.map((r) => ({
      emoji: r.emoji,
      count: r.userIds.length,
      userIds: [...r.userIds],
    })),
    ...(m.attachments?.length ? { attachments: m.attachments.map(attachmentView) } : {}),
  };
}

/**
 * One view per domain message: core hands the same message object to both
 * people's events and to the reply, so it is mapped once and kept on it under
 * this door's own symbol (views are only ever read).
 */
const VIEW = Symbol('native view');

export function messageView(m: DirectMessage): MessageView {
  const held = m as DirectMessage & { [VIEW]?: MessageView };
  let v = held[VIEW];
  if (!v) {
    v = { ...common(m), to: { userId: m.recipient.id, username: m.recipient.username } };
    held[VIEW] = v;
  }
  return v;
}

export function roomMessageView(m: RoomMessage): RoomMessageView {
  return {
    ...common(m),
    room: { id: m.room.id, name: m.room.name },
    mentions: [...m.mentions],
  };
}

/** A search result may be either kind: a room message names its room instead of `to`. */
export function anyMessageView(m: DirectMessage | RoomMessage): MessageView | RoomMessageView {
  return 'room' in m ? roomMessageView(m) : messageView(m);
}

/** A send, edit, deletion or reaction answered in the protocol's shape. */
export function sentView<T extends { message: DirectMessage }>(
  r: T,
): Omit<T, 'message'> & { message: MessageView } {
  return { ...r, message: messageView(r.message) };
}

export function roomSentView<T extends { message: RoomMessage }>(
  r: T,
): Omit<T, 'message'> & { message: RoomMessageView } {
  return { ...r, message: roomMessageView(r.message) };
}

export function searchResultView<T extends { message: DirectMessage | RoomMessage }>(
  r: T,
): Omit<T, 'message'> & { message: MessageView | RoomMessageView } {
  return { ...r, message: anyMessageView(r.message) };
}
