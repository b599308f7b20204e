import type { DirectMessage, Message, RoomMessage, RoomRef, UserRef } from '../events.js';
import type { StoredMessage } from './store.js';

/** A user as events name them, from a map of usernames by id ('' for an account gone since). */
export function userRef(id: string, names: ReadonlyMap<string, string>): UserRef {
  return { id, username: names.get(id) ?? '' };
}

function body(m: StoredMessage, names: ReadonlyMap<string, string>) {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    sender: userRef(m.senderId, names),
    clientId: m.clientId,
    // A deleted message's words never leave core, whatever the store still holds.
    text: m.deletedAt === null ? m.text : '',
    replyTo: m.replyTo,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    deletedAt: m.deletedAt,
    reactions: m.reactions,
    // A deleted message's files are gone with it (core/files removes them).
    ...(m.attachments?.length && m.deletedAt === null ? { attachments: m.attachments } : {}),
  };
}

/** A stored direct message as core tells it; `names` maps the two people's ids to usernames. */
export function directMessage(m: StoredMessage, names: ReadonlyMap<string, string>): DirectMessage {
  // Completed in place, not spread into a new object: this runs for every message sent.
  const d = body(m, names) as Message & { recipient?: UserRef };
  d.recipient = userRef(m.recipientId, names);
  return d as DirectMessage;
}

/** A stored room message as core tells it. */
export function roomMessage(
  m: StoredMessage,
  room: RoomRef,
  names: ReadonlyMap<string, string>,
  mentions: readonly string[],
): RoomMessage {
  return { ...body(m, names), room: { id: room.id, name: room.name }, mentions };
}
