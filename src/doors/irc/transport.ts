import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';

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
  const events = new EventEmitter();
  const binary = ws.protocol === 'binary.ircv3.net';
  let destroyed = false;
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    const buf = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    // A message holding a NUL or CR/LF inside would be two lines: the framer refuses those.
    events.emit('data', Buffer.concat([buf, Buffer.from('\n')]));
  });
  ws.on('close', () => {
    destroyed = true;
    events.emit('close');
  });
  ws.on('error', () => {
    destroyed = true;
    events.emit('error');
  });
  const transport: IrcTransport = {
    remoteAddress: address,
    get destroyed() {
      return destroyed;
    },
    get writableLength() {
      return ws.bufferedAmount;
    },
    on(event: string, fn: (this: IrcTransport, chunk: Buffer) => void) {
      // Listeners are called on the transport, as a socket's are on the socket.
      events.on(event, (chunk: Buffer) => fn.call(transport, chunk));
      return transport;
    },
    write(data: string | Buffer) {
      const text = typeof data === 'string' ? data : data.toString('utf8');
      for (const line of text.split('\r\n'))
        if (line) ws.send(binary ? Buffer.from(line, 'utf8') : line);
      return true;
    },
    end() {
      ws.close(1000);
    },
    destroy() {
      destroyed = true;
      ws.terminate();
    },
    pause() {
      ws.pause();
    },
    resume() {
      ws.resume();
    },
  };
  return transport;
}
