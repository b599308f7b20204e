export { ParleyClient, type ClientOptions } from './client.js';
export { ParleyConnection, type WebSocketFactory, type WebSocketLike } from './connection.js';
export { ParleyApiError } from './errors.js';
export type * from './types.js';
export type * from './room-types.js';
export { RoomsApi } from './rooms.js';
export {
  FilesApi,
  type FileTarget,
  type UploadOptions,
  THUMB_SIZES,
  type ThumbSize,
  thumbLink,
} from './files.js';
export { fileSize } from './size.js';
