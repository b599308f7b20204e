import { ParleyApiError } from '../../../src/sdk/index.js';
import { describe } from './errors.js';

/**
 * Why a message was not sent, in words a person understands (the server's own
 * texts are written for developers: "text is longer than 16384 bytes").
 */
export function sendRefusal(err: unknown): string {
  const condition = err instanceof ParleyApiError ? err.condition : undefined;
  switch (condition) {
    case 'payload-too-large':
      return 'This message is too long to send. Shorten it or split it in two.';
    case 'forbidden':
      return /muted/i.test((err as Error).message)
        ? 'You are muted here, so this message was not sent.'
        : 'You may not send messages here, so this message was not sent.';
    case 'not-found':
      return 'This conversation no longer exists, so this message was not sent.';
    case 'bad-request':
      return 'The server could not accept this message as written.';
  }
  const words = describe(err);
  return `Not sent: ${words.charAt(0).toLowerCase()}${words.slice(1)}`;
}
