import { signal } from '@preact/signals';
import { ParleyApiError } from '../../../src/sdk/index.js';
import type { FileTarget } from '../../../src/sdk/files.js';
import { fileSize } from '../../../src/sdk/size.js';
import { forget, forgetAll, keep, keptFor, note } from '../lib/kept-files.js';
import { worthRetrying } from '../lib/outbox.js';
import { carries as outboxCarries } from './outbox.js';
import { client } from './client.js';
import { describe } from './errors.js';
import { me } from './signals.js';

/**
 * Files attached to drafts, uploading or stored, per conversation: the
 * composer shows those of its draft and sends their ids with the message.
 * They live here, not in the composer, so switching chats does not stop or
 * lose them; and in IndexedDB (lib/kept-files.ts), so after a reload the
 * conversation's composer resumes each upload at the server's offset.
 */
export interface PendingUpload {
  key: string;
  draft: string;
  name: string;
  size: number;
  sent: number;
  /** The server's file id once it holds the file durably. */
  fileId?: string;
  error?: string;
  /** The failure may pass (a dropped connection): offer to try again. */
  retry?: boolean;
  /**
   * A voice note, with its length as recorded: it is sent alone as soon as it is
   * stored (never with the draft's text), after a reload too.
   */
  voice?: { durationMs: number };
}

export const pendingUploads = signal<PendingUpload[]>([]);

interface Run {
  target: FileTarget;
  blob: Blob;
  uploadId?: string;
  abort?: AbortController;
  /** Called once stored (a voice note sends itself). */
  then?: (fileId: string) => void;
}

/** A kept record's voice-note mark, if it is a sound one (IndexedDB may hold anything). */
function voiceOf(v: unknown): { durationMs: number } | undefined {
  const ms = (v as { durationMs?: unknown } | undefined)?.durationMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? { durationMs: ms } : undefined;
}

const runs = new Map<string, Run>();
const restored = new Set<string>();

function change(key: string, patch: Partial<PendingUpload> | null): void {
  pendingUploads.value =
    patch === null
      ? pendingUploads.value.filter((u) => u.key !== key)
      : pendingUploads.value.map((u) => (u.key === key ? { ...u, ...patch } : u));
}

const newKey = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** Starts uploading files into the draft of `draft`, each kept for a reload if it fits. */
export function attachFiles(
  draft: string,
  target: FileTarget,
  files: readonly File[],
  then?: (fileId: string) => void,
): void {
  for (const file of files) add(draft, target, file, then);
}

/**
 * Starts uploading a recorded voice note; `send` is called with its id once it is
 * stored. Kept as a voice note, so a reload before then still sends it alone.
 */
export function attachVoiceNote(
  draft: string,
  target: FileTarget,
  file: File,
  durationMs: number,
  send: (fileId: string) => void,
): void {
  add(draft, target, file, send, { durationMs: Math.max(0, Math.round(durationMs)) });
}

function add(
  draft: string,
  target: FileTarget,
  file: File,
  then?: (fileId: string) => void,
  voice?: { durationMs: number },
): void {
  const owner = me.value?.id;
  if (!owner) return;
  const key = newKey();
  const name = file.name || 'pasted';
  pendingUploads.value = [
    ...pendingUploads.value,
    { key, draft, name, size: file.size, sent: 0, ...(voice ? { voice } : {}) },
  ];
  runs.set(key, { target, blob: file, ...(then ? { then } : {}) });
  void keep({
    key,
    owner,
    draft,
    name,
    blob: file,
    ...(voice ? { voice } : {}),
    at: Date.now(),
  }).then(() => start(key));
}

function start(key: string): void {
  const run = runs.get(key);
  const u = pendingUploads.value.find((x) => x.key === key);
  if (!run || !u || run.abort) return;
  const abort = (run.abort = new AbortController());
  change(key, { error: undefined, retry: false });
  client.files
    .upload(run.target, u.name, run.blob, {
      signal: abort.signal,
      ...(run.uploadId ? { resume: run.uploadId } : {}),
      onStarted: (id) => {
        if (run.uploadId === id) return;
        run.uploadId = id;
        void note(key, { uploadId: id });
      },
      onProgress: (sent) => change(key, { sent }),
    })
    .then(
      (f) => {
        run.abort = undefined;
        if (!runs.has(key)) return;
        change(key, { fileId: f.id, sent: u.size });
        void note(key, { fileId: f.id });
        run.then?.(f.id);
      },
      (err: unknown) => {
        run.abort = undefined;
        if (!runs.has(key) || abort.signal.aborted) return;
        const api = err instanceof ParleyApiError ? err : undefined;
        // The server dropped the unfinished upload (24 hours, or it was cancelled): start over.
        if (run.uploadId && api?.condition === 'not-found') {
          run.uploadId = undefined;
          return start(key);
        }
        // A conflict is another PATCH of it still running (a reload mid-request): it passes.
        const retry =
          !api || worthRetrying(api.condition, api.status) || api.condition === 'conflict';
        change(key, { error: words(err, u.size), retry });
        if (!retry) void forget(key);
      },
    );
}

function words(err: unknown, size: number): string {
  const c = err instanceof ParleyApiError ? err.condition : undefined;
  if (c === 'too-large') return `Too big to send (${fileSize(size)}).`;
  if (c === 'quota-exceeded') return 'Your space for files is full: delete some files you sent.';
  if (c === 'unsupported-type') return 'Files of this kind cannot be sent here.';
  if (c === 'unavailable') return 'The upload stopped: the server cannot be reached.';
  return describe(err);
}

/** Tries a failed upload again, from what the server already holds. */
export function retryUpload(key: string): void {
  start(key);
}

/** Drops one file from the draft (cancelling its upload; a stored, unsent file is deleted). */
export function cancelUpload(key: string): void {
  const run = runs.get(key);
  const u = pendingUploads.value.find((x) => x.key === key);
  runs.delete(key);
  run?.abort?.abort();
  change(key, null);
  void forget(key);
  if (u?.fileId) void client.files.remove(u.fileId).catch(() => {});
}

/** The draft's stored files went with a message: they leave the draft. */
export function uploadsSent(fileIds: readonly string[]): void {
  for (const u of pendingUploads.value)
    if (u.fileId && fileIds.includes(u.fileId)) {
      runs.delete(u.key);
      change(u.key, null);
      void forget(u.key);
    }
}

/**
 * Once per conversation and page load: brings back what a reload interrupted,
 * resuming it. A voice note is sent alone with `sendVoice` once stored (at once
 * if it was stored before the reload), as it would have been without the reload.
 */
export async function restoreUploads(
  draft: string,
  target: FileTarget,
  sendVoice?: (fileId: string) => void,
): Promise<void> {
  const owner = me.value?.id;
  if (!owner || restored.has(`${owner} ${draft}`)) return;
  restored.add(`${owner} ${draft}`);
  for (const k of await keptFor(owner, draft)) {
    if (runs.has(k.key) || me.value?.id !== owner) continue;
    const voice = voiceOf(k.voice);
    pendingUploads.value = [
      ...pendingUploads.value,
      {
        key: k.key,
        draft,
        name: k.name,
        size: k.blob.size,
        sent: k.fileId ? k.blob.size : 0,
        ...(k.fileId ? { fileId: k.fileId } : {}),
        ...(voice ? { voice } : {}),
      },
    ];
    runs.set(k.key, {
      target,
      blob: k.blob,
      ...(k.uploadId ? { uploadId: k.uploadId } : {}),
      ...(voice && sendVoice ? { then: sendVoice } : {}),
    });
    if (!k.fileId) start(k.key);
    else if (voice && sendVoice) {
      // Stored before the reload: sent then if the outbox carries it (it goes from
      // there, with its own client id), else now.
      if (outboxCarries(k.fileId)) uploadsSent([k.fileId]);
      else sendVoice(k.fileId);
    }
  }
}

/** The session ended: stop uploading; `discard` (signed out on purpose) also forgets kept files. */
export function closeUploads(discard: boolean): void {
  const owner = me.value?.id;
  for (const r of runs.values()) r.abort?.abort();
  runs.clear();
  restored.clear();
  pendingUploads.value = [];
  if (discard && owner) void forgetAll(owner);
}
