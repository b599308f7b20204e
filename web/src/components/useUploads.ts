import { useEffect, useRef } from 'preact/hooks';
import type { FileTarget } from '../../../src/sdk/files.js';
import {
  attachFiles,
  attachVoiceNote,
  pendingUploads,
  restoreUploads,
  uploadsSent,
} from '../state/uploads.js';

/**
 * The files attached to one conversation's draft (state/uploads.ts): each
 * starts uploading as soon as it is attached; the message goes once all of
 * them are stored. Opening the conversation resumes what a reload cut off.
 * Voice notes are apart: each is sent alone by `sendVoice` once stored.
 */
export function useUploads(
  draft: string,
  target: FileTarget | undefined,
  sendVoice: (fileId: string) => void,
) {
  const where = target && JSON.stringify(target);
  // The newest callback, for a voice note stored after a later render.
  const voice = useRef(sendVoice);
  voice.current = sendVoice;
  const sendAlone = (id: string) => {
    voice.current(id);
    uploadsSent([id]);
  };
  useEffect(() => {
    if (target) void restoreUploads(draft, target, sendAlone);
  }, [draft, where]);
  const uploads = pendingUploads.value.filter((u) => u.draft === draft);
  const withText = uploads.filter((u) => !u.voice);
  return {
    uploads,
    /** Some file is still on its way (a failed one is not: it waits for Retry or removal). */
    busy: withText.some((u) => !u.fileId && !u.error),
    /** `then`: called with the file's id once stored (instead of waiting for Send). */
    attach(files: readonly File[], then?: (fileId: string) => void) {
      if (target && files.length) attachFiles(draft, target, files, then);
    },
    /** A recorded voice note: sent alone once stored, across a reload too. */
    attachVoice(file: File, durationMs: number) {
      if (target) attachVoiceNote(draft, target, file, durationMs, sendAlone);
    },
    /** Ids of the files stored so far that go with the text (voice notes go alone). */
    ids: () => withText.flatMap((u) => (u.fileId ? [u.fileId] : [])),
    /** These files went with a message. */
    sent: (ids: readonly string[]) => uploadsSent(ids),
  };
}
