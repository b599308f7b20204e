export { ParleyClient, type ClientOptions } from './client.js';
export { ParleyConnection, type WebSocketFactory, type WebSocketLike } from './connection.js';
export { ParleyApiError } from './errors.js';
export type * from './types.js';
