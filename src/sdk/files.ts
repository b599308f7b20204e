import { fromWire, ParleyApiError } from './errors.js';
import type { Attachment, FileQuota, UploadState } from './types.js';

/** Thumbnail sizes the server makes (WebP fitting inside size x size, never upscaled). */
export const THUMB_SIZES = [160, 320, 640] as const;
export type ThumbSize = (typeof THUMB_SIZES)[number];

/**
 * An image attachment's thumbnail path without a token (`/f/<id>/<secret>/thumb/<size>`),
 * for <img src>: the smallest size at least `px` (the largest if none is).
 */
export function thumbLink(a: Pick<Attachment, 'link'>, px: number): string {
  const size = THUMB_SIZES.find((s) => s >= px) ?? 640;
  return `${a.link}/thumb/${size}`;
}

/** Where a file goes: a direct conversation (`to`, a username) or a room. */
export type FileTarget = { to: string } | { room: string };

export interface UploadOptions {
  /** Bytes per PATCH (default 1 MiB): the unit of progress and of what a drop loses. */
  chunkBytes?: number;
  /** Called after each chunk the server has stored. */
  onProgress?(sent: number, total: number): void;
  /** Cancels: the upload is deleted on the server. */
  signal?: AbortSignal;
  /** Resumes an upload begun earlier (its id) instead of starting one. */
  resume?: string;
  /** Attempts per chunk after a network failure before giving up (default 5). */
  retries?: number;
  /** Called with the upload id once the server has made it (keep it to resume later). */
  onStarted?(uploadId: string): void;
}

type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/**
 * Files (docs/protocol.md, "Files"): resumable uploads in chunks, then
 * `attachments: [file.id]` on a send. Works with browser Blobs and Node bytes.
 */
export class FilesApi {
  constructor(
    private readonly call: Call,
    private readonly base: () => { baseUrl: string; token: string | undefined },
  ) {}

  /** Uploads `data` into a conversation; resolves once the server has it durably. */
  async upload(
    target: FileTarget,
    name: string,
    data: Blob | Uint8Array,
    opts: UploadOptions = {},
  ): Promise<Attachment> {
    const size = data instanceof Uint8Array ? data.byteLength : data.size;
    const chunk = opts.chunkBytes ?? 1 << 20;
    let state = opts.resume
      ? await this.status(opts.resume)
      : (await this.call<{ upload: UploadState }>('POST', '/uploads', { name, size, ...target }))
          .upload;
    opts.onStarted?.(state.id);
    const abort = () => void this.cancel(state.id).catch(() => {});
    opts.signal?.addEventListener('abort', abort, { once: true });
    try {
      let failures = 0;
      for (;;) {
        if (opts.signal?.aborted) throw new ParleyApiError('cancelled', 'the upload was cancelled');
        const end = Math.min(size, state.offset + chunk);
        const piece = data.slice(state.offset, end);
        try {
          const r = await this.patch(state.id, state.offset, piece, opts.signal);
          failures = 0;
          state = r.upload;
          opts.onProgress?.(state.offset, size);
          if (r.file) return r.file;
        } catch (err) {
          // A dropped connection: ask where the server is and go on from there.
          if (!(err instanceof ParleyApiError) || err.condition !== 'unavailable') throw err;
          if (opts.signal?.aborted || ++failures > (opts.retries ?? 5)) throw err;
          await new Promise((r) => setTimeout(r, 250 * failures));
          state = await this.status(state.id);
        }
      }
    } finally {
      opts.signal?.removeEventListener('abort', abort);
    }
  }

  /** Where an upload stands (its offset is what the server holds). */
  async status(uploadId: string): Promise<UploadState> {
    return (await this.call<{ upload: UploadState }>('GET', `/uploads/${enc(uploadId)}`)).upload;
  }

  async cancel(uploadId: string): Promise<void> {
    await this.call('DELETE', `/uploads/${enc(uploadId)}`);
  }

  /** Bytes you hold in files, your quota and the largest file you may upload. */
  quota(): Promise<FileQuota> {
    return this.call('GET', '/me/files');
  }

  /** Drops a file you uploaded and did not send. */
  async remove(fileId: string): Promise<void> {
    await this.call('DELETE', `/files/${enc(fileId)}`);
  }

  /** A file's bytes with your token (members of its conversation only). */
  async fetch(fileId: string, init: { range?: string } = {}): Promise<Response> {
    const { baseUrl, token } = this.base();
    const res = await fetch(`${baseUrl}/api/v1/files/${enc(fileId)}`, {
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.range ? { range: init.range } : {}),
      },
    });
    if (!res.ok && res.status !== 304) throw await errorOf(res);
    return res;
  }

  /** An image's WebP thumbnail with your token (`GET /api/v1/files/<id>/thumb/<size>`). */
  async thumbnail(fileId: string, size: ThumbSize): Promise<Response> {
    const { baseUrl, token } = this.base();
    const res = await fetch(`${baseUrl}/api/v1/files/${enc(fileId)}/thumb/${size}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  private async patch(
    id: string,
    offset: number,
    piece: Blob | Uint8Array,
    signal?: AbortSignal,
  ): Promise<{ upload: UploadState; file?: Attachment }> {
    const { baseUrl, token } = this.base();
    let res: Response;
    try {
      res = await fetch(`${baseUrl}/api/v1/uploads/${enc(id)}`, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/offset+octet-stream',
          'upload-offset': String(offset),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: piece as Blob,
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (signal?.aborted) throw new ParleyApiError('cancelled', 'the upload was cancelled');
      throw new ParleyApiError('unavailable', `cannot reach ${baseUrl}: ${(err as Error).message}`);
    }
    if (!res.ok) throw await errorOf(res);
    return (await res.json()) as { upload: UploadState; file?: Attachment };
  }
}

const enc = encodeURIComponent;

async function errorOf(res: Response): Promise<ParleyApiError> {
  const text = await res.text().catch(() => '');
  let json: { error?: never } | undefined;
  try {
    json = text ? (JSON.parse(text) as { error?: never }) : undefined;
  } catch {
    /* not JSON */
  }
  return fromWire(json?.error, res.status);
}
