import type { WebSocket } from 'ws';
import { WebSocketTransport } from '../ws-transport.js';

/**
 * What an IRC connection needs of its byte stream: a TCP or TLS socket has it as
 * is; an IRC-over-WebSocket client gets an adapter (`webSocketTransport`).
 */
export interface IrcTransport {
  readonly remoteAddress?: string | undefined;
  readonly destroyed: boolean;
  readonly writableLength: number;
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'close' | 'error', fn: () => void): unknown;
  write(data: string | Buffer): unknown;
  end(): unknown;
  destroy(): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** The IRCv3 WebSocket subprotocols (https://ircv3.net/specs/extensions/websocket). */
export const IRC_WS_PROTOCOLS = ['text.ircv3.net', 'binary.ircv3.net'] as const;

/**
 * IRC over WebSocket: each message is one IRC line without CRLF (a trailing CRLF
 * is tolerated), in text frames for `text.ircv3.net` (and no subprotocol), binary
 * for `binary.ircv3.net`. The adapter feeds the connection's framer as if the
 * lines had come over TCP, and writes each line as its own message.
 */
export function webSocketTransport(ws: WebSocket, address: string): IrcTransport {
  const binary = ws.protocol === 'binary.ircv3.net';
  return new WebSocketTransport(ws, address, {
    // A message holding a NUL or CR/LF inside would be two lines: the framer refuses those.
    incoming: (buf) => Buffer.concat([buf, NEWLINE]),
    *outgoing(data) {
      const text = typeof data === 'string' ? data : data.toString('utf8');
      for (const line of text.split('\r\n'))
        if (line) yield binary ? Buffer.from(line, 'utf8') : line;
    },
  });
}

const NEWLINE = Buffer.from('\n');
