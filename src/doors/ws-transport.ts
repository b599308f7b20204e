import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';

/**
 * A WebSocket as the byte stream a line or stanza door reads (IRC over WebSocket,
 * XMPP over WebSocket, RFC 7395): `data`, `close` and `error` events like a
 * socket's (listeners called on the transport, as a socket's are on the socket),
 * `write`, `end`, `destroy`, `pause`, `resume`, `writableLength`. What differs
 * between doors is how a message becomes `data` and how written data becomes
 * messages: the two hooks.
 */
export interface WsFraming {
  /** What one received message becomes for the door's parser (default: its bytes). */
  incoming?: (message: Buffer) => Buffer;
  /** The messages to send for one write (default: the data as one message). */
  outgoing?: (data: string | Buffer) => Iterable<string | Buffer>;
}

export class WebSocketTransport extends EventEmitter {
  private gone = false;

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
    private readonly framing: WsFraming = {},
  ) {
    super();
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const buf = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      this.emit('data', framing.incoming ? framing.incoming(buf) : buf);
    });
    ws.on('close', () => this.ended('close'));
    ws.on('error', () => this.ended('error'));
  }

  /** An error after the end is not news: the door has already been told (or ended it). */
  private ended(event: 'close' | 'error'): void {
    if (this.gone && event === 'error') return;
    this.gone = true;
    this.emit(event);
  }

  get destroyed(): boolean {
    return this.gone;
  }

  get writableLength(): number {
    return this.ws.bufferedAmount;
  }

  write(data: string | Buffer): boolean {
    if (!this.framing.outgoing) this.ws.send(data);
    else for (const m of this.framing.outgoing(data)) this.ws.send(m);
    return true;
  }

  end(): void {
    this.ws.close(1000);
  }

  destroy(): void {
    this.gone = true;
    this.ws.terminate();
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }
}
