/**
 * What a file is, as core keeps and tells it. A file is one upload of some bytes
 * into one conversation; its bytes are a blob stored once by SHA-256, however
 * many files share them (core/files/blobs.ts).
 */

/** A file as a message carries it (immutable, so a message keeps a copy of it). */
export interface Attachment {
  /** Unguessable id (128 random bits). */
  id: string;
  /** The uploader's name for it, cleaned of paths and control characters. */
  name: string;
  size: number;
  /** The type detected from the bytes (never the client's claim). */
  type: string;
  width?: number;
  height?: number;
  /**
   * An image's placeholder (https://blurha.sh, about 4x3 components): a client
   * paints it at width x height while the picture or its thumbnail loads.
   */
  blurhash?: string;
  /**
   * The capability secret: `/f/<id>/<token>` fetches the file without a bearer
   * token (IRC, XMPP, <img> tags) until the message is deleted.
   */
  token: string;
}

/** A stored file row. */
export interface StoredFile {
  id: string;
  sha256: string;
  name: string;
  size: number;
  type: string;
  width: number | null;
  height: number | null;
  blurhash: string | null;
  uploaderId: string;
  /** `dm:<a>:<b>` or `room:<id>`: the only conversation it may be shared in. */
  conversationId: string;
  createdAt: number;
  token: string;
  /** The sending message's client id once a send claimed it (the sender is the uploader). */
  clientId: string | null;
  claimedAt: number | null;
}

/** A file with the message that carries it, if it was sent. */
export interface FileWithMessage extends StoredFile {
  message?: {
    id: string;
    seq: number;
    recipientId: string;
    deletedAt: number | null;
    visibleToRecipient: boolean;
  };
}

/** A resumable upload not yet complete. Its bytes wait in this node's staging area. */
export interface PendingUpload {
  id: string;
  uploaderId: string;
  conversationId: string;
  name: string;
  /** Declared size: the upload is complete when this many bytes arrived. */
  size: number;
  received: number;
  createdAt: number;
  updatedAt: number;
}

export const attachmentOf = (f: StoredFile): Attachment => ({
  id: f.id,
  name: f.name,
  size: f.size,
  type: f.type,
  ...(f.width !== null && f.height !== null ? { width: f.width, height: f.height } : {}),
  ...(f.blurhash ? { blurhash: f.blurhash } : {}),
  token: f.token,
});
