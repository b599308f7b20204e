import { ParleyError } from '../errors.js';
import type { MessageRoute } from '../events.js';
import type { FileService } from '../files/service.js';
import type { Attachment } from '../files/types.js';
import { newId } from '../ids.js';
import type { MessageService, SendResult } from '../messages/service.js';
import type { RoomChat, RoomSendResult } from '../rooms/chat.js';

/**
 * One way to say something, whatever the target: a door's PRIVMSG, `<message>`
 * or native send names a user or a room and calls this, so no door branches on
 * the kind of conversation. The rules stay where they are (direct messages in
 * core/messages, rooms in core/rooms/chat); this only routes, and makes a client
 * id for doors whose protocol has none (IRC), so every send is still stored once.
 */

/** Who a message goes to: a username, or a room name (with or without `#`). */
export type Target = { user: string } | { room: string };

export interface SendCommand {
  to: Target;
  text: string;
  /** The sender's id for this message, making a retry safe; made up when absent. */
  clientId?: string;
  replyTo?: string | null;
  /** The connection that sent it (it gets the answer, not the event), if any. */
  connectionId?: string;
  /**
   * Ids of files the sender uploaded into this conversation (core/files). They
   * are durable already (an upload is acknowledged only once stored), so the
   * message is durable with them when it is.
   */
  attachments?: readonly string[];
  /** Live only, for a direct message: the sessions it came from and went to (events.ts). */
  route?: MessageRoute;
}

export type Sent = ({ kind: 'direct' } & SendResult) | ({ kind: 'room' } & RoomSendResult);

export interface SendService {
  send(userId: string, cmd: SendCommand): Promise<Sent>;
}

export function createSendService(deps: {
  messages: Pick<MessageService, 'send'>;
  roomChat: Pick<RoomChat, 'send'>;
  /** Claims a send's files; without it a send with attachments is refused. */
  files?: Pick<FileService, 'attach'>;
  /** For tests; a fresh id per call otherwise. */
  clientId?: () => string;
}): SendService {
  const makeClientId = deps.clientId ?? (() => `auto-${newId()}`);
  return {
    async send(userId, cmd) {
      const clientId = cmd.clientId ?? makeClientId();
      const replyTo = cmd.replyTo;
      let attachments: Attachment[] | undefined;
      if (cmd.attachments?.length) {
        if (!deps.files)
          throw new ParleyError('forbidden', 'file sharing is switched off on this server');
        attachments = await deps.files.attach(userId, cmd.to, clientId, cmd.attachments);
      }
      const files = attachments ? { attachments } : {};
      if ('user' in cmd.to && !('room' in cmd.to)) {
        const r = await deps.messages.send(
          userId,
          {
            to: cmd.to.user,
            clientId,
            text: cmd.text,
            replyTo,
            ...files,
            ...(cmd.route ? { route: cmd.route } : {}),
          },
          cmd.connectionId,
        );
        return { kind: 'direct', ...r };
      }
      if ('room' in cmd.to && !('user' in cmd.to)) {
        const r = await deps.roomChat.send(
          userId,
          {
            room: cmd.to.room,
            clientId,
            text: cmd.text,
            replyTo,
            fresh: cmd.clientId === undefined,
            ...files,
          },
          cmd.connectionId,
        );
        return { kind: 'room', ...r };
      }
      throw new ParleyError('bad-request', 'a message goes to one user or one room', {
        field: 'to',
      });
    },
  };
}
