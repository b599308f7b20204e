import { timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ParleyError } from '../errors.js';
import { newId, newSecret } from '../ids.js';
import { createRateLimiter } from '../limits/rate.js';
import { dmConversationId } from '../messages/service.js';
import { roomField } from '../rooms/access.js';
import type { RoomStore } from '../rooms/store.js';
import type { Target } from '../send/service.js';
import { type BlobStore, type Staging, THUMB_SIZES, type ThumbSize } from './blobs.js';
import { ImageRefused, type ImageProcessor } from './images.js';
import { cleanName } from './names.js';
import { ScannerUnavailable, ScanTooLarge, type VirusScanner } from './scan.js';
import { isCleanableImage, SNIFF_BYTES, sniff, typeAllowed } from './sniff.js';
import type { FileStore } from './store.js';
import {
  type Attachment,
  attachmentOf,
  type FileWithMessage,
  type PendingUpload,
} from './types.js';

export const MAX_ATTACHMENTS = 10;
/** An upload not touched for this long is dropped (and its bytes with it). */
export const UPLOAD_TTL_MS = 24 * 3600_000;
/** A file uploaded but never sent is dropped after this long. */
export const UNSENT_TTL_MS = 24 * 3600_000;

export interface FilesConfig {
  enabled: boolean;
  maxFileBytes: number;
  userQuotaBytes: number;
  uploadsPerMinute: number;
  allowedTypes: readonly string[];
  /**
   * A file larger than the scanner reads (`VirusScanner.maxBytes`) is stored
   * unscanned when true; when false (fail closed, the default) it is refused as
   * `too-large`, and the scanner's limit is the largest file the server takes.
   */
  storeUnscannedAboveScanLimit?: boolean;
}

export interface FileService {
  readonly config: FilesConfig;
  /** Starts a resumable upload into a conversation (checks size, quota, rate). */
  begin(userId: string, req: { name: string; size: number; to: Target }): Promise<PendingUpload>;
  status(userId: string, uploadId: string): Promise<PendingUpload>;
  /**
   * Appends bytes at `offset` (which must be what the server holds). When the
   * last byte arrives the file is checked, cleaned, stored durably and returned.
   */
  append(
    userId: string,
    uploadId: string,
    offset: number,
    body: AsyncIterable<Uint8Array>,
  ): Promise<{ upload: PendingUpload; file?: Attachment }>;
  cancel(userId: string, uploadId: string): Promise<void>;
  quota(userId: string): Promise<{ used: number; quota: number; maxFileBytes: number }>;
  /**
   * For a send: the files `fileIds` as the message will carry them, marked as
   * carried by the sender's `clientId` (a retry of the same send is harmless).
   */
  attach(
    userId: string,
    to: Target,
    clientId: string,
    fileIds: readonly string[],
  ): Promise<Attachment[]>;
  /** A file `userId` may read now (uploader, or a reader of the message that carries it). */
  open(userId: string, fileId: string): Promise<FileWithMessage>;
  /** A file by its capability link, while the message that carries it is not deleted. */
  openByLink(fileId: string, token: string): Promise<FileWithMessage>;
  read(f: FileWithMessage, range?: { start: number; end: number }): Readable;
  /**
   * A WebP thumbnail of an image file `f` (already opened) fitting inside `size` x
   * `size`: computed once per blob and size, then kept beside the blob.
   */
  thumbnail(f: FileWithMessage, size: number): Promise<Buffer>;
  /** The uploader drops a file they have not sent. */
  remove(userId: string, fileId: string): Promise<void>;
  /** A message was deleted: the files it carried go, and their bytes unless shared. */
  messageDeleted(m: { conversationId: string; senderId: string; clientId: string }): Promise<void>;
  /** Drops abandoned uploads, files never sent and files of deleted messages; returns how many. */
  sweep(now?: number): Promise<number>;
  /** Runs `fn` under the blob's lock (avatars share the blob store: core/profiles/avatars.ts). */
  withBlob<T>(sha256: string, fn: () => Promise<T>): Promise<T>;
}

const notFound = () => new ParleyError('not-found', 'no such file', { field: 'id' });
const ID = /^[0-9a-z]{26}$/;

export function createFileService(deps: {
  config: FilesConfig;
  store: FileStore;
  blobs: BlobStore;
  staging: Staging;
  images: ImageProcessor;
  users: {
    byUsername(username: string): Promise<{ id: string; username: string } | undefined>;
    /** True when `ownerId` blocked `otherId`. */
    isBlocked(ownerId: string, otherId: string): Promise<boolean>;
  };
  rooms: Pick<RoomStore, 'byName' | 'member'>;
  /** Optional: every upload is scanned before it is stored (files.clamav). */
  scanner?: VirusScanner;
  /** Told when the scanner could not be asked (the upload was refused). */
  onScannerDown?: (err: Error) => void;
  /**
   * Told when a file was too big to scan and was `stored` unscanned (or refused);
   * `byScanner`: the scanner itself refused it, so its real limit is lower than
   * `maxBytes` says (a configuration to fix).
   */
  onScanLimit?: (e: { size: number; byScanner: boolean; stored: boolean }) => void;
  now?: () => number;
}): FileService {
  const { config, store, blobs, staging } = deps;
  // A scanner that reads no bigger file, without leave to store such files unscanned,
  // makes its limit the server's: refused at once, before any byte is sent.
  const scanLimit =
    deps.scanner?.maxBytes !== undefined && !config.storeUnscannedAboveScanLimit
      ? deps.scanner.maxBytes
      : undefined;
  const tooBigToScan = (limit: number) =>
    new ParleyError(
      'too-large',
      `files may be at most ${limit} bytes on this server: its virus scanner reads no bigger file`,
      { field: 'size' },
    );
  const now = deps.now ?? Date.now;
  const rate = createRateLimiter({
    perSecond: config.uploadsPerMinute / 60,
    burst: config.uploadsPerMinute,
  });
  // Uploads being appended to on this node: one append at a time per upload.
  const busy = new Set<string>();
  // Thumbnails being made on this node: one computation per blob and size.
  const making = new Map<string, Promise<Buffer>>();
  // One blob's put-and-record and its removal never interleave (on this node).
  const blobLocks = new Map<string, Promise<unknown>>();
  function underBlobLock<T>(sha: string, fn: () => Promise<T>): Promise<T> {
    const before = blobLocks.get(sha) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => {});
    blobLocks.set(sha, tail);
    void tail.then(() => {
      if (blobLocks.get(sha) === tail) blobLocks.delete(sha);
    });
    return run;
  }

  function enabled(): void {
    if (!config.enabled)
      throw new ParleyError('forbidden', 'file sharing is switched off on this server');
  }

  async function conversationFor(userId: string, to: Target): Promise<string> {
    if ('user' in to && typeof to.user === 'string' && !('room' in to)) {
      if (to.user.length > 64)
        throw new ParleyError('bad-request', 'no such user', { field: 'to' });
      const u = await deps.users.byUsername(to.user.toLowerCase());
      if (!u) throw new ParleyError('not-found', 'no such user', { field: 'to' });
      if (u.id === userId)
        throw new ParleyError('bad-request', 'you cannot message yourself', { field: 'to' });
      return dmConversationId(userId, u.id);
    }
    if ('room' in to && typeof to.room === 'string' && !('user' in to)) {
      const room = await deps.rooms.byName(roomField(to.room), { count: false });
      if (!room) throw new ParleyError('not-found', 'no such room', { field: 'room' });
      if (!(await deps.rooms.member(room.id, userId)))
        throw new ParleyError('forbidden', `you are not a member of #${room.name}`);
      return `room:${room.id}`;
    }
    throw new ParleyError('bad-request', 'a file goes to one user or one room', { field: 'to' });
  }

  async function ownUpload(userId: string, id: string): Promise<PendingUpload> {
    if (!ID.test(id)) throw new ParleyError('not-found', 'no such upload', { field: 'id' });
    const u = await store.upload(id);
    if (!u || u.uploaderId !== userId)
      throw new ParleyError('not-found', 'no such upload', { field: 'id' });
    return u;
  }

  async function dropBlobs(shas: readonly string[]): Promise<void> {
    for (const sha of shas)
      await underBlobLock(sha, async () => {
        if (!(await store.referenced(sha))) await blobs.remove(sha);
      });
  }

  async function drop(uploadId: string): Promise<void> {
    await store.removeUpload(uploadId);
    await staging.remove(staging.path(uploadId));
  }

  /** The last byte arrived: check the bytes, clean an image, store the blob, then the row. */
  async function finish(u: PendingUpload): Promise<Attachment> {
    const raw = staging.path(u.id);
    let d = await staging.digest(raw, SNIFF_BYTES);
    let type = sniff(d.head);
    if (!typeAllowed(type, config.allowedTypes)) {
      await drop(u.id);
      throw new ParleyError('unsupported-type', `files of type ${type} are not accepted here`, {
        field: 'type',
      });
    }
    if (deps.scanner) await scan(u.id, raw, d.size);
    let path = raw;
    let width: number | null = null;
    let height: number | null = null;
    let blurhash: string | null = null;
    if (isCleanableImage(type)) {
      // The image is decoded and written anew: no EXIF (GPS), no comments, nothing appended.
      const out = staging.scratch(`${u.id}c`);
      try {
        const r = await deps.images.clean(raw, out, type);
        ({ type, width, height } = r);
        blurhash = r.blurhash ?? null;
      } catch (err) {
        await staging.remove(out);
        await drop(u.id);
        if (err instanceof ImageRefused)
          throw err.reason === 'too-many-pixels'
            ? new ParleyError('too-large', err.message)
            : new ParleyError('unsupported-type', `not a readable ${type} image: ${err.message}`);
        throw err;
      }
      path = out;
      d = await staging.digest(out, 0);
    }
    const file = {
      id: randomFileId(),
      sha256: d.sha256,
      name: u.name,
      size: d.size,
      type,
      width,
      height,
      blurhash,
      uploaderId: u.uploaderId,
      conversationId: u.conversationId,
      createdAt: now(),
      token: newSecret(24),
      clientId: null,
      claimedAt: null,
    };
    // Blob first, then the row that makes it a file: acknowledged means durable.
    try {
      await underBlobLock(file.sha256, async () => {
        await blobs.put(file.sha256, path);
        await store.complete(u.id, file);
      });
    } catch (err) {
      // The blob store failed (an S3 bucket out of reach): the upload stays complete in
      // staging, so a PATCH of no bytes at its last offset finishes it once the store is back.
      if (path !== raw) await staging.remove(path);
      // A blob stored whose row was not: removed unless another file shares it.
      await dropBlobs([file.sha256]).catch(() => {});
      throw err;
    }
    if (path !== raw) await staging.remove(raw);
    return attachmentOf(file);
  }

  /**
   * Bytes a scanner flags are never stored: the upload goes, and so does anything
   * unscanned, unless the operator lets files too big for the scanner through.
   */
  async function scan(uploadId: string, path: string, size: number): Promise<void> {
    const scanner = deps.scanner!;
    const tooBig = async (byScanner: boolean) => {
      const stored = config.storeUnscannedAboveScanLimit === true;
      deps.onScanLimit?.({ size, byScanner, stored });
      if (stored) return;
      await drop(uploadId);
      throw byScanner
        ? new ParleyError(
            'too-large',
            `the virus scanner reads no file this big (${size} bytes), so it is not accepted here`,
            { field: 'size' },
          )
        : tooBigToScan(scanner.maxBytes!);
    };
    if (scanner.maxBytes !== undefined && size > scanner.maxBytes) return tooBig(false);
    let found: string | null;
    try {
      found = await scanner.scan(path);
    } catch (err) {
      if (err instanceof ScanTooLarge) return tooBig(true);
      await drop(uploadId);
      if (!(err instanceof ScannerUnavailable)) throw err;
      deps.onScannerDown?.(err);
      throw new ParleyError(
        'scanner-unavailable',
        'the virus scanner cannot be reached, so no upload is accepted now; try again later',
      );
    }
    if (found !== null) {
      await drop(uploadId);
      throw new ParleyError('infected', `the file was refused: the virus scanner found ${found}`);
    }
  }

  async function makeThumbnail(f: FileWithMessage, size: ThumbSize): Promise<Buffer> {
    const name = `t${size}.webp` as const;
    const cached = await blobs.getDerived(f.sha256, name);
    if (cached) return cached;
    let bytes: Buffer;
    try {
      bytes = await deps.images.thumbnail(blobs.read(f.sha256), size);
    } catch (err) {
      if (err instanceof ImageRefused)
        throw new ParleyError('unsupported-type', `no thumbnail of this image: ${err.message}`);
      throw err;
    }
    // Kept only while the blob is: a thumbnail never outlives the last file that shares it.
    await underBlobLock(f.sha256, async () => {
      if (await store.referenced(f.sha256)) await blobs.putDerived(f.sha256, name, bytes);
    });
    return bytes;
  }

  return {
    config,

    async begin(userId, req) {
      enabled();
      const name = cleanName(req.name);
      if (!Number.isSafeInteger(req.size) || req.size < 1)
        throw new ParleyError('bad-request', 'size must be a whole number of bytes, at least 1', {
          field: 'size',
        });
      if (req.size > config.maxFileBytes)
        throw new ParleyError(
          'too-large',
          `files may be at most ${config.maxFileBytes} bytes on this server`,
          { field: 'size' },
        );
      if (scanLimit !== undefined && req.size > scanLimit) throw tooBigToScan(scanLimit);
      const conversationId = await conversationFor(userId, req.to);
      const used = await store.usage(userId);
      if (used + req.size > config.userQuotaBytes)
        throw new ParleyError(
          'quota-exceeded',
          `this would take you past your ${config.userQuotaBytes} bytes of files (${used} used); delete some messages with files first`,
          { field: 'size' },
        );
      rate.take(userId);
      const t = now();
      const u: PendingUpload = {
        id: randomFileId(),
        uploaderId: userId,
        conversationId,
        name,
        size: req.size,
        received: 0,
        createdAt: t,
        updatedAt: t,
      };
      await store.createUpload(u);
      return u;
    },

    status: (userId, id) => ownUpload(userId, id),

    async append(userId, id, offset, body) {
      enabled();
      const u = await ownUpload(userId, id);
      if (busy.has(id))
        throw new ParleyError('conflict', 'this upload is already receiving bytes', {
          field: 'offset',
        });
      if (offset !== u.received)
        throw new ParleyError(
          'conflict',
          `the upload is at offset ${u.received}: send from there (GET it to ask)`,
          { field: 'offset' },
        );
      busy.add(id);
      try {
        const r = await staging.append(id, body, u.size - u.received);
        if (r.overflow) {
          // Bad input changes nothing: what this request appended is cut off again.
          await staging.truncate(id, u.received);
          throw new ParleyError('too-large', `more bytes than the ${u.size} the upload declared`, {
            field: 'size',
          });
        }
        const received = Math.min(r.size, u.size);
        const upload = { ...u, received, updatedAt: now() };
        await store.setReceived(id, received, upload.updatedAt);
        if (received < u.size || r.broken) return { upload };
        return { upload, file: await finish(upload) };
      } finally {
        busy.delete(id);
      }
    },

    async cancel(userId, id) {
      await ownUpload(userId, id);
      if (busy.has(id))
        throw new ParleyError('conflict', 'this upload is receiving bytes; cancel that first');
      await drop(id);
    },

    async quota(userId) {
      return {
        used: await store.usage(userId),
        quota: config.userQuotaBytes,
        maxFileBytes: Math.min(config.maxFileBytes, scanLimit ?? Infinity),
      };
    },

    async attach(userId, to, clientId, fileIds) {
      if (fileIds.length === 0) return [];
      enabled();
      if (fileIds.length > MAX_ATTACHMENTS)
        throw new ParleyError('bad-request', `a message carries at most ${MAX_ATTACHMENTS} files`, {
          field: 'attachments',
        });
      if (new Set(fileIds).size !== fileIds.length || fileIds.some((id) => !ID.test(id)))
        throw new ParleyError('bad-request', 'attachments must be distinct file ids', {
          field: 'attachments',
        });
      const conversationId = await conversationFor(userId, to);
      const rows = new Map((await store.files(fileIds)).map((f) => [f.id, f]));
      for (const id of fileIds) {
        const f = rows.get(id);
        if (!f || f.uploaderId !== userId)
          throw new ParleyError('not-found', `no such file of yours: ${id}`, {
            field: 'attachments',
          });
        if (f.conversationId !== conversationId)
          throw new ParleyError(
            'bad-request',
            'a file is sent in the conversation it was uploaded for',
            { field: 'attachments' },
          );
      }
      const claimed = new Set(await store.claim(fileIds, userId, conversationId, clientId, now()));
      if (claimed.size !== fileIds.length)
        throw new ParleyError('conflict', 'a file was already sent in another message', {
          field: 'attachments',
        });
      return fileIds.map((id) => attachmentOf(rows.get(id)!));
    },

    async open(userId, fileId) {
      if (!ID.test(fileId)) throw notFound();
      const f = (await store.files([fileId]))[0];
      if (!f) throw notFound();
      const m = f.message;
      if (m?.deletedAt != null) throw notFound();
      if (f.uploaderId === userId) return f;
      // Someone else reads a file only through a message they can read now.
      if (!m) throw notFound();
      if (f.conversationId.startsWith('dm:')) {
        if (m.recipientId !== userId || !m.visibleToRecipient) throw notFound();
        if (await deps.users.isBlocked(f.uploaderId, userId)) throw notFound();
        return f;
      }
      const roomId = f.conversationId.slice('room:'.length);
      const member = await deps.rooms.member(roomId, userId);
      // Members only, while they are members, and only what their history reaches.
      if (!member || m.seq < member.historyFrom) throw notFound();
      return f;
    },

    async openByLink(fileId, token) {
      if (!ID.test(fileId) || token.length > 64) throw notFound();
      const f = (await store.files([fileId]))[0];
      if (!f || !f.message || f.message.deletedAt !== null) throw notFound();
      const a = Buffer.from(f.token);
      const b = Buffer.from(token);
      if (a.length !== b.length || !timingSafeEqual(a, b)) throw notFound();
      return f;
    },

    read: (f, range) => blobs.read(f.sha256, range),

    thumbnail(f, size) {
      if (!(THUMB_SIZES as readonly number[]).includes(size))
        return Promise.reject(
          new ParleyError('bad-request', `a thumbnail is ${THUMB_SIZES.join(', ')} pixels`, {
            field: 'size',
          }),
        );
      if (f.width === null || !isCleanableImage(f.type))
        return Promise.reject(new ParleyError('not-found', 'only images have thumbnails'));
      const key = `${f.sha256}:${size}`;
      let p = making.get(key);
      if (!p) {
        p = makeThumbnail(f, size as ThumbSize).finally(() => making.delete(key));
        making.set(key, p);
      }
      return p;
    },

    async remove(userId, fileId) {
      if (!ID.test(fileId)) throw notFound();
      const f = (await store.files([fileId]))[0];
      if (!f || f.uploaderId !== userId) throw notFound();
      if (f.message && f.message.deletedAt === null)
        throw new ParleyError('conflict', 'this file was sent: delete its message instead', {
          field: 'id',
        });
      await dropBlobs(await store.remove([f.id]));
    },

    async messageDeleted(m) {
      const files = await store.ofMessage(m.conversationId, m.senderId, m.clientId);
      if (files.length) await dropBlobs(await store.remove(files.map((f) => f.id)));
    },

    withBlob: underBlobLock,

    async sweep(at = now()) {
      const s = await store.stale(at - UPLOAD_TTL_MS, at - UNSENT_TTL_MS, 500);
      for (const u of s.uploads) await drop(u.id);
      if (s.files.length) await dropBlobs(await store.remove(s.files));
      return s.uploads.length + s.files.length;
    },
  };
}

/** 128 random bits as 26 lowercase base32 characters: an id nobody can guess. */
function randomFileId(): string {
  // newId's last 16 characters are 80 random bits; two of them make more than enough.
  return (newId().slice(10) + newId().slice(10)).slice(0, 26);
}
