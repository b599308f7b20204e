import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';

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
  const events = new EventEmitter();
  let destroyed = false;
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    events.emit(
      'data',
      Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data),
    );
  });
  const gone = (event: string) => () => {
    if (destroyed && event === 'error') return;
    destroyed = true;
    events.emit(event);
  };
  ws.on('close', gone('close'));
  ws.on('error', gone('error'));
  return {
    remoteAddress: address,
    get destroyed() {
      return destroyed;
    },
    get writableLength() {
      return ws.bufferedAmount;
    },
    on(event: string, fn: (chunk: Buffer) => void) {
      events.on(event, fn);
      return this;
    },
    off(event: string, fn: (chunk: Buffer) => void) {
      events.off(event, fn);
      return this;
    },
    write(data: string) {
      ws.send(data);
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
}
