import WebSocket from 'ws';
import type { WebSocketFactory, WebSocketLike } from './connection.js';

/** WebSocket factory for Node 20, which has no global WebSocket. */
export const nodeWebSocket: WebSocketFactory = (url) =>
  new WebSocket(url) as unknown as WebSocketLike;
