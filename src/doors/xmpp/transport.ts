import type { WebSocket } from 'ws';
import { WebSocketTransport } from '../ws-transport.js';

/**
 * What an XMPP connection needs of its byte stream. A TCP or TLS socket has it
 * as is; XMPP over WebSocket (RFC 7395) gets an adapter (`webSocketTransport`)
 * whose `data` events are whole WebSocket messages (one element each, parsed
 * with the codec's 'websocket' framing) and whose every `write` is one message.
 */
export interface XmppTransport {
  readonly remoteAddress?: string | undefined;
  readonly destroyed: boolean;
  readonly writableLength: number;
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'close' | 'error', fn: () => void): unknown;
  off(event: 'data', fn: (chunk: Buffer) => void): unknown;
  write(data: string): unknown;
  end(): unknown;
  destroy(): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** The RFC 7395 subprotocol. */
export const XMPP_WS_PROTOCOL = 'xmpp';

export function webSocketTransport(ws: WebSocket, address: string): XmppTransport {
  return new WebSocketTransport(ws, address);
}
