import type { FileWithMessage, PendingUpload, StoredFile } from './types.js';

/** The file tables (store/sql/files.ts), on SQLite and PostgreSQL alike. */
export interface FileStore {
  createUpload(u: PendingUpload): Promise<void>;
  upload(id: string): Promise<PendingUpload | undefined>;
  setReceived(id: string, received: number, at: number): Promise<void>;
  removeUpload(id: string): Promise<void>;
  /** Bytes a user holds: their files plus the declared size of their pending uploads. */
  usage(userId: string): Promise<number>;
  /** Inserts the file and removes its upload, in one transaction. */
  complete(uploadId: string, f: StoredFile): Promise<void>;
  /** Files by id, each with the message that carries it (found by uploader, conversation and client id). */
  files(ids: readonly string[]): Promise<FileWithMessage[]>;
  /**
   * Marks files as carried by the uploader's message `clientId`: only files of
   * this uploader and conversation, not claimed by another client id. Returns
   * the ids it marked (or that already were).
   */
  claim(
    ids: readonly string[],
    uploaderId: string,
    conversationId: string,
    clientId: string,
    at: number,
  ): Promise<string[]>;
  /** The files a message carries. */
  ofMessage(conversationId: string, uploaderId: string, clientId: string): Promise<StoredFile[]>;
  /**
   * Deletes file rows; resolves to the blobs (SHA-256) no file shares any more,
   * which the caller then removes.
   */
  remove(ids: readonly string[]): Promise<string[]>;
  /** Whether any file shares this blob. */
  referenced(sha256: string): Promise<boolean>;
  /**
   * What the sweep removes, at most `limit` of each: uploads untouched since
   * `uploadsBefore`; files never sent since `unsentBefore` (claimed for a send that
   * never stored a message included); files whose message is deleted.
   */
  stale(
    uploadsBefore: number,
    unsentBefore: number,
    limit: number,
  ): Promise<{ uploads: PendingUpload[]; files: string[] }>;
}
